/**
 * The real entry (bin/ec2led.js agent) in a child process, where it was found stuck or killed:
 * a FIFO as the state directory's fleet.json and slots.json (the agent stopped before its first log
 * line and then ignored SIGTERM), and a SIGTERM while Node still loads the agent's modules (it exited
 * 143, killed by the signal). Every child is killed by its PID after the test; every wait is bounded.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makeFifo } from '../../fakes/hostile-files.ts';
import { waitFor } from '../../fakes/wait.ts';
import { instance, startWorld, type World } from '../../fakes/world.ts';

const BIN = fileURLToPath(new URL('../../../bin/ec2led.js', import.meta.url));
let world: World;
let child: ChildProcess | undefined;

interface Run {
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function run(nodeArgs: string[], args: string[], env: Record<string, string> = {}): Run {
  const proc = spawn(process.execPath, [...nodeArgs, BIN, ...args], {
    env: { ...process.env, NODE_NO_WARNINGS: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child = proc;
  let out = '';
  let err = '';
  proc.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  proc.stderr?.on('data', (chunk: Buffer) => {
    err += chunk.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child: proc, stdout: () => out, stderr: () => err, exited };
}

/** The first exit, or a rejection naming `what` after `ms`. */
async function exitWithin(agent: Run, ms: number, what: string) {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no exit within ${ms} ms`)), ms);
  });
  return Promise.race([agent.exited, late]).finally(() => clearTimeout(timer));
}

beforeAll(async () => {
  world = await startWorld([instance(1, 'running', 'web')]);
});

afterEach(() => {
  if (child !== undefined && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  child = undefined;
});

afterAll(async () => {
  await world?.close();
});

describe('ec2led agent with a FIFO for each state file', () => {
  it('starts with a warning naming each file and the fix, and exits 0 on SIGTERM', async () => {
    const fleet = join(world.stateDir, 'fleet.json');
    const slots = join(world.stateDir, 'slots.json');
    makeFifo(fleet);
    makeFifo(slots);
    try {
      const agent = run([], ['agent', '--config', world.configPath]);
      await waitFor('agent started', () => agent.stderr().includes('"msg":"agent started"'), 20_000).catch(
        (error: Error) => {
          throw new Error(`${error.message}; stdout: ${agent.stdout()}; stderr: ${agent.stderr()}`);
        },
      );
      const lines = agent
        .stderr()
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { level: string; msg: string; context?: { reason?: string } });
      const warning = (msg: string) => lines.find((line) => line.msg === msg);
      expect(warning('slots not restored')).toMatchObject({
        level: 'warn',
        context: {
          reason: `${slots} is a FIFO (named pipe), not a regular file, so it was not read; remove it (rm "${slots}") and the agent writes a new one; starting with no slots`,
        },
      });
      expect(warning('fleet not restored')?.context?.reason).toMatch(
        /fleet\.json is a FIFO \(named pipe\), not a regular file/,
      );
      agent.child.kill('SIGTERM');
      expect(await exitWithin(agent, 3_000, 'SIGTERM')).toEqual({ code: 0, signal: null });
    } finally {
      rmSync(fleet, { force: true });
      rmSync(slots, { force: true });
    }
  }, 30_000);
});

describe('a SIGTERM while Node still loads the agent', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ec2led-entry-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('exits 0, not 143: the entry listens from its first statement', async () => {
    // A module hook holds the import of device/main.ts (up to 10 s) and says so with a marker file:
    // the signal then arrives, deterministically, after the entry's first line and before any agent code.
    const marker = join(dir, 'holding');
    const hooks = join(dir, 'hooks.mjs');
    writeFileSync(
      hooks,
      `import { writeFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  if (specifier.includes('/device/main.ts')) {
    writeFileSync(${JSON.stringify(marker)}, 'holding');
    await new Promise((resolve) => setTimeout(resolve, 10_000));
  }
  return next(specifier, context);
}
`,
    );
    const preload = join(dir, 'preload.mjs');
    writeFileSync(
      preload,
      `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`,
    );
    const agent = run(['--import', pathToFileURL(preload).href], ['agent', '--config', world.configPath]);
    await waitFor('the import of device/main.ts held', () => existsSync(marker), 20_000);
    agent.child.kill('SIGTERM');
    expect(await exitWithin(agent, 3_000, 'an early SIGTERM')).toEqual({ code: 0, signal: null });
    expect(agent.stdout() + agent.stderr()).toBe(''); // no agent code ran: no log line, no usage
  }, 30_000);
});
