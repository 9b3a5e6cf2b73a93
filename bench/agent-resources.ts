/**
 * (d) The agent as it runs on a Pi: the packed bundle (dist/cli.mjs and chunks, plain JavaScript)
 * in its own process, `ec2led agent` with 1,000 instances from the fake EC2 and the embedded broker.
 * RSS after the first listing; CPU over BENCH_CPU_SECONDS (default 60) with a static board, then
 * with pulsing pixels; and how long SIGTERM takes to blank the board and exit.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { startBroker } from '../device/demo/broker.ts';
import { startFakeEc2 } from '../device/demo/fake-ec2.ts';
import { seedFakeEc2 } from '../device/demo/pipeline.ts';
import { toEventBridgeEvent } from '../device/demo/simulator.ts';
import { fetchBoard, socketPath } from '../device/outputs/web/status-socket.ts';
import { createHandler } from '../lambda/handler.ts';
import { deviceBuildOptions } from '../scripts/device-bundle.ts';
import { ACCOUNT, benchFleet, nextEventId } from './latency.ts';
import { type Section, until } from './report.ts';

const OUT = fileURLToPath(new URL('../node_modules/.cache/ec2led-bench/agent/', import.meta.url));
const REGIONS = ['us-east-1', 'eu-west-1'];
const CLOCK_TICKS = 100; // USER_HZ on Linux
const UNIT = fileURLToPath(new URL('../device/systemd/ec2led.service', import.meta.url));

/** The service's Environment= lines: the agent is measured as the unit runs it. */
export async function unitEnvironment(): Promise<Record<string, string>> {
  const unit = await readFile(UNIT, 'utf8');
  const env: Record<string, string> = {};
  for (const match of unit.matchAll(/^Environment=([A-Z_][A-Z0-9_]*)=(.*)$/gm)) {
    env[match[1] as string] = match[2] as string;
  }
  return env;
}

async function cpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS; // utime + stime
}

export async function rssMb(pid: number): Promise<{ rss: number; peak: number; anon: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? Number.NaN);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024, anon: kb('RssAnon') / 1024 };
}

/** The child processes of `pid` (the agent's listing process while one runs). */
export async function childrenOf(pid: number): Promise<number[]> {
  const text = await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8').catch(() => '');
  return text.trim() === '' ? [] : text.trim().split(/\s+/).map(Number);
}

/** The summed RSS of `pid`'s children, in MB (0 when it has none). */
export async function childRss(pid: number): Promise<number> {
  let sum = 0;
  for (const child of await childrenOf(pid)) sum += (await rssMb(child).catch(() => ({ rss: 0 }))).rss || 0;
  return sum;
}

async function cpuPercent(pid: number, seconds: number): Promise<number> {
  const before = await cpuSeconds(pid);
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  return (((await cpuSeconds(pid)) - before) / seconds) * 100;
}

/**
 * The packed agent into `out` (inside node_modules, so its external packages resolve), with the web
 * board's page, and `${out}/run.mjs`.
 */
export async function buildPackedAgent(out: string): Promise<void> {
  await rm(out, { recursive: true, force: true });
  await build({ ...deviceBuildOptions(out), sourcemap: false });
  // The web board's page, where scripts/build.ts puts it beside the bundle (device/outputs/web/server.ts).
  await cp(fileURLToPath(new URL('../device/outputs/web/public', import.meta.url)), join(out, 'public'), {
    recursive: true,
  });
  await writeFile(
    join(out, 'run.mjs'),
    "import { main } from './cli.mjs';\nprocess.exitCode = await main(process.argv.slice(2));\n",
  );
}

