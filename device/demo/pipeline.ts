/**
 * The whole pipeline on one machine, without AWS: the embedded broker, the fake EC2 (and, with
 * alarms, the fake CloudWatch; with deploys, FakeDeploys) holding the truth, the real Lambda handler publishing into the broker,
 * and the real agent subscribed to it.
 * Used by `npm start` (device/demo/main.ts) and by the benchmarks.
 *
 * `emit` is what EC2 and EventBridge do together: the truth changes in the fake EC2, then the
 * state-change event goes through the handler. Events carry the wall clock (whole seconds by
 * default, as EventBridge sends them), because the agent orders them against its own listings.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { isAbsolute, join, relative } from 'node:path';
import { createHandler, type Handler } from '../../lambda/handler.ts';
import type { AlarmState } from '../../shared/alarm-message.ts';
import type { InstanceState } from '../../shared/instance-state.ts';
import { type Agent, startAgent } from '../agent/agent.ts';
import type { Logger } from '../base/log.ts';
import { type Config, parseConfig } from '../config/config.ts';
import { type AccountEntry, accountIds } from '../fleet/accounts.ts';
import type { DisplayDeps } from '../outputs/display/open.ts';
import { listenAgentWebBoard } from '../outputs/web/agent-board.ts';
import type { WebBoard } from '../outputs/web/server.ts';
import { type BoardSocket, serveBoard, socketPath, socketPathProblem } from '../outputs/web/status-socket.ts';
import { type SimAlarm, type SimAlarmStep, toAlarmEvent } from './alarm-sim.ts';
import { type EmbeddedBroker, startBroker } from './broker.ts';
import { type SimDeploy, type SimDeployStep, toDeployEvent } from './deploy-sim.ts';
import { type FakeCloudWatch, startFakeCloudWatch } from './fake-cloudwatch.ts';
import { type FakeDeploys, startFakeDeploys } from './fake-deploys.ts';
import { type FakeEc2, startFakeEc2 } from './fake-ec2.ts';
import { type FakeSts, startFakeSts } from './fake-sts.ts';
import { type SimNoticeStep, scheduledEventOf, toNoticeEvent } from './notice-sim.ts';
import { type SimInstance, toEventBridgeEvent } from './simulator.ts';

export interface PipelineOptions {
  readonly instances: readonly SimInstance[];
  /**
   * aws.accounts of the agent: the simulated fleet's account(s), home first. With more than one, a
   * loopback STS hands out each member account's session and the fake EC2 serves each its own fleet.
   */
  readonly accounts: readonly AccountEntry[];
  readonly regions: readonly string[];
  readonly board: 'terminal' | 'none';
  readonly width: number;
  readonly height: number;
  /** Web board port, or undefined for none. */
  readonly webPort?: number | undefined;
  readonly log: Logger;
  readonly displayDeps?: DisplayDeps;
  readonly resyncMinutes?: number;
  /**
   * Folder for the agent's state folder (created inside it, removed on stop); the OS temp folder when
   * the status socket would not fit under it. Default: the OS temp folder.
   */
  readonly workDir?: string;
  /** CloudWatch alarms of the home account, listed from a fake CloudWatch; default none. */
  readonly alarms?: readonly SimAlarm[];
  /** CodePipeline pipelines and ECS services of the home account, listed from FakeDeploys; default none. */
  readonly deploys?: readonly SimDeploy[];
  /** The agent's `zones` (config.ts); default none: every kind shares the board. */
  readonly zones?: Config['zones'];
  /** The agent's `graceMinutes`; default the config's (10). */
  readonly graceMinutes?: number;
  /**
   * Called once the web listener is open and before the agent starts (so before the board's first
   * frame): the place to print the URL and the status command where no frame overwrites them.
   */
  readonly onListening?: (info: { readonly url: string | undefined; readonly statusCommand: string }) => void;
  /** Config `wled` entries: WLED devices that mirror the board (`--wled`); default none. */
  readonly wled?: readonly Record<string, unknown>[];
}

