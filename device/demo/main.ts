/**
 * `npm start`: the whole pipeline on this machine, without AWS. A simulated fleet lives its days at
 * high speed; every state change goes through the real Lambda handler into an embedded broker, and
 * the real agent (listing from a fake EC2 that holds the same fleet) draws the terminal board and
 * serves the web board. A few CloudWatch alarms live the same day (alarm-sim.ts: some flip, one HTTP
 * check fails for a while), listed from a fake CloudWatch and shown from the bottom row up, and
 * two deploys (deploy-sim.ts: a pipeline whose morning run fails and the next run fixes, an ECS
 * service rolling out), listed from FakeDeploys, just above the alarms. Ctrl-C stops everything and
 * exits 0.
 *
 * Logs go to a file, not over the board: `.ec2led-demo/demo-<pid>.log` in the repository (git-ignored),
 * beside the agent's state folder, which is removed when the demo stops or fails to start. Piped to a
 * file, the demo writes one plain line per change instead of full-screen frames. Importing this
 * module runs nothing; only executing it does.
 */
import { createWriteStream, realpathSync } from 'node:fs';
import { mkdir, rm, rmdir } from 'node:fs/promises';
import { relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { createLogger } from '../base/log.ts';
import { formatAge } from '../outputs/display/boards/terminal-legend.ts';
import { parseWledTarget } from '../outputs/wled/target.ts';
import type { Legend } from '../picture/legend.ts';
import { sleep } from '../sources/retry.ts';
import { alarmDay, alarmEventIdFor, DEMO_ALARMS } from './alarm-sim.ts';
import { DEMO_DEPLOYS, deployDay, deployEventIdFor } from './deploy-sim.ts';
import { viewChanges } from './lines.ts';
import { noticeDay, noticeEventIdFor } from './notice-sim.ts';
import { startPipeline } from './pipeline.ts';
import {
  createSimulation,
  DEFAULT_SIM_OPTIONS,
  eventIdFor,
  type SimDay,
  type SimInstance,
} from './simulator.ts';

/** Where the demo keeps its log files and, while it runs, the agent's state folder. */
export const DEMO_DIR = fileURLToPath(new URL('../../.ec2led-demo/', import.meta.url));

export const DEMO_USAGE = `npm start -- [flags]: the ec2-led pipeline on this machine, no AWS account needed

Examples:
  npm start
  npm start -- --speed 2880 --size 60 --seed 7
  npm start -- --board none --port 9090     # web board only
  npm start -- --speed 30                   # slow enough to see pending and stopping
  npm start > demo.txt                      # one plain line per change, no ANSI frames
  npm start -- --accounts 2                 # two accounts (prod, staging) on one board

Flags:
  --speed N   simulated seconds per real second (default 720: a day in two minutes)
  --size N    instances at the start of the day (default 40; the scale-out adds a fifth more)
  --seed N    random seed of the fleet and its days (default 1)
  --port N    web board port on 127.0.0.1 (default 8080; 0 picks a free one)
  --board K   terminal (default on a terminal), lines (default when piped) or none
  --accounts N  simulated accounts, 1-4 (default 1); the others are read through a loopback STS
  --wled HOST[:PORT][,LAYOUT[,SCALE]]  mirror the board to a WLED over DDP (docs/wled.md)
`;

/** The demo's accounts, home first; `--accounts N` takes the first N. */
export const DEMO_ACCOUNTS = [
  { id: '123456789012', label: 'prod' },
  { id: '210987654321', label: 'staging' },
  { id: '345678901234', label: 'sandbox' },
  { id: '456789012345', label: 'data' },
] as const;

/** Spreads the fleet over the accounts, the same way for every day (by instance id). */
export function spreadOverAccounts<T extends { readonly instanceId: string }>(
  instance: T,
  accounts: readonly string[],
): T & { account: string } {
  let hash = 0;
  for (const c of instance.instanceId) hash = (hash * 31 + c.charCodeAt(0)) >>> 0;
  return { ...instance, account: accounts[hash % accounts.length] as string };
}

interface DemoArgs {
  readonly speed: number;
  readonly size: number;
  readonly seed: number;
  readonly port: number;
  readonly board: DemoBoard;
  readonly accounts: number;
  /** WLED devices to mirror to (config `wled` entries), from --wled. */
  readonly wled?: readonly Record<string, unknown>[];
}

/** terminal: full-screen frames; lines: one plain line per change (for a pipe or a file); none: web only. */
export type DemoBoard = 'terminal' | 'lines' | 'none';

function number(name: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value < min || value > max) {
    throw new Error(`--${name} ${JSON.stringify(text)} is not a number from ${min} to ${max}`);
  }
  return value;
}

