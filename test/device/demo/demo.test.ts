/** `npm start` end to end: the demo process, its terminal board, its web board, and Ctrl-C. */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync, rmdirSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { displayWidth } from '../../../device/base/sanitize.ts';
import {
  alarmRows,
  boardSide,
  DEMO_DIR,
  demoCaption,
  parseDemoArgs,
  simulatedAge,
  startFailure,
  startOffsetMs,
} from '../../../device/demo/main.ts';
import { createSimulation, DEFAULT_SIM_OPTIONS, type SimDay } from '../../../device/demo/simulator.ts';
import type { Legend } from '../../../device/picture/legend.ts';
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

/** The demo's files in DEMO_DIR: its log, and any state folder left behind. */
function demoFiles(): string[] {
  return existsSync(DEMO_DIR) ? readdirSync(DEMO_DIR) : [];
}

afterEach(async () => {
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    }
    // The demo keeps its log for the user; a test removes it (and the folder once it is empty).
    rmSync(`${DEMO_DIR}demo-${child.pid}.log`, { force: true });
  }
  if (existsSync(DEMO_DIR) && readdirSync(DEMO_DIR).length === 0) rmdirSync(DEMO_DIR);
});

function holdPort(): Promise<Server & { port: number }> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (typeof address !== 'object' || address === null) return reject(new Error('no address'));
      resolve(Object.assign(server, { port: address.port }));
    });
  });
}

describe('npm start', () => {
  it('shows the simulated fleet live on the terminal and the web board, and exits 0 on Ctrl-C', async () => {
    // stdout is a pipe here, so the frames are asked for: piped, the demo writes plain lines.
    const demo = startDemo(['--port', '0', '--speed', '20000', '--board', 'terminal']);
    const url = await waitFor(
      'the web board address',
      () => /web board at (http:\S+\/),/.exec(demo.out.stderr)?.[1],
      20_000,
    );

    const first = await waitForAsync(
      'the synced board',
      async () => {
        const view = (await (await fetch(`${url}api/board`)).json()) as Legend;
        return view.synced ? view : undefined;
      },
      15_000,
    );
    expect([first.width, first.height]).toEqual([8, 8]);
    expect(first.pixels.filter((p) => p.entry !== null).length).toBeGreaterThanOrEqual(40);
    const signature = (view: Legend) => view.pixels.map((p) => p.entry?.state ?? '-').join();
    // At 20,000x a simulated day passes in about four seconds: the states must move.
    await waitForAsync(
      'a state change on the web board',
      async () => signature((await (await fetch(`${url}api/board`)).json()) as Legend) !== signature(first),
      15_000,
    );

    expect(demo.out.stdout).toMatch(/ec2-led · connected · synced/);
    expect(demo.out.stdout).toMatch(/i-0[0-9a-f]{16} +dev-alice-1/);
    // stdout is a pipe here: plain status and legend text on change, no screen control or colour
    expect(demo.out.stdout).not.toContain(String.fromCharCode(27));

    demo.child.kill('SIGINT');
    expect(await demo.exited).toBe(0);
    expect(demo.out.stderr).toMatch(/ec2-led demo stopped; logs in \.ec2led-demo\/demo-\d+\.log/);
    expect(demoFiles().filter((name) => name.startsWith('ec2led-demo-'))).toEqual([]);
  }, 60_000);

  it('piped, writes one plain line per change instead of full-screen ANSI frames', async () => {
    const demo = startDemo(['--port', '0', '--speed', '20000']);
    // The synced line first (the listing may finish after the first changes on a busy machine).
    await waitFor(
      'the synced line and a state change line',
      () =>
        / synced with /.test(demo.out.stdout) &&
        / -> (pending|running|stopping|stopped)\n/.test(demo.out.stdout) &&
        / dev-alice-1 /.test(demo.out.stdout),
      30_000,
    );
    demo.child.kill('SIGINT');
    expect(await demo.exited).toBe(0);

    expect(demo.out.stdout).not.toContain(String.fromCharCode(27));
    const lines = demo.out.stdout.trimEnd().split('\n');
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^day 1 \d\d:\d\d ec2-led · connected · synced with \d+ instances, 4 alarms, 2 deploys$/,
      ),
    );
    expect(lines).toContainEqual(
      // Named once described: by the listing, or (a listing slower than the first messages, on a busy
      // machine) at its next change; which state depends on how much of the simulated day passed.
      expect.stringMatching(
        /^day 1 \d\d:\d\d i-0[0-9a-f]{16} dev-alice-1 (pending|running|stopping|stopped)( -> \w+)?$/,
      ),
    );
    for (const line of lines) expect(displayWidth(line)).toBeLessThanOrEqual(80);
  }, 60_000);

  it('with its port taken, names --port in one line, exits 1 and leaves no state folder or log', async () => {
    const held = await holdPort();
    try {
      const demo = startDemo(['--port', String(held.port), '--board', 'terminal']);
      expect(await demo.exited).toBe(1);
      expect(demo.out.stdout).toBe(''); // no frame before the error
      expect(demo.out.stderr).toBe(
        `npm start: port ${held.port} on 127.0.0.1 is in use; choose another with --port 9090, or --port 0 for any free port\n`,
      );
      expect(demo.out.stderr).not.toMatch(/web\.port|\n\s+at /);
      expect(
        demoFiles().filter((name) => name.startsWith('ec2led-demo-') || name.includes(`${demo.child.pid}`)),
      ).toEqual([]);
    } finally {
      await new Promise((resolve) => held.close(resolve));
    }
  }, 30_000);
});

