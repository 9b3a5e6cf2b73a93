/**
 * (h) Footprint: the packed agent's resident memory with 1,000 instances, as it runs on a Pi (the
 * bundle in its own process, the systemd unit's environment, the embedded broker, the fake EC2).
 *
 * Steady state: after the first listing and a resync (every minute here), the agent's RSS sampled
 * once a second for 10 s while no listing process runs; the median. The listing process's own RSS
 * is sampled while it runs (agent + listing process = the peak a Pi must have free).
 *
 * Soak: a day of changes at 10 a second (864,000 messages) compressed: rounds of one change per
 * instance (stopping, stopped, pending, running, in turn; event time = now, in ms), published as fast
 * as the agent shows them (after every 10 rounds the bench waits until the board shows the last
 * round's state for all 1,000), with the fake EC2 kept equal to the changes and a relist every minute.
 * Bounded by BENCH_SOAK_SECONDS (default 180): what was sent in that time is reported, with the
 * acceleration. RSS once a second; growth = median of the last 30 s over the median of the 30 s after
 * a 30 s warm-up.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startBroker } from '../device/demo/broker.ts';
import { startFakeEc2 } from '../device/demo/fake-ec2.ts';
import { fetchBoard, socketPath } from '../device/outputs/web/status-socket.ts';
import type { InstanceState } from '../shared/instance-state.ts';
import { encodeMessage } from '../shared/message.ts';
import { instanceTopic } from '../shared/topics.ts';
import { buildPackedAgent, childRss, childrenOf, rssMb, unitEnvironment } from './agent-resources.ts';
import { ACCOUNT, benchFleet } from './latency.ts';
import { median, type Section, sleep, until } from './report.ts';

const OUT = fileURLToPath(new URL('../node_modules/.cache/ec2led-bench/footprint/', import.meta.url));
const REGIONS = ['us-east-1', 'eu-west-1'];
const CYCLE: readonly InstanceState[] = ['stopping', 'stopped', 'pending', 'running'];
/** The shortest the config allows: the relists of the soak come from it. */
const RESYNC_MINUTES = 1;
const ROUNDS_PER_CHECK = 10;
const TARGET_RSS_MB = 75;
const TARGET_GROWTH_PERCENT = 5;

/** Another Node for the same measurement (bench/pi-node.ts): its binary, section id and title. */
export interface FootprintNode {
  readonly node: string;
  readonly id: string;
  readonly title: string;
}

