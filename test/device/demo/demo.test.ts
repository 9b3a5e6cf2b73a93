/** `npm start` end to end: the demo process, its terminal board, its web board, and Ctrl-C. */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { boardSide, parseDemoArgs } from '../../../device/demo/main.ts';
import type { BoardView } from '../../../device/display/board-view.ts';
import { waitFor, waitForAsync } from '../../fakes/wait.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const children: ChildProcess[] = [];

function startDemo(args: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'device/demo/main.ts', ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, FORCE_COLOR: '0' },
  });
  children.push(child);
  const out = { stdout: '', stderr: '' };
  child.stdout?.on('data', (chunk: Buffer) => (out.stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (out.stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, out, exited };
}

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

describe('npm start', () => {
  it('shows the simulated fleet live on the terminal and the web board, and exits 0 on Ctrl-C', async () => {
    const demo = startDemo(['--port', '0', '--speed', '20000']);
    const url = await waitFor(
      'the web board address',
      () => /web board at (http:\S+\/),/.exec(demo.out.stderr)?.[1],
      20_000,
    );

    const first = await waitForAsync(
      'the synced board',
      async () => {
        const view = (await (await fetch(`${url}api/board`)).json()) as BoardView;
        return view.synced ? view : undefined;
      },
      15_000,
    );
    expect([first.width, first.height]).toEqual([8, 8]);
    expect(first.pixels.filter((p) => p.instance !== null).length).toBeGreaterThanOrEqual(40);
    const signature = (view: BoardView) => view.pixels.map((p) => p.instance?.state ?? '-').join();
    // At 20,000x a simulated day passes in about four seconds: the states must move.
    await waitForAsync(
      'a state change on the web board',
      async () =>
        signature((await (await fetch(`${url}api/board`)).json()) as BoardView) !== signature(first),
      15_000,
    );

    expect(demo.out.stdout).toMatch(/ec2-led · connected · synced/);
    expect(demo.out.stdout).toMatch(/i-0[0-9a-f]{16} +dev-alice-1/);
    // stdout is a pipe here: plain status and legend text on change, no screen control or colour
    expect(demo.out.stdout).not.toContain(String.fromCharCode(27));

    demo.child.kill('SIGINT');
    expect(await demo.exited).toBe(0);
    expect(demo.out.stderr).toMatch(/ec2-led demo stopped/);
  }, 60_000);
});

describe('npm start -- --accounts 2', () => {
  it("shows both accounts' instances under their labels in the web board's legend", async () => {
    const demo = startDemo(['--port', '0', '--speed', '720', '--board', 'none', '--accounts', '2']);
    const url = await waitFor(
      'the web board address',
      () => /web board at (http:\S+\/),/.exec(demo.out.stderr)?.[1],
      20_000,
    );
    const view = await waitForAsync(
      'a synced board with both accounts',
      async () => {
        const board = (await (await fetch(`${url}api/board`)).json()) as BoardView;
        const labels = new Set(board.pixels.map((p) => p.instance?.accountLabel).filter(Boolean));
        return board.synced && labels.size === 2 ? board : undefined;
      },
      15_000,
    );
    expect(view.accounts).toEqual([
      { id: '123456789012', label: 'prod' },
      { id: '210987654321', label: 'staging' },
    ]);
    demo.child.kill('SIGINT');
    expect(await demo.exited).toBe(0);
  }, 60_000);
});

describe('demo flags', () => {
  it('parses speed, size, seed, port and board', () => {
    expect(
      parseDemoArgs(['--speed', '100', '--size', '60', '--seed', '7', '--port', '0', '--board', 'none']),
    ).toEqual({
      speed: 100,
      size: 60,
      seed: 7,
      port: 0,
      board: 'none',
      accounts: 1,
    });
    expect(parseDemoArgs(['--accounts', '2'])).toMatchObject({ accounts: 2 });
  });

  it.each([
    [['--speed', '0'], /--speed "0" is not a number from 1/],
    [['--size', 'many'], /--size "many"/],
    [['--board', 'unicornhathd'], /terminal or none/],
    [['--accounts', '9'], /--accounts "9" is not a number from 1 to 4/],
  ])('rejects %j naming the flag', (args, message) => {
    expect(() => parseDemoArgs(args)).toThrow(message);
  });

  it('sizes the board to fit the fleet and its scale-out', () => {
    expect(boardSide(40)).toBe(8);
    expect(boardSide(200)).toBe(16);
  });
});