export interface Pipeline {
  readonly broker: EmbeddedBroker;
  readonly ec2: FakeEc2;
  readonly sts: FakeSts | undefined;
  readonly cloudwatch: FakeCloudWatch | undefined;
  readonly deploys: FakeDeploys | undefined;
  readonly agent: Agent;
  readonly web: WebBoard | undefined;
  readonly handler: Handler;
  /** The command that prints the running demo's legend, as `ec2led status` does for the service. */
  readonly statusCommand: string;
  /** The instance changes state now: the truth first, then its event through the Lambda handler. */
  emit(instance: SimInstance, state: InstanceState, eventId: string, timeMs?: number): Promise<void>;
  /**
   * An instance notice now: for a maintenance step the scheduled event in the fake EC2 first (what
   * DescribeInstanceStatus lists), then the event (Spot warning, Health scheduled change) through the handler.
   */
  emitNotice(
    step: Omit<SimNoticeStep, 'timeMs'>,
    instance: SimInstance,
    eventId: string,
    timeMs?: number,
  ): Promise<void>;
  /** The alarm changes state now: the truth in the fake CloudWatch, then its event through the handler. */
  emitAlarm(step: Omit<SimAlarmStep, 'timeMs'>, eventId: string, timeMs?: number): Promise<void>;
  /**
   * The deploy moves now: the truth in FakeDeploys (a new run starts at its first step), then its
   * CodePipeline or ECS event through the handler.
   */
  emitDeploy(step: Omit<SimDeployStep, 'timeMs'>, eventId: string, timeMs?: number): Promise<void>;
  stop(): Promise<void>;
}

// The demo signs DescribeInstances with the SDK's default chain against the fake EC2: dummy keys.
function useDemoCredentials(): void {
  process.env.AWS_ACCESS_KEY_ID ??= 'AKIDDEMO';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'demo-secret';
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
}

/** The fake EC2 holds the simulated instances present at the start (not those launched later). */
export function seedFakeEc2(
  ec2: FakeEc2,
  instances: readonly SimInstance[],
  regions: readonly string[],
): void {
  const accounts = new Set(instances.map((i) => i.account));
  for (const account of accounts)
    for (const region of regions) {
      ec2.setInstances(
        region,
        instances
          .filter((i) => i.region === region && i.initial !== 'absent' && i.account === account)
          .map((i) => ({ instanceId: i.instanceId, state: i.initial as InstanceState, tags: i.tags })),
        account,
      );
    }
}

/** `ec2led status` for the demo's agent; the state folder relative to the current one when inside it. */
function statusCommandFor(stateDir: string): string {
  const shown = relative(process.cwd(), stateDir);
  return `EC2LED_STATE_DIR=${shown.startsWith('..') || isAbsolute(shown) ? stateDir : shown} npx ec2led status`;
}

const STATE_DIR_PREFIX = 'ec2led-demo-';

/**
 * Where the agent's state folder goes: `workDir` when its status socket fits there (mkdtemp adds six
 * characters), else the OS temp folder, so a clone in a deep folder still runs the demo (a unix socket
 * path holds at most 107 bytes).
 */
export function stateParent(workDir: string | undefined, temp = tmpdir()): string {
  if (workDir === undefined) return temp;
  const deepest = socketPath(join(workDir, `${STATE_DIR_PREFIX}XXXXXX`));
  return socketPathProblem(deepest) === undefined ? workDir : temp;
}

