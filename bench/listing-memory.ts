/**
 * (i) Memory comes back: the packed agent (own process, the systemd unit's environment, listings in
 * their own process as on a Pi) against the fake EC2, through listings of different sizes, one after
 * the other at its resync (every minute, the shortest the config allows):
 *
 * 1. 1,000 instances (the usual board): the steady level, median of 10 s idle after the second listing;
 * 2. a hostile page, one tag value of 50 MB (what took an agent from 78 to 390 MB): refused in the
 *    listing process at the page limit (sources/ec2-page.ts), the listing fails;
 * 3. 30,000 instances (the largest listing here), twice: the agent's RSS after it, and after the second
 *    against the first (the agent now holds 30,000: its own steady level);
 * 4. back to 1,000.
 * Every 100 ms the agent's RSS and its listing process's are sampled: the agent's own peak while a
 * listing runs shows what the listing process keeps out of it. After each listing, the median of
 * 10 s idle (no listing process) is the level it came back to.
 *
 * (j) Soak, with the web board and /metrics on: an hour of 100 changes a second (360,000 messages)
 * compressed into BENCH_HOUR_SECONDS (default 360: 1,000 a second), over 1,000 instances, one
 * browser-like Server-Sent Events client on /api/events all along, /metrics scraped every 15 s of the
 * represented hour and /api/board polled as often. RSS once a second; growth = median of the last
 * 30 s over the median of the 30 s after a 30 s warm-up, and the slope of a least-squares line over
 * everything after the warm-up (MB per represented hour).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startBroker } from '../device/demo/broker.ts';
import { type FakeInstance, startFakeEc2 } from '../device/demo/fake-ec2.ts';
import { fetchBoard, socketPath } from '../device/outputs/web/status-socket.ts';
import type { InstanceState } from '../shared/instance-state.ts';
import { encodeMessage } from '../shared/message.ts';
import { instanceTopic } from '../shared/topics.ts';
import { buildPackedAgent, childRss, childrenOf, rssMb, unitEnvironment } from './agent-resources.ts';
import { ACCOUNT } from './latency.ts';
import { type Metric, median, type Section, sleep, until } from './report.ts';

const OUT = fileURLToPath(new URL('../node_modules/.cache/ec2led-bench/listing/', import.meta.url));
const REGIONS = ['us-east-1', 'eu-west-1'];
const SMALL = 1000;
const LARGE = Number(process.env.BENCH_LISTING_INSTANCES ?? 30_000);
const HOSTILE_TAG_BYTES = 50_000_000;
/** RSS after a listing must return to within this much of its steady level. */
const RETURN_PERCENT = 10;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** `count` instances over REGIONS with the tags a real fleet carries (a page of 1,000 is ~1 MB here). */
function fleetOf(count: number): Map<string, FakeInstance[]> {
  const byRegion = new Map<string, FakeInstance[]>(REGIONS.map((region) => [region, []]));
  for (let i = 0; i < count; i += 1) {
    const name = `bench-${String(i).padStart(5, '0')}`;
    byRegion.get(REGIONS[i % REGIONS.length] as string)?.push({
      instanceId: `i-${(0xbe000 + i).toString(16).padStart(17, '0')}`,
      state: i % 3 === 0 ? 'stopped' : 'running',
      tags: {
        Name: name,
        env: i % 2 === 0 ? 'prod' : 'staging',
        team: ['platform', 'data', 'web', 'ml'][i % 4] as string,
        'cost-center': `cc-${1000 + (i % 37)}`,
        'aws:autoscaling:groupName': `asg-${name.slice(0, 9)}`,
      },
    });
  }
  return byRegion;
}

interface Run {
  readonly agent: ChildProcess;
  readonly pid: number;
  readonly stateDir: string;
  stop(): Promise<void>;
}

async function startPackedAgent(config: Record<string, unknown>, stateDir: string): Promise<Run> {
  await writeFile(join(stateDir, 'config.json'), JSON.stringify({ ...config, stateDir }));
  const unitEnv = await unitEnvironment();
  const agent = spawn(
    process.execPath,
    [join(OUT, 'run.mjs'), 'agent', '--config', join(stateDir, 'config.json')],
    {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, ...unitEnv, AWS_ACCESS_KEY_ID: 'AKIDBENCH', AWS_SECRET_ACCESS_KEY: 'bench' },
    },
  );
  return {
    agent,
    pid: agent.pid as number,
    stateDir,
    async stop() {
      if (agent.exitCode !== null || agent.signalCode !== null) return;
      agent.kill('SIGTERM');
      await Promise.race([once(agent, 'exit'), sleep(10_000)]);
      if (agent.exitCode === null && agent.signalCode === null) agent.kill('SIGKILL');
    },
  };
}