export async function benchFootprint(other?: FootprintNode): Promise<Section> {
  const soakSeconds = Number(process.env.BENCH_SOAK_SECONDS ?? 180);
  const soakMessages = Number(process.env.BENCH_SOAK_MESSAGES ?? 864_000);
  await buildPackedAgent(OUT);
  const fleet = benchFleet(1000, 'running').map((instance, i) => ({
    ...instance,
    initial: i % 3 === 0 ? ('stopped' as const) : ('running' as const),
  }));
  const broker = await startBroker();
  const ec2 = await startFakeEc2({ host: '127.0.0.1', port: 0, account: ACCOUNT });
  const truth = new Map(fleet.map((instance) => [instance.instanceId, instance.initial as InstanceState]));
  const seed = (): void => {
    for (const region of REGIONS) {
      ec2.setInstances(
        region,
        fleet
          .filter((instance) => instance.region === region)
          .map((instance) => ({
            instanceId: instance.instanceId,
            state: truth.get(instance.instanceId) as InstanceState,
            tags: instance.tags,
          })),
      );
    }
  };
  seed();
  const listings = (): number => ec2.calls[REGIONS[0] as string] ?? 0;
  const stateDir = await mkdtemp(join(tmpdir(), 'ec2led-bench-footprint-'));
  const config = {
    mqtt: { endpoint: broker.host, port: broker.port, clientId: 'ec2led-bench', tls: false },
    aws: { credentials: 'default', accounts: [ACCOUNT], regions: REGIONS, ec2Endpoint: ec2.url },
    stateDir,
    resyncMinutes: RESYNC_MINUTES,
    display: { board: 'none', virtualWidth: 32, virtualHeight: 32 },
    log: { level: 'warn' },
  };
  await writeFile(join(stateDir, 'config.json'), JSON.stringify(config));
  const unitEnv = await unitEnvironment();
  let agent: ChildProcess | undefined;
  let sampler: NodeJS.Timeout | undefined;
  try {
    agent = spawn(
      other?.node ?? process.execPath,
      [join(OUT, 'run.mjs'), 'agent', '--config', join(stateDir, 'config.json')],
      {
        stdio: ['ignore', 'ignore', 'inherit'],
        env: { ...process.env, ...unitEnv, AWS_ACCESS_KEY_ID: 'AKIDBENCH', AWS_SECRET_ACCESS_KEY: 'bench' },
      },
    );
    const pid = agent.pid as number;
    const board = () => fetchBoard(socketPath(stateDir));
    const showing = async (state: InstanceState, count: number) => {
      const view = await board();
      return view.synced && view.pixels.filter((p) => p.entry?.state === state).length >= count;
    };

    // Steady state: the first listing, a resync, then 10 s without a listing process.
    let listingPeak = 0;
    let agentDuringListing = 0;
    sampler = setInterval(() => {
      void Promise.all([rssMb(pid), childRss(pid)]).then(
        ([own, child]) => {
          if (child > 0 && own.rss + child > listingPeak) {
            listingPeak = own.rss + child;
            agentDuringListing = own.rss;
          }
        },
        () => undefined,
      );
    }, 50);
    await until('the agent to list 1,000 instances', () => showing('running', 666), 60_000, 200);
    const firstListingRss = (await rssMb(pid)).rss;
    await until('a resync', async () => listings() >= 2 && (await childrenOf(pid)).length === 0, 90_000, 200);
    clearInterval(sampler);
    await sleep(2000);
    const idle: number[] = [];
    const idleAnon: number[] = [];
    for (let i = 0; i < 10; i += 1) {
      if ((await childrenOf(pid)).length === 0) {
        const sample = await rssMb(pid);
        idle.push(sample.rss);
        idleAnon.push(sample.anon);
      }
      await sleep(1000);
    }
    const steady = median(idle);

    // Soak.
    const samples: { atS: number; rss: number }[] = [];
    const soakStart = performance.now();
    const elapsedS = () => (performance.now() - soakStart) / 1000;
    sampler = setInterval(() => {
      void rssMb(pid).then(
        ({ rss }) => samples.push({ atS: elapsedS(), rss }),
        () => undefined,
      );
    }, 1000);
    const relistsBefore = listings();
    let sent = 0;
    let serial = 0;
    let round = 0;
    while (sent < soakMessages && elapsedS() < soakSeconds) {
      const last = CYCLE[(round + ROUNDS_PER_CHECK - 1) % CYCLE.length] as InstanceState;
      // EC2's truth moves first: a relist in the middle of the rounds shows their end, never before it.
      for (const instance of fleet) truth.set(instance.instanceId, last);
      seed();
      for (let r = 0; r < ROUNDS_PER_CHECK; r += 1, round += 1) {
        const state = CYCLE[round % CYCLE.length] as InstanceState;
        await Promise.all(
          fleet.map((instance) => {
            serial += 1;
            const payload = encodeMessage({
              v: 1,
              id: instance.instanceId,
              state,
              time: Date.now(),
              region: instance.region,
              account: ACCOUNT,
              event: `00000000-0000-4000-8000-${serial.toString(16).padStart(12, '0')}`,
            });
            return broker.publisher.publish(instanceTopic('ec2led', instance), payload);
          }),
        );
        sent += fleet.length;
      }
      await until(`the board to show round ${round}`, () => showing(last, fleet.length), 60_000, 50);
    }
    const soakS = elapsedS();
    clearInterval(sampler);
    const relists = listings() - relistsBefore;
    await until('the last relist to end', async () => (await childrenOf(pid)).length === 0, 30_000, 100);
    await sleep(2000);
    const afterSoak = (await rssMb(pid)).rss;

    const window = (from: number, to: number) =>
      samples.filter((s) => s.atS >= from && s.atS < to).map((s) => s.rss);
    const baseline = median(window(30, 60));
    const end = median(window(soakS - 30, soakS + 1));
    const growth = ((end - baseline) / baseline) * 100;
    const rate = sent / soakS;

    agent.kill('SIGTERM');
    await once(agent, 'exit');
    return {
      id: other?.id ?? 'footprint',
      title:
        other?.title ??
        '(h) Footprint: the packed agent with 1,000 instances, steady and over a compressed day',
      metrics: [
        { name: 'RSS after the first listing', value: firstListingRss, unit: 'MB' },
        {
          name: 'steady-state RSS: median of 10 s idle after the first listing and a resync',
          note: `listing in a child process; environment of the systemd unit: ${Object.entries(unitEnv)
            .map(([key, value]) => `${key}=${value}`)
            .join(', ')}`,
          value: steady,
          unit: 'MB',
          target: `<= ${TARGET_RSS_MB}`,
          pass: steady <= TARGET_RSS_MB,
        },
        {
          name: 'steady-state RSS, anonymous part (RssAnon: heap, stacks, malloc)',
          note: 'the rest is clean file pages of node and its libraries, which the kernel can drop under pressure',
          value: median(idleAnon),
          unit: 'MB',
        },
        {
          name: 'agent + listing process during a listing, highest sampled (every 50 ms)',
          note: `agent ${agentDuringListing.toFixed(1)} MB of it`,
          value: listingPeak,
          unit: 'MB',
        },
        {
          name: `soak: messages sent and shown in ${soakS.toFixed(0)} s`,
          note: `${(sent / 36_000).toFixed(1)} h of 10 changes/s; BENCH_SOAK_SECONDS=${soakSeconds}`,
          value: sent,
          unit: '',
        },
        {
          name: 'soak: rate (the acceleration over 10/s is this / 10)',
          value: rate,
          unit: 'messages/s',
        },
        { name: `soak: relists during it (every ${RESYNC_MINUTES * 60} s)`, value: relists, unit: '' },
        { name: 'soak: RSS after a 30 s warm-up (median of 30-60 s)', value: baseline, unit: 'MB' },
        { name: 'soak: RSS at the end (median of the last 30 s)', value: end, unit: 'MB' },
        {
          name: 'soak: RSS growth after warm-up',
          value: growth,
          unit: '%',
          target: `<= ${TARGET_GROWTH_PERCENT}`,
          pass: growth <= TARGET_GROWTH_PERCENT,
        },
        { name: 'soak: highest RSS sampled', value: Math.max(...samples.map((s) => s.rss)), unit: 'MB' },
        { name: 'RSS idle after the soak', value: afterSoak, unit: 'MB' },
      ],
    };
  } finally {
    clearInterval(sampler);
    if (agent !== undefined && agent.exitCode === null) agent.kill('SIGKILL');
    await Promise.all([broker.close(), ec2.close()]);
    await rm(stateDir, { recursive: true, force: true });
  }
}