export async function startPipeline(options: PipelineOptions): Promise<Pipeline> {
  useDemoCredentials();
  const stateDir = await mkdtemp(join(stateParent(options.workDir), STATE_DIR_PREFIX));
  // Everything started so far, stopped in reverse if a later step fails (a web port in use, say),
  // so a failed start leaves no process, socket or state folder behind.
  const undo: (() => Promise<void>)[] = [() => rm(stateDir, { recursive: true, force: true })];
  const unwind = async () => {
    for (const step of undo.reverse()) await step().catch(() => undefined);
  };
  try {
    const broker = await startBroker();
    undo.push(() => broker.close());
    const ids = accountIds(options.accounts);
    const ec2 = await startFakeEc2({
      host: '127.0.0.1',
      port: 0,
      ...(ids[0] === undefined ? {} : { account: ids[0] }),
    });
    undo.push(() => ec2.close());
    const sts = ids.length > 1 ? await startFakeSts() : undefined;
    undo.push(async () => sts?.close());
    seedFakeEc2(ec2, options.instances, options.regions);
    const alarms = options.alarms ?? [];
    const cloudwatch =
      alarms.length === 0
        ? undefined
        : await startFakeCloudWatch(ids[0] === undefined ? {} : { account: ids[0] });
    undo.push(async () => cloudwatch?.close());
    for (const region of new Set(alarms.map((a) => a.region)))
      cloudwatch?.setAlarms(
        region,
        alarms
          .filter((a) => a.region === region)
          .map((a) => ({ name: a.name, state: a.initial, sinceMs: Date.now() })),
      );
    const simDeploys = options.deploys ?? [];
    const deploys =
      simDeploys.length === 0
        ? undefined
        : await startFakeDeploys(ids[0] === undefined ? {} : { account: ids[0] });
    undo.push(async () => deploys?.close());
    // Every deploy starts the demo settled: its last run succeeded an hour ago.
    const settledAt = Date.now() - 3_600_000;
    for (const deploy of simDeploys) {
      if (deploy.cluster === undefined) {
        deploys?.pipeline(deploy.region, deploy.name, {
          id: `run-${settledAt}`,
          status: 'Succeeded',
          startMs: settledAt,
          updatedMs: settledAt,
        });
      } else {
        deploys?.service(deploy.region, deploy.cluster, deploy.name, [
          { id: `ecs-svc/${settledAt}`, status: 'PRIMARY', rolloutState: 'COMPLETED', createdMs: settledAt },
        ]);
      }
    }
    const config: Config = parseConfig({
      mqtt: { endpoint: broker.host, port: broker.port, clientId: 'ec2led-demo', tls: false },
      aws: {
        credentials: 'default',
        accounts: [...options.accounts],
        regions: [...options.regions],
        ec2Endpoint: ec2.url,
        ...(sts === undefined ? {} : { stsEndpoint: sts.url }),
      },
      ...(cloudwatch === undefined
        ? {}
        : {
            alarms: {
              prefixes: [''],
              regions: [...new Set([...options.regions, ...alarms.map((a) => a.region)])],
              endpoint: cloudwatch.url,
            },
          }),
      ...(deploys === undefined
        ? {}
        : {
            deploys: {
              prefixes: [''],
              regions: [...new Set(simDeploys.map((d) => d.region))],
              ecsClusters: [
                ...new Set(simDeploys.flatMap((d) => (d.cluster === undefined ? [] : [d.cluster]))),
              ],
              codepipelineEndpoint: deploys.url,
              ecsEndpoint: deploys.url,
            },
          }),
      resyncMinutes: options.resyncMinutes ?? 15,
      ...(options.zones === undefined ? {} : { zones: options.zones }),
      ...(options.graceMinutes === undefined ? {} : { graceMinutes: options.graceMinutes }),
      stateDir,
      display: { board: options.board, virtualWidth: options.width, virtualHeight: options.height },
      ...(options.wled === undefined ? {} : { wled: options.wled }),
    });
    const handler = createHandler({
      publisher: () => broker.publisher,
      topicPrefix: config.topicPrefix,
      log: (level, msg, context) => options.log[level](msg, { ...context, source: 'lambda' }),
    });
    // The web listener first: a port in use fails here, before the terminal shows any frame.
    const listening =
      options.webPort === undefined
        ? undefined
        : await listenAgentWebBoard({ host: '127.0.0.1', port: options.webPort }, options.log);
    undo.push(async () => listening?.board.close());
    options.onListening?.({ url: listening?.board.url, statusCommand: statusCommandFor(stateDir) });
    const agent = await startAgent({
      config,
      log: options.log,
      ...(options.displayDeps === undefined ? {} : { displayDeps: options.displayDeps }),
    });
    undo.push(() => agent.stop());
    await listening?.attach(agent);
    const web = listening?.board;
    const socket: BoardSocket = await serveBoard(socketPath(stateDir), agent.legend());
    undo.push(() => socket.close());
    await agent.attach(socket);
    return running({
      broker,
      ec2,
      sts,
      cloudwatch,
      deploys,
      simDeploys,
      agent,
      web,
      handler,
      stateDir,
      socket,
    });
  } catch (error) {
    await unwind();
    throw error;
  }
}