export async function benchAgentResources(): Promise<Section> {
  const seconds = Number(process.env.BENCH_CPU_SECONDS ?? 60);
  await buildPackedAgent(OUT);

  const fleet = benchFleet(1000, 'running').map((instance, i) => ({
    ...instance,
    initial: i % 3 === 0 ? ('stopped' as const) : ('running' as const),
  }));
  const broker = await startBroker();
  const ec2 = await startFakeEc2({ host: '127.0.0.1', port: 0 });
  seedFakeEc2(ec2, fleet, REGIONS);
  const stateDir = await mkdtemp(join(tmpdir(), 'ec2led-bench-agent-'));
  const config = {
    mqtt: { endpoint: broker.host, port: broker.port, clientId: 'ec2led-bench', tls: false },
    aws: { credentials: 'default', accounts: [ACCOUNT], regions: REGIONS, ec2Endpoint: ec2.url },
    stateDir,
    display: { board: 'none', virtualWidth: 32, virtualHeight: 32 },
    log: { level: 'warn' },
  };
  await writeFile(join(stateDir, 'config.json'), JSON.stringify(config));
  let agent: ChildProcess | undefined;
  const unitEnv = await unitEnvironment();
  try {
    agent = spawn(
      process.execPath,
      [join(OUT, 'run.mjs'), 'agent', '--config', join(stateDir, 'config.json')],
      {
        stdio: ['ignore', 'ignore', 'inherit'],
        env: { ...process.env, ...unitEnv, AWS_ACCESS_KEY_ID: 'AKIDBENCH', AWS_SECRET_ACCESS_KEY: 'bench' },
      },
    );
    const pid = agent.pid as number;
    const shown = async (state: string, count: number) => {
      const view = await fetchBoard(socketPath(stateDir));
      return view.synced && view.pixels.filter((p) => p.entry?.state === state).length >= count;
    };
    await until('the agent to list 1,000 instances', () => shown('running', 666), 30_000, 200);
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const memory = await rssMb(pid);
    const staticCpu = await cpuPercent(pid, seconds);

    const handler = createHandler({
      publisher: () => broker.publisher,
      topicPrefix: 'ec2led',
      log: () => {},
    });
    const pulsing = fleet.slice(0, 20);
    for (const instance of pulsing) {
      await handler(
        toEventBridgeEvent(
          {
            timeMs: Math.floor(Date.now() / 1000) * 1000 + 1000,
            instanceId: instance.instanceId,
            state: 'pending',
          },
          instance,
          nextEventId(),
        ),
      );
    }
    await until('20 pulsing pixels', () => shown('pending', 20), 10_000, 200);
    const pulsingCpu = await cpuPercent(pid, seconds);
    const after = await rssMb(pid);

    const stopAt = performance.now();
    agent.kill('SIGTERM');
    const [code] = (await once(agent, 'exit')) as [number | null];
    const stopMs = performance.now() - stopAt;
    return {
      id: 'agent',
      title: '(d) The packed agent with 1,000 instances (own process, board `none`)',
      metrics: [
        {
          name: 'RSS after the first listing',
          note: `environment of the systemd unit: ${Object.entries(unitEnv)
            .map(([key, value]) => `${key}=${value}`)
            .join(', ')}`,
          value: memory.rss,
          unit: 'MB',
          target: '<= 100',
          pass: memory.rss <= 100,
        },
        { name: 'peak RSS (VmHWM) by then', value: memory.peak, unit: 'MB' },
        {
          name: `CPU, static board, over ${seconds} s`,
          value: staticCpu,
          unit: '% of a core',
          target: '<= 0.5',
          pass: staticCpu <= 0.5,
        },
        { name: `CPU, 20 pulsing pixels, over ${seconds} s`, value: pulsingCpu, unit: '% of a core' },
        { name: 'RSS after pulsing', value: after.rss, unit: 'MB' },
        {
          name: `SIGTERM to exit (exit code ${code})`,
          value: stopMs,
          unit: 'ms',
          target: '<= 2000',
          pass: stopMs <= 2000 && code === 0,
        },
      ],
    };
  } finally {
    if (agent !== undefined && agent.exitCode === null) agent.kill('SIGKILL');
    await Promise.all([broker.close(), ec2.close()]);
    await rm(stateDir, { recursive: true, force: true });
  }
}