describe('demo messages', () => {
  it('keeps its caption within 80 columns for the widest clock and URL', () => {
    const caption = demoCaption('day 999 23:59', 'http://127.0.0.1:65535/');
    expect(caption).toBe('demo · simulated day 999 23:59 · http://127.0.0.1:65535/ · Ctrl-C quits');
    expect(displayWidth(caption)).toBeLessThanOrEqual(80);
    const legendLine = 'legend: EC2LED_STATE_DIR=.ec2led-demo/ec2led-demo-AbC123 npx ec2led status';
    expect(displayWidth(legendLine)).toBeLessThanOrEqual(80);
  });

  it('turns a port error anywhere in the cause chain into one line about --port', () => {
    const cause = Object.assign(new Error('listen EACCES: permission denied 127.0.0.1:80'), {
      code: 'EACCES',
    });
    const error = new Error('web board could not listen on 127.0.0.1:80 (EACCES); set web.port', { cause });
    expect(startFailure(error, 80)).toBe(
      'npm start: port 80 on 127.0.0.1 is not open to this user; choose another with --port 9090, or --port 0 for any free port',
    );
    expect(startFailure(new Error('broker failed'), 8080)).toBe('npm start: broker failed');
  });
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
        const board = (await (await fetch(`${url}api/board`)).json()) as Legend;
        const labels = new Set(board.pixels.map((p) => p.entry?.accountLabel).filter(Boolean));
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

describe('npm start: alarms', () => {
  it('shows the demo alarms on the web board, from the bottom row up, and the HTTP check going ALARM', async () => {
    // At 2,000x a virtual hour takes 1.8 s: the check is in ALARM from 09:00 to 09:45 (1.35 s).
    const demo = startDemo(['--port', '0', '--speed', '2000', '--board', 'none']);
    const url = await waitFor(
      'the web board address',
      () => /web board at (http:\S+\/),/.exec(demo.out.stderr)?.[1],
      20_000,
    );
    const alarmsOf = (board: Legend) => board.pixels.filter((p) => p.entry?.kind === 'alarm');
    const synced = await waitForAsync(
      'a synced board with the four alarms',
      async () => {
        const board = (await (await fetch(`${url}api/board`)).json()) as Legend;
        return board.synced && alarmsOf(board).length === 4 ? board : undefined;
      },
      15_000,
    );
    expect(alarmsOf(synced).map((p) => p.y)).toEqual([7, 7, 7, 7]);
    expect(
      alarmsOf(synced)
        .map((p) => p.entry?.name)
        .sort(),
    ).toEqual(['api-latency-p99', 'check-www-example-com', 'db-cpu-high', 'web-5xx']);
    const check = await waitForAsync(
      'the HTTP check in ALARM on the web board',
      async () => {
        const board = (await (await fetch(`${url}api/board`)).json()) as Legend;
        const pixel = alarmsOf(board).find((p) => p.entry?.name === 'check-www-example-com');
        return pixel?.entry?.state === 'ALARM' ? pixel : undefined;
      },
      15_000,
    );
    expect(check.color).toBe('#ff0080');
    expect(check.entry?.id).toBe('arn:aws:cloudwatch:us-east-1:123456789012:alarm:check-www-example-com');
    demo.child.kill('SIGINT');
    expect(await demo.exited).toBe(0);
  }, 60_000);
});

describe('npm start: instance notices', () => {
  it('shows the maintenance notice and the Spot warning on their instances on the web board', async () => {
    // At 2,000x the demo reaches 09:36 (maintenance) and 10:00 (Spot) within a few seconds of its start.
    const demo = startDemo(['--port', '0', '--speed', '2000', '--board', 'none']);
    const url = await waitFor(
      'the web board address',
      () => /web board at (http:\S+\/),/.exec(demo.out.stderr)?.[1],
      20_000,
    );
    const notices = await waitForAsync(
      'both notices on the web board',
      async () => {
        const board = (await (await fetch(`${url}api/board`)).json()) as Legend;
        const shown = board.pixels.flatMap((p) =>
          p.entry?.notice === undefined ? [] : [[p.entry.name.split('-')[0], p.entry.notice.code]],
        );
        return shown.length === 2 ? shown.sort() : undefined;
      },
      20_000,
    );
    expect(notices).toEqual([
      ['db', 'system-reboot'],
      ['worker', 'spot-interruption'],
    ]);
    demo.child.kill('SIGINT');
    expect(await demo.exited).toBe(0);
  }, 60_000);
});

describe('npm start: deploys', () => {
  it('shows the demo pipeline failing (flashing, urgent) and then fixed by its next run', async () => {
    // At 2,000x a virtual hour takes 1.8 s: shop-web fails at 08:15 and its next run succeeds at 09:00.
    const demo = startDemo(['--port', '0', '--speed', '2000', '--board', 'none']);
    try {
      const url = await waitFor(
        'the web board address',
        () => /web board at (http:\S+\/),/.exec(demo.out.stderr)?.[1],
        20_000,
      );
      const shopWeb = async () => {
        const board = (await (await fetch(`${url}api/board`)).json()) as Legend;
        return board.pixels.find((p) => p.entry?.kind === 'deploy' && p.entry.name === 'shop-web');
      };
      const failed = await waitForAsync(
        'shop-web failed on the web board',
        async () => {
          const pixel = await shopWeb();
          return pixel?.entry?.state === 'deploy-failed' ? pixel : undefined;
        },
        15_000,
      );
      expect(failed.color).toBe('#ff4000');
      expect(failed.entry?.id).toBe('arn:aws:codepipeline:eu-west-1:123456789012:shop-web');
      const fixed = await waitForAsync(
        'shop-web deployed again',
        async () => {
          const pixel = await shopWeb();
          return pixel?.entry?.state === 'deployed' ? pixel : undefined;
        },
        15_000,
      );
      expect(fixed.color).toBe('#40ff80');
    } finally {
      demo.child.kill('SIGINT');
      expect(await demo.exited).toBe(0);
    }
  }, 60_000);
});

describe('npm start: days later', () => {
  it('keeps instances out of the alarm row while the simulated days pass', async () => {
    // At 50,000x a simulated day takes 1.7 s; the third day's scale-out starts about 4 s in.
    const demo = startDemo(['--port', '0', '--speed', '50000', '--board', 'none']);
    const url = await waitFor(
      'the web board address',
      () => /web board at (http:\S+\/),/.exec(demo.out.stderr)?.[1],
      20_000,
    );
    const inAlarmRow: string[] = [];
    try {
      await waitForAsync(
        "the third day's scale-out on the board",
        async () => {
          const board = (await (await fetch(`${url}api/board`)).json()) as Legend;
          for (const p of board.pixels)
            if (p.entry?.kind === 'instance' && p.y === board.height - 1) inAlarmRow.push(p.entry.name);
          return board.pixels.some((p) => p.entry?.name.startsWith('web-asg-3-'));
        },
        30_000,
      );
    } finally {
      // Ctrl-C even when the wait failed, so the demo removes its state folder.
      demo.child.kill('SIGINT');
      expect(await demo.exited).toBe(0);
    }
    expect(inAlarmRow).toEqual([]);
  }, 60_000);
});

describe('demo flags', () => {
  it('draws frames on a terminal and plain lines when piped, unless --board says otherwise', () => {
    expect(parseDemoArgs([], true)).toMatchObject({ board: 'terminal', port: 8080 });
    expect(parseDemoArgs([], false)).toMatchObject({ board: 'lines' });
    expect(parseDemoArgs(['--board', 'terminal'], false)).toMatchObject({ board: 'terminal' });
  });

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
    [['--board', 'unicornhathd'], /terminal, lines or none/],
    [['--accounts', '9'], /--accounts "9" is not a number from 1 to 4/],
  ])('rejects %j naming the flag', (args, message) => {
    expect(() => parseDemoArgs(args)).toThrow(message);
  });

  it('sizes the board to fit the fleet and its scale-out', () => {
    expect(boardSide(40)).toBe(8);
    expect(boardSide(200)).toBe(17);
  });

  it.each([1, 2, 3, 7])(
    'keeps every live instance of five simulated days inside the instance zone (seed %i)',
    (seed) => {
      for (const size of [10, 40, 200]) {
        const options = { ...DEFAULT_SIM_OPTIONS, seed, size };
        const simulation = createSimulation(options);
        const live = new Set(simulation.initial.map((i) => i.instanceId));
        let peak = live.size;
        const days = simulation.days();
        for (let day = 0; day < 5; day++) {
          for (const step of (days.next().value as SimDay).steps) {
            if (step.state === 'terminated') live.delete(step.instanceId);
            else live.add(step.instanceId);
            peak = Math.max(peak, live.size);
          }
        }
        const side = boardSide(size);
        expect(peak).toBeLessThanOrEqual(side * (side - alarmRows(side)));
      }
    },
  );

  it.each([1, 2, 3, 7])('at --speed 30 starts the first dev box about 30 s in (seed %i)', (seed) => {
    const options = { ...DEFAULT_SIM_OPTIONS, seed };
    const day = createSimulation(options).days().next().value as SimDay;
    const first = Math.min(...day.steps.map((step) => step.timeMs)) - options.dayStartMs;
    const seconds = (first - startOffsetMs(day, options.dayStartMs)) / 30_000;
    expect(seconds).toBeGreaterThanOrEqual(30);
    expect(seconds).toBeLessThan(32);
  });

  it('shows time in state on the simulated clock', () => {
    const now = Date.UTC(2026, 11, 7);
    expect(simulatedAge(720)(now - 5_000, now)).toBe('1h'); // 5 s at 720x
    expect(simulatedAge(30)(now - 60_000, now)).toBe('30m');
  });
});