function running(
  parts: Omit<Pipeline, 'emit' | 'emitAlarm' | 'emitDeploy' | 'emitNotice' | 'stop' | 'statusCommand'> & {
    readonly simDeploys: readonly SimDeploy[];
    readonly stateDir: string;
    readonly socket: BoardSocket;
  },
): Pipeline {
  const { broker, ec2, sts, cloudwatch, deploys, simDeploys, agent, web, handler, stateDir, socket } = parts;
  /** Each deploy's current run: its number in the schedule and when it started (agent clock). */
  const runs = new Map<string, { run: number; startMs: number }>();
  const removals = new Set<NodeJS.Timeout>();
  return {
    statusCommand: statusCommandFor(stateDir),
    broker,
    ec2,
    sts,
    cloudwatch,
    deploys,
    agent,
    web,
    handler,
    async emit(instance, state, eventId, timeMs = Math.floor(Date.now() / 1000) * 1000) {
      ec2.upsert(
        instance.region,
        { instanceId: instance.instanceId, state, tags: instance.tags },
        instance.account,
      );
      if (state === 'terminated') {
        // EC2 lists a terminated instance for about an hour; the demo keeps it for a minute.
        const timer = setTimeout(() => {
          removals.delete(timer);
          ec2.remove(instance.region, instance.instanceId, instance.account);
        }, 60_000);
        removals.add(timer);
      }
      await handler(
        toEventBridgeEvent({ timeMs, instanceId: instance.instanceId, state }, instance, eventId),
      );
    },
    async emitNotice(step, instance, eventId, timeMs = Math.floor(Date.now() / 1000) * 1000) {
      const timed = { ...step, timeMs };
      if (step.notice === 'maintenance') {
        const current = ec2
          .instances(instance.region, instance.account)
          .find((i) => i.instanceId === instance.instanceId);
        if (current !== undefined)
          ec2.upsert(instance.region, { ...current, events: [scheduledEventOf(timed)] }, instance.account);
      }
      await handler(toNoticeEvent(timed, instance, eventId));
    },
    async emitAlarm(step, eventId, timeMs = Date.now()) {
      if (cloudwatch === undefined) throw new Error('emitAlarm: the pipeline was started without alarms');
      const previous: AlarmState =
        cloudwatch.alarms(step.region).find((a) => a.name === step.name)?.state ?? 'INSUFFICIENT_DATA';
      cloudwatch.upsert(step.region, { name: step.name, state: step.state, sinceMs: timeMs });
      await handler(toAlarmEvent({ ...step, timeMs }, cloudwatch.account, eventId, previous));
    },
    async emitDeploy(step, eventId, timeMs = Date.now()) {
      const deploy = simDeploys.find((d) => d.name === step.name);
      if (deploys === undefined || deploy === undefined) {
        throw new Error(`emitDeploy: the pipeline was started without deploy ${step.name}`);
      }
      const current = runs.get(step.name);
      const startMs = current !== undefined && current.run === step.run ? current.startMs : timeMs;
      runs.set(step.name, { run: step.run, startMs });
      if (deploy.cluster === undefined) {
        const status = {
          deploying: 'InProgress',
          deployed: 'Succeeded',
          'deploy-failed': 'Failed',
          'deploy-stopped': 'Stopped',
        } as const;
        deploys.pipeline(deploy.region, deploy.name, {
          id: `run-${startMs}`,
          status: status[step.state],
          startMs,
          updatedMs: timeMs,
        });
      } else {
        const rollout = {
          deploying: 'IN_PROGRESS',
          deployed: 'COMPLETED',
          'deploy-failed': 'FAILED',
          'deploy-stopped': 'FAILED',
        } as const;
        deploys.service(deploy.region, deploy.cluster, deploy.name, [
          {
            id: `ecs-svc/${startMs}`,
            status: 'PRIMARY',
            rolloutState: rollout[step.state],
            createdMs: startMs,
          },
        ]);
      }
      await handler(toDeployEvent({ ...step, timeMs }, deploy, deploys.account, eventId, startMs));
    },
    async stop() {
      for (const timer of removals) clearTimeout(timer);
      await Promise.all([agent.stop(), web?.close(), socket.close()]);
      await Promise.all([broker.close(), ec2.close(), sts?.close(), cloudwatch?.close(), deploys?.close()]);
      await rm(stateDir, { recursive: true, force: true });
    },
  };
}