/** `stdoutIsTTY` picks the default board: frames on a terminal, plain lines anywhere else. */
export function parseDemoArgs(argv: readonly string[], stdoutIsTTY = true): DemoArgs | 'help' {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      speed: { type: 'string', default: '720' },
      size: { type: 'string', default: '40' },
      seed: { type: 'string', default: '1' },
      port: { type: 'string', default: '8080' },
      board: { type: 'string' },
      accounts: { type: 'string', default: '1' },
      wled: { type: 'string', multiple: true },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return 'help';
  const board = values.board ?? (stdoutIsTTY ? 'terminal' : 'lines');
  if (board !== 'terminal' && board !== 'lines' && board !== 'none') {
    throw new Error(`--board ${JSON.stringify(board)}: the demo draws on terminal, lines or none`);
  }
  return {
    speed: number('speed', values.speed, 1, 1_000_000),
    size: Math.round(number('size', values.size, 1, 1000)),
    seed: Math.round(number('seed', values.seed, 0, 2 ** 31)),
    port: Math.round(number('port', values.port, 0, 65535)),
    board,
    accounts: Math.round(number('accounts', values.accounts, 1, DEMO_ACCOUNTS.length)),
    ...(values.wled === undefined ? {} : { wled: values.wled.map(parseWledTarget) }),
  };
}

/** Rows the alarms' zone takes at the bottom of a board `side` pixels wide. */
export function alarmRows(side: number): number {
  return Math.ceil(DEMO_ALARMS.length / side);
}

/**
 * A square board whose instance zone (every row but the alarms') holds the fleet at its largest: the
 * day's fleet, its scale-out (a fifth more) and the evening's replacement. 8x8 for the default 40.
 */
export function boardSide(size: number): number {
  const peak = size + Math.max(1, Math.round(size / 5)) + 1;
  let side = 8;
  // The deploys take the lowest rows above the alarms, shared with the instances.
  while (side * (side - alarmRows(side)) < peak + DEMO_DEPLOYS.length) side++;
  return side;
}

/**
 * The demo's agent settings: the alarms keep their own bottom row(s), so instances never spill into
 * them, and a terminated instance keeps its pixel for an hour of the simulated day, not ten real
 * minutes (five simulated days at the default speed, while each day launches a new scale-out).
 */
export function demoAgentSettings(side: number, speed: number) {
  return { zones: { alarm: { rows: alarmRows(side) } }, graceMinutes: 60 / speed };
}

/** The demo's first line under the status line; at most 80 columns with the widest clock and URL. */
export function demoCaption(clock: string, url: string): string {
  return `demo · simulated ${clock} · ${url} · Ctrl-C quits`;
}

/** Simulated time runs `speed` times faster: an age on the board in simulated time, like the clock beside it. */
export function simulatedAge(speed: number): (sinceMs: number, nowMs: number) => string {
  return (sinceMs, nowMs) => formatAge(nowMs - (nowMs - sinceMs) * speed, nowMs);
}

/** Simulated minutes between the start of the demo and the first change of the first day. */
export const LEAD_MINUTES = 15;

/** Milliseconds into the first day at which the demo starts: LEAD_MINUTES before its first instance change. */
export function startOffsetMs(day: SimDay, dayStartMs: number): number {
  const first = Math.min(...day.steps.map((step) => step.timeMs)) - dayStartMs;
  return Math.max(0, Math.floor(first / 60_000) * 60_000 - LEAD_MINUTES * 60_000);
}