export async function benchListingMemory(): Promise<Section> {
  await buildPackedAgent(OUT);
  const broker = await startBroker();
  const ec2 = await startFakeEc2({ host: '127.0.0.1', port: 0, account: ACCOUNT });
  const seed = (byRegion: Map<string, FakeInstance[]>) => {
    for (const [region, instances] of byRegion) ec2.setInstances(region, instances);
  };
  const small = fleetOf(SMALL);
  seed(small);
  const stateDir = await mkdtemp(join(tmpdir(), 'ec2led-bench-listing-'));
  const unitEnv = await unitEnvironment();
  let run: Run | undefined;
  let sampler: NodeJS.Timeout | undefined;
  try {
    run = await startPackedAgent(
      {
        mqtt: { endpoint: broker.host, port: broker.port, clientId: 'ec2led-bench', tls: false },
        aws: { credentials: 'default', accounts: [ACCOUNT], regions: REGIONS, ec2Endpoint: ec2.url },
        resyncMinutes: 1,
        display: { board: 'none', virtualWidth: 32, virtualHeight: 32 },
        log: { level: 'error' },
      },
      stateDir,
    );
    const { pid } = run;
    const listings = () => ec2.calls[REGIONS[0] as string] ?? 0;
    // Per listing (by the count of listing processes seen), the agent's own peak and the child's.
    let listingIndex = 0;
    let inListing = false;
    const peaks: { agent: number; child: number }[] = [];
    sampler = setInterval(() => {
      void Promise.all([rssMb(pid), childRss(pid)]).then(
        ([own, child]) => {
          if (child > 0 && !inListing) {
            inListing = true;
            listingIndex += 1;
          } else if (child === 0) inListing = false;
          if (child > 0) {
            const peak = peaks[listingIndex] ?? { agent: 0, child: 0 };
            peaks[listingIndex] = peak;
            peak.agent = Math.max(peak.agent, own.rss);
            peak.child = Math.max(peak.child, child);
          }
        },
        () => undefined,
      );
    }, 100);
    /** Waits for the next listing to start and end, then the median agent RSS over 10 s idle. */
    const nextListing = async (
      what: string,
    ): Promise<{ idle: number; peak: { agent: number; child: number } }> => {
      const before = listingIndex;
      await until(`${what}: a listing process`, () => listingIndex > before, 120_000, 100);
      await until(
        `${what}: the listing to end`,
        async () => (await childrenOf(pid)).length === 0,
        120_000,
        100,
      );
      await sleep(2000);
      const idle: number[] = [];
      for (let i = 0; i < 10; i += 1) {
        if ((await childrenOf(pid)).length === 0) idle.push((await rssMb(pid)).rss);
        await sleep(1000);
      }
      return { idle: median(idle), peak: peaks[listingIndex] ?? { agent: 0, child: 0 } };
    };

    await until(
      'the agent to list 1,000 instances',
      async () => (await fetchBoard(socketPath(stateDir))).synced,
      60_000,
      200,
    );
    await until('the first listing to end', async () => (await childrenOf(pid)).length === 0, 60_000, 100);
    const steady = await nextListing('the first resync');

    // A hostile page: one tag value of 50 MB.
    const [region, instances] = [...small][0] as [string, FakeInstance[]];
    const hostileInstances = instances.map((instance, i) =>
      i === 0 ? { ...instance, tags: { ...instance.tags, note: 'x'.repeat(HOSTILE_TAG_BYTES) } } : instance,
    );
    ec2.setInstances(region, hostileInstances);
    const hostile = await nextListing('the hostile listing');
    seed(small);

    const large = fleetOf(LARGE);
    seed(large);
    const firstLarge = await nextListing(`the ${LARGE}-instance listing`);
    const secondLarge = await nextListing(`the second ${LARGE}-instance listing`);
    const largeLimit = firstLarge.idle * (1 + RETURN_PERCENT / 100);
    seed(small);
    const back = await nextListing('the listing back to 1,000');
    const relists = listings();
    clearInterval(sampler);

    const smallLimit = steady.idle * (1 + RETURN_PERCENT / 100);
    const metrics: Metric[] = [
      {
        name: `steady: agent RSS with ${SMALL} instances, median of 10 s idle after a resync`,
        note: `listing in a child process; ${Object.entries(unitEnv)
          .map(([key, value]) => `${key}=${value}`)
          .join(', ')}`,
        value: steady.idle,
        unit: 'MB',
      },
      {
        name: `listing of ${SMALL}: agent's own peak RSS while it ran`,
        note: `the listing process ${steady.peak.child.toFixed(1)} MB at its peak`,
        value: steady.peak.agent,
        unit: 'MB',
      },
      {
        name: 'hostile page (one 50 MB tag value): agent RSS after it, idle',
        note: `refused at the page limit, the listing failed; agent's own peak ${hostile.peak.agent.toFixed(1)} MB, listing process ${hostile.peak.child.toFixed(1)} MB`,
        value: hostile.idle,
        unit: 'MB',
        target: `<= ${smallLimit.toFixed(1)} (steady + ${RETURN_PERCENT} %)`,
        pass: hostile.idle <= smallLimit,
      },
      {
        name: `listing of ${LARGE}: the agent's RSS after it (holding them), idle`,
        note: `agent's own peak ${firstLarge.peak.agent.toFixed(1)} MB while it ran; listing process ${firstLarge.peak.child.toFixed(1)} MB`,
        value: firstLarge.idle,
        unit: 'MB',
      },
      {
        name: `listing of ${LARGE} again (the largest here): the agent's RSS after it, idle`,
        note: `agent's own peak ${secondLarge.peak.agent.toFixed(1)} MB while it ran; listing process ${secondLarge.peak.child.toFixed(1)} MB`,
        value: secondLarge.idle,
        unit: 'MB',
        target: `<= ${largeLimit.toFixed(1)} (after the first + ${RETURN_PERCENT} %)`,
        pass: secondLarge.idle <= largeLimit,
      },
      {
        name: `back to ${SMALL} instances: the agent's RSS after the listing, idle`,
        note: `against the steady ${steady.idle.toFixed(1)} MB`,
        value: back.idle,
        unit: 'MB',
        target: `<= ${smallLimit.toFixed(1)} (steady + ${RETURN_PERCENT} %)`,
        pass: back.idle <= smallLimit,
      },
      { name: 'listings made (one region counted)', value: relists, unit: '' },
    ];
    return {
      id: 'listing',
      title: '(i) Memory comes back: the packed agent through a hostile page and 30,000-instance listings',
      metrics,
    };
  } finally {
    clearInterval(sampler);
    await run?.stop();
    await Promise.all([broker.close(), ec2.close()]);
    await rm(stateDir, { recursive: true, force: true });
  }
}

