/**
 * The real entry (bin/ec2led.js agent) in a child process, where it was found stuck or killed:
 * a FIFO as the state directory's fleet.json and slots.json (the agent stopped before its first log
 * line and then ignored SIGTERM), a FIFO as the config file (the same, before any log line), and a
 * SIGTERM while Node still loads the agent's modules (it exited
 * 143, killed by the signal). Every child is killed by its PID after the test; every wait is bounded.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makeFifo } from '../../../fakes/hostile-files.ts';
import { waitFor } from '../../../fakes/wait.ts';
import { instance, startWorld, type World } from '../../../fakes/world.ts';

const REPO = fileURLToPath(new URL('../../../../', import.meta.url));
const BIN = join(REPO, 'bin/ec2led.js');
let world: World;
let child: ChildProcess | undefined;

interface Run {
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function run(nodeArgs: string[], args: string[], env: Record<string, string> = {}, bin = BIN): Run {
  const proc = spawn(process.execPath, [...nodeArgs, bin, ...args], {
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

describe('ec2led agent with a FIFO as its config file', () => {
  it('refuses it at once with the fix (exit 2) instead of waiting for a writer', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ec2led-config-'));
    try {
      const config = join(dir, 'config.json');
      makeFifo(config);
      const agent = run([], ['agent', '--config', config]);
      expect(await exitWithin(agent, 10_000, 'a FIFO config')).toEqual({ code: 2, signal: null });
      expect(agent.stderr()).toContain(
        `config file ${config} is a FIFO (named pipe), not a regular file, so it was not read: point --config at the JSON file`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
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
    // The entry, byte for byte, in a tree of its own whose device/main.ts says it is loading (a marker
    // file) and then waits 10 s at its top level: the signal then arrives, deterministically, after the
    // entry's first statement and before any agent code. The wait is a timer, so the event loop runs
    // and a handler can answer; a module hook that holds the import instead would freeze the event loop
    // on Node 24, which runs module hooks synchronously for the main thread.
    const marker = join(dir, 'holding');
    const tree = join(dir, 'tree');
    mkdirSync(join(tree, 'bin'), { recursive: true });
    mkdirSync(join(tree, 'device'));
    copyFileSync(BIN, join(tree, 'bin/ec2led.js'));
    copyFileSync(join(REPO, 'package.json'), join(tree, 'package.json'));
    symlinkSync(join(REPO, 'node_modules'), join(tree, 'node_modules'));
    writeFileSync(
      join(tree, 'device/main.ts'),
      `import { writeFileSync } from 'node:fs';
writeFileSync(${JSON.stringify(marker)}, 'holding');
await new Promise((resolve) => setTimeout(resolve, 10_000));
export async function main(): Promise<number> {
  return 0;
}
`,
    );
    const agent = run([], ['agent', '--config', world.configPath], {}, join(tree, 'bin/ec2led.js'));
    await waitFor('device/main.ts loading', () => existsSync(marker), 20_000);
    agent.child.kill('SIGTERM');
    expect(await exitWithin(agent, 3_000, 'an early SIGTERM')).toEqual({ code: 0, signal: null });
    expect(agent.stdout() + agent.stderr()).toBe(''); // no agent code ran: no log line, no usage
  }, 30_000);
});