/** The first error in a cause chain with a system error code (EADDRINUSE, EACCES...), if any. */
function errorCode(error: unknown): string | undefined {
  for (let e = error; e instanceof Error; e = e.cause) {
    const code = (e as NodeJS.ErrnoException).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}

/** One line for a failed start: the port flag for a port problem, the message otherwise; no stack. */
export function startFailure(error: unknown, port: number): string {
  const code = errorCode(error);
  if (code === 'EADDRINUSE' || code === 'EACCES') {
    const why = code === 'EADDRINUSE' ? 'is in use' : 'is not open to this user';
    return `npm start: port ${port} on 127.0.0.1 ${why}; choose another with --port 9090, or --port 0 for any free port`;
  }
  return `npm start: ${error instanceof Error ? error.message : String(error)}`;
}

function clockText(virtualMs: number): string {
  const minutes = Math.floor((virtualMs % 86_400_000) / 60_000);
  const hh = String(Math.floor(minutes / 60)).padStart(2, '0');
  return `day ${Math.floor(virtualMs / 86_400_000) + 1} ${hh}:${String(minutes % 60).padStart(2, '0')}`;
}

export async function main(argv: readonly string[]): Promise<number> {
  let args: DemoArgs;
  try {
    const parsed = parseDemoArgs(argv, process.stdout.isTTY === true);
    if (parsed === 'help') {
      process.stdout.write(DEMO_USAGE);
      return 0;
    }
    args = parsed;
  } catch (error) {
    process.stderr.write(`npm start: ${(error as Error).message}\n${DEMO_USAGE}`);
    return 2;
  }
  await mkdir(DEMO_DIR, { recursive: true });
  const logPath = `${DEMO_DIR}demo-${process.pid}.log`;
  const shownLogPath = relative(process.cwd(), logPath) || logPath;
  const logFile = createWriteStream(logPath);
  const log = createLogger({ format: 'pretty', write: (line) => logFile.write(line) });
  const closeLog = () => new Promise<void>((resolve) => logFile.end(resolve));
  const options = { ...DEFAULT_SIM_OPTIONS, seed: args.seed, size: args.size };
  const simulation = createSimulation(options);
  const side = boardSide(args.size);
  const days = simulation.days();
  const firstDay = days.next().value as SimDay;
  // The first day starts just before the dev boxes start, so something happens at once: at --speed 30
  // the first one starts about 30 s in.
  const offsetMs = startOffsetMs(firstDay, options.dayStartMs);
  let started = Date.now();
  const clock = () => clockText(offsetMs + (Date.now() - started) * args.speed);

  let url = '';
  let statusCommand = '';
  const accounts = DEMO_ACCOUNTS.slice(0, args.accounts);
  const ids = accounts.map((a) => a.id);
  const spread = <T extends SimInstance>(instance: T) =>
    args.accounts === 1 ? instance : spreadOverAccounts(instance, ids);
  let pipeline: Awaited<ReturnType<typeof startPipeline>>;
  try {
    pipeline = await startPipeline({
      instances: simulation.initial.map(spread),
      accounts: args.accounts === 1 ? [options.account] : accounts,
      regions: options.regions,
      board: args.board === 'terminal' ? 'terminal' : 'none',
      width: side,
      height: side,
      webPort: args.port,
      workDir: DEMO_DIR,
      ...(args.wled === undefined ? {} : { wled: args.wled }),
      alarms: DEMO_ALARMS,
      deploys: DEMO_DEPLOYS,
      log,
      ...demoAgentSettings(side, args.speed),
      displayDeps: {
        caption: () => `${demoCaption(clock(), url)}\nlegend: ${statusCommand}`,
        refreshMs: 500,
        age: simulatedAge(args.speed),
      },
      // Before the first frame, on the screen the terminal board's alternate screen hides and gives back.
      onListening: (info) => {
        url = info.url ?? '';
        statusCommand = info.statusCommand;
        process.stderr.write(`ec2-led demo: web board at ${url}, logs in ${shownLogPath}\n`);
        process.stderr.write(`ec2-led demo: its legend from another terminal: ${statusCommand}\n`);
      },
    });
  } catch (error) {
    log.error('demo failed to start', { error });
    await closeLog();
    // Nothing of a start that never happened stays behind: the state folder is gone already.
    await rm(logPath, { force: true });
    await rmdir(DEMO_DIR).catch(() => undefined); // only if empty: other demos' logs stay
    process.stderr.write(`${startFailure(error, args.port)}\n`);
    return 1;
  }
  if (args.board === 'lines') {
    let shown: Legend | undefined;
    pipeline.agent.onLegendChange(() => {
      const view = pipeline.agent.legend();
      for (const line of viewChanges(shown, view)) process.stdout.write(`${clock()} ${line}\n`);
      shown = view;
    });
  }

  const stop = new AbortController();
  const run = async () => {
    started = Date.now();
    let index = 0;
    for (let day = 0; !stop.signal.aborted; day++) {
      const { instances, steps } = day === 0 ? firstDay : (days.next().value as SimDay);
      const byId = new Map(instances.map((instance) => [instance.instanceId, instance]));
      const alarmSteps = alarmDay(options.dayStartMs + day * 86_400_000);
      const noticeSteps = noticeDay(options.dayStartMs + day * 86_400_000, instances);
      const deploySteps = deployDay(options.dayStartMs + day * 86_400_000);
      const all = [...steps, ...alarmSteps, ...noticeSteps, ...deploySteps].sort(
        (a, b) => a.timeMs - b.timeMs,
      );
      for (const step of all) {
        const virtualMs = step.timeMs - options.dayStartMs;
        const dueAt = started + (virtualMs - offsetMs) / args.speed;
        const wait = dueAt - Date.now();
        await sleep(wait, stop.signal);
        if (stop.signal.aborted) return;
        const emitted =
          'notice' in step
            ? pipeline.emitNotice(
                step,
                spread(byId.get(step.instanceId) as SimInstance),
                noticeEventIdFor(step, index++),
              )
            : 'instanceId' in step
              ? pipeline.emit(
                  spread(byId.get(step.instanceId) as SimInstance),
                  step.state,
                  eventIdFor(step, index++),
                )
              : 'run' in step
                ? pipeline.emitDeploy(step, deployEventIdFor(step, index++))
                : pipeline.emitAlarm(step, alarmEventIdFor(step, index++));
        await emitted.catch((error: unknown) => {
          log.warn('emit failed', { error });
        });
      }
    }
  };
  const running = run();

  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  stop.abort();
  // A second Ctrl-C while shutting down leaves at once.
  process.once('SIGINT', () => process.exit(130));
  await Promise.race([
    Promise.all([running, pipeline.stop()]),
    new Promise((resolve) => setTimeout(resolve, 2000)),
  ]);
  await closeLog();
  process.stderr.write(`ec2-led demo stopped; logs in ${shownLogPath}\n`);
  return 0;
}

function isMain(): boolean {
  const entry = process.argv[1];
  return entry !== undefined && pathToFileURL(realpathSync(entry)).href === import.meta.url;
}

if (isMain()) {
  // aws-crt keeps the process alive after its client stops (toolchain trap 3): exit explicitly.
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`npm start: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}