/** Reads a Server-Sent Events stream until aborted, counting events; what a browser tab does. */
async function sseClient(url: string, signal: AbortSignal): Promise<{ events: number }> {
  const seen = { events: 0 };
  const response = await fetch(url, { signal, headers: { accept: 'text/event-stream' } });
  void (async () => {
    try {
      const decoder = new TextDecoder();
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        seen.events += decoder.decode(chunk, { stream: true }).split('\n\n').length - 1;
      }
    } catch {
      // aborted at the end
    }
  })();
  return seen;
}

function slopePerSecond(samples: readonly { atS: number; rss: number }[]): number {
  const n = samples.length;
  if (n < 2) return Number.NaN;
  const mx = samples.reduce((s, p) => s + p.atS, 0) / n;
  const my = samples.reduce((s, p) => s + p.rss, 0) / n;
  let num = 0;
  let den = 0;
  for (const p of samples) {
    num += (p.atS - mx) * (p.rss - my);
    den += (p.atS - mx) ** 2;
  }
  return num / den;
}

const CYCLE: readonly InstanceState[] = ['stopping', 'stopped', 'pending', 'running'];

export async function benchSoak(): Promise<Section> {
  const hourSeconds = Number(process.env.BENCH_HOUR_SECONDS ?? 360);
  const perSecond = 100;
  const total = perSecond * 3600;
  const rate = total / hourSeconds;
  const scrapeEveryMs = (15 * 1000 * hourSeconds) / 3600;
  await buildPackedAgent(OUT);
  const broker = await startBroker();
  const ec2 = await startFakeEc2({ host: '127.0.0.1', port: 0, account: ACCOUNT });
  const small = fleetOf(SMALL);
  for (const [region, instances] of small) ec2.setInstances(region, instances);
  const fleet = [...small].flatMap(([region, instances]) => instances.map((i) => ({ ...i, region })));
  const stateDir = await mkdtemp(join(tmpdir(), 'ec2led-bench-soak-'));
  const port = await freePort();
  const web = `http://127.0.0.1:${port}`;
  const stop = new AbortController();
  let run: Run | undefined;
  let sampler: NodeJS.Timeout | undefined;
  let scraper: NodeJS.Timeout | undefined;
  try {
    run = await startPackedAgent(
      {
        mqtt: { endpoint: broker.host, port: broker.port, clientId: 'ec2led-bench', tls: false },
        aws: { credentials: 'default', accounts: [ACCOUNT], regions: REGIONS, ec2Endpoint: ec2.url },
        resyncMinutes: 15,
        display: { board: 'none', virtualWidth: 32, virtualHeight: 32 },
        web: { enabled: true, host: '127.0.0.1', port, metrics: true },
        log: { level: 'error' },
      },
      stateDir,
    );
    const { pid } = run;
    await until(
      'the agent to list 1,000 instances',
      async () => (await fetchBoard(socketPath(stateDir))).synced,
      60_000,
      200,
    );
    await until('the web board', async () => (await fetch(`${web}/metrics`)).ok, 10_000, 100);
    const sse = await sseClient(`${web}/api/events`, stop.signal);
    let scrapes = 0;
    scraper = setInterval(() => {
      void Promise.all([
        fetch(`${web}/metrics`).then((r) => r.text()),
        fetch(`${web}/api/board`).then((r) => r.text()),
      ]).then(
        () => {
          scrapes += 1;
        },
        () => undefined,
      );
    }, scrapeEveryMs);

    const samples: { atS: number; rss: number }[] = [];
    const start = performance.now();
    const elapsedS = () => (performance.now() - start) / 1000;
    sampler = setInterval(() => {
      void rssMb(pid).then(
        ({ rss }) => samples.push({ atS: elapsedS(), rss }),
        () => undefined,
      );
    }, 1000);
    let sent = 0;
    let serial = 0;
    // Paced in 100 ms ticks: rate/10 messages a tick, one change of the next instance each.
    while (sent < total) {
      const tickStart = performance.now();
      const batch = Math.min(Math.round(rate / 10), total - sent);
      await Promise.all(
        Array.from({ length: batch }, () => {
          const instance = fleet[serial % fleet.length] as (typeof fleet)[number];
          const state = CYCLE[Math.floor(serial / fleet.length) % CYCLE.length] as InstanceState;
          serial += 1;
          return broker.publisher.publish(
            instanceTopic('ec2led', {
              account: ACCOUNT,
              region: instance.region,
              instanceId: instance.instanceId,
            }),
            encodeMessage({
              v: 1,
              id: instance.instanceId,
              state,
              time: Date.now(),
              region: instance.region,
              account: ACCOUNT,
              event: `00000000-0000-4000-8000-${serial.toString(16).padStart(12, '0')}`,
            }),
          );
        }),
      );
      sent += batch;
      const spent = performance.now() - tickStart;
      if (spent < 100) await sleep(100 - spent);
    }
    const soakS = elapsedS();
    clearInterval(sampler);
    clearInterval(scraper);
    await sleep(3000);
    const after = (await rssMb(pid)).rss;
    stop.abort();

    const window = (from: number, to: number) =>
      samples.filter((s) => s.atS >= from && s.atS < to).map((s) => s.rss);
    const baseline = median(window(30, 60));
    const end = median(window(soakS - 30, soakS + 1));
    const growth = ((end - baseline) / baseline) * 100;
    const slope = slopePerSecond(samples.filter((s) => s.atS >= 30));
    const perHour = slope * soakS; // MB over the represented hour
    return {
      id: 'soak',
      title: '(j) Soak with the web board and /metrics on: an hour of 100 changes a second, compressed',
      metrics: [
        {
          name: `messages sent in ${soakS.toFixed(0)} s`,
          note: `${(rate).toFixed(0)}/s: one hour of 100/s; BENCH_HOUR_SECONDS=${hourSeconds}`,
          value: sent,
          unit: '',
        },
        { name: '/metrics and /api/board scrapes (every 15 s of the hour)', value: scrapes, unit: '' },
        { name: 'Server-Sent Events received by one client', value: sse.events, unit: '' },
        { name: 'RSS after a 30 s warm-up (median of 30-60 s)', value: baseline, unit: 'MB' },
        { name: 'RSS at the end (median of the last 30 s)', value: end, unit: 'MB' },
        {
          name: 'RSS growth after warm-up',
          value: growth,
          unit: '%',
          target: '<= 5',
          pass: growth <= 5,
        },
        {
          name: 'RSS trend after warm-up (least squares), over the represented hour',
          value: perHour,
          unit: 'MB',
          target: '<= 2',
          pass: perHour <= 2,
        },
        { name: 'highest RSS sampled', value: Math.max(...samples.map((s) => s.rss)), unit: 'MB' },
        { name: 'RSS 3 s after the last message', value: after, unit: 'MB' },
      ],
    };
  } finally {
    clearInterval(sampler);
    clearInterval(scraper);
    stop.abort();
    await run?.stop();
    await Promise.all([broker.close(), ec2.close()]);
    await rm(stateDir, { recursive: true, force: true });
  }
}
