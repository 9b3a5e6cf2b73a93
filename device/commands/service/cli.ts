/**
 * `ec2led setup [BUNDLE]` (alias `ec2led service install`) and `ec2led service uninstall`: from the
 * device bundle to a lit board in one command (root). Setup turns the board's bus on, installs the
 * bundle, enables and starts the service, then waits, bounded, until the agent reports `synced` on
 * its status socket and prints the legend, or prints the agent's first warning or error, which names
 * the fix. When the bus needs a reboot it says so, starts nothing, and exits 3 (`--reboot` reboots).
 *
 * After the reboot nothing needs re-running: the service is enabled, so it starts at boot and the
 * board lights by itself. Re-running setup is safe and changes nothing that is already right (the
 * boot configuration included); it then starts the agent if needed, waits and prints the legend.
 * That is the whole resume story, with no one-shot unit or marker service to go stale.
 */
import { realpathSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { BOARD_KINDS, type BoardKind } from '../../config/display-options.ts';
import { drawLegend, drawStatus } from '../../outputs/display/boards/terminal-legend.ts';
import { fetchBoard, SOCKET_NAME } from '../../outputs/web/status-socket.ts';
import type { Legend } from '../../picture/legend.ts';
import { InstallError, install, type ServiceDeps, uninstall } from './install.ts';
import { must, realSystem, type System } from './system.ts';
import { ETC_DIR, STATE_DIR, UNIT_NAME } from './unit.ts';

export const SETUP_USAGE = `ec2led setup — this Pi, from the device bundle to a lit board (as root)

Examples:
  sudo ec2led setup ~/ec2led-desk-pi            # the folder \`ec2led device create\` wrote
  sudo ec2led setup ~/ec2led-desk-pi --reboot   # and reboot by itself if the bus needs it
  sudo ec2led setup                             # again, with the installed bundle: check, legend
  sudo ec2led service uninstall                 # keeps ${ETC_DIR} and the slots (--purge: not)

For the board in the bundle (or --board), setup:
  1. turns its bus on as \`raspi-config nonint\` does (dtparam=spi=on or dtparam=i2c_arm=on in
     config.txt, i2c-dev in /etc/modules; on a Pi 5 the Unicorn HAT's ws2812-pio overlay and a udev
     rule for /dev/leds0; on a Pi 4 or older the Unicorn HAT runs as root). Nothing of the boot
     configuration changes on a machine that is not a Raspberry Pi.
  2. creates the system user ec2led in the board's group (spi, i2c or gpio), and puts you in the
     group ec2led (for \`ec2led status\`)
  3. copies the bundle to ${ETC_DIR} (folder 0750, files 0640, root:ec2led); ${STATE_DIR} keeps
     the slots and the last fleet
  4. enables ${UNIT_NAME}, starts it, waits until the agent reports synced and prints the legend,
     or the agent's first problem with its fix
When the bus needs a reboot it says so and starts nothing (exit 3). After the reboot the service
starts by itself: nothing to re-run; \`sudo ec2led setup\` again prints the legend. Safe to re-run.
  BUNDLE           the folder \`ec2led device create\` wrote (default: the installed ${ETC_DIR})
  --board KIND     display.board (default: the bundle's), one of
                   ${BOARD_KINDS.slice(0, 6).join(', ')},
                   ${BOARD_KINDS.slice(6).join(', ')}
  --wait SECONDS   how long to wait for synced, default 90
  --reboot         reboot when the bus needs it (one reboot at most)
  --no-start       write and enable, do not start
  --root DIR       act on the tree under DIR instead of / (an image, tests): writes and enables,
                   starts and checks nothing; any folder, even an empty one
Exit codes: 0 done (and synced), 1 failed or not synced in time, 2 bad usage or bundle, 3 done
but one reboot is needed first (sudo reboot, or this again with --reboot).
`;

export const SERVICE_USAGE = `ec2led service — the agent's systemd service (as root)

Examples:
  sudo ec2led service install --bundle ~/ec2led-desk-pi   # = sudo ec2led setup ~/ec2led-desk-pi
  sudo ec2led service uninstall              # keeps ${ETC_DIR} and the slots
  sudo ec2led service uninstall --purge      # removes them and the ec2led user too

install: \`ec2led setup\` under its older name, with the bundle as --bundle DIR and the same
options (ec2led setup --help).
uninstall: stops and removes the unit.
  --purge          also remove ${ETC_DIR}, ${STATE_DIR}, the udev rule and the user
Exit codes: as ec2led setup; uninstall 0 done, 1 failed, 2 bad usage.
`;

/**
 * What setup says on an architecture the .deb does not serve (pure). On 32-bit ARM the tarball on
 * Node 22 is what runs (Node 24 has no armv7 build): this process is that, so setup carries on.
 */
export function archNote(arch: string, nodeVersion: string): string | undefined {
  if (arch !== 'arm') return undefined;
  return (
    `this is 32-bit ARM (armv7l, 32-bit Raspberry Pi OS): the ec2-led .deb is arm64 only, because ` +
    `Node.js 24 has no armv7 build. What works here is what runs this command: the package from ` +
    `\`npm run package:device\` on Node.js 22 (this is ${nodeVersion}); aws-crt compiles from source on ` +
    'this architecture. 64-bit Raspberry Pi OS runs the .deb on a Pi 3, 4, 5 or Zero 2 W (docs/pi.md)'
  );
}

export interface ServiceCliDeps {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Default: the real machine (execFile with a time limit). */
  readonly system?: (root: string) => System;
  readonly uid?: number;
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** The node binary and bin/ec2led.js the unit runs; default this process's. */
  readonly node?: string;
  readonly bin?: string;
  readonly pollMs?: number;
  readonly fetchView?: (socket: string) => Promise<Legend>;
  readonly now?: () => number;
  /** process.arch and process.version by default. */
  readonly arch?: string;
  readonly nodeVersion?: string;
}

/** Text of a log field: a string, or an Error's message. */
function textOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  const message = (value as { message?: unknown } | undefined)?.message;
  return typeof message === 'string' ? message : undefined;
}

/** The first warning or error (or error only) among the agent's JSON log lines: `msg: error (hint)`. */
export function firstProblem(lines: readonly string[], errorsOnly = false): string | undefined {
  for (const line of lines) {
    let entry: { level?: unknown; msg?: unknown; context?: Record<string, unknown> } & Record<
      string,
      unknown
    >;
    try {
      entry = JSON.parse(line) as typeof entry;
    } catch {
      continue;
    }
    if (entry.level !== 'error' && (errorsOnly || entry.level !== 'warn')) continue;
    const fields = { ...entry, ...entry.context };
    const detail = textOf(fields.error) ?? textOf(fields.reason);
    const hint = textOf(fields.hint) ?? textOf(fields.fix);
    return `${String(entry.msg)}${detail === undefined ? '' : `: ${detail}`}${hint === undefined ? '' : ` (${hint})`}`;
  }
  return undefined;
}

type Waited = { readonly view: Legend } | { readonly problem: string | undefined };

/**
 * Polls the socket until the agent is synced, logs an error, or `timeoutMs` passes; then the first
 * warning is the answer. Warnings alone do not end the wait: a connect that fails once at boot heals.
 */
async function waitForSynced(
  socket: string,
  timeoutMs: number,
  since: number,
  system: System,
  deps: ServiceCliDeps,
): Promise<Waited> {
  const now = deps.now ?? Date.now;
  const pollMs = deps.pollMs ?? 500;
  const fetchView = deps.fetchView ?? ((path: string) => fetchBoard(path, 1_000));
  /** The first warning or error; with `onError`, only once an error has been logged. */
  const journal = async (onError: boolean) => {
    const result = await system.run('journalctl', [
      '--unit',
      UNIT_NAME,
      '--output',
      'cat',
      '--no-pager',
      '--since',
      `@${Math.floor(since / 1000)}`,
    ]);
    const lines = result.stdout.split('\n');
    if (onError && firstProblem(lines, true) === undefined) return undefined;
    return firstProblem(lines);
  };
  const deadline = now() + timeoutMs;
  for (let round = 0; ; round++) {
    const view = await fetchView(socket).catch(() => undefined);
    if (view?.synced === true) return { view };
    if (now() >= deadline) return { problem: await journal(false) };
    if (round % 4 === 3) {
      const problem = await journal(true);
      if (problem !== undefined) return { problem };
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

const SETUP_OPTIONS = {
  bundle: { type: 'string' },
  board: { type: 'string' },
  wait: { type: 'string' },
  reboot: { type: 'boolean' },
  'no-start': { type: 'boolean' },
  root: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

interface SetupArgs {
  readonly bundle: string | undefined;
  readonly board: string | undefined;
  readonly wait: string | undefined;
  readonly reboot: boolean;
  readonly noStart: boolean;
  readonly root: string | undefined;
}

/** `ec2led setup [BUNDLE] [options]`. */
export async function setupMain(argv: readonly string[], deps: ServiceCliDeps): Promise<number> {
  const name = 'ec2led setup';
  let parsed: ReturnType<typeof parseSetup>;
  try {
    parsed = parseSetup(argv);
  } catch (error) {
    deps.stderr(`${name}: ${(error as Error).message}; see ${name} --help\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help === true) {
    deps.stdout(SETUP_USAGE);
    return 0;
  }
  if (positionals.length > 1 || (positionals.length === 1 && values.bundle !== undefined)) {
    deps.stderr(`${name}: give one bundle folder; see ${name} --help\n`);
    return 2;
  }
  return runSetup(name, { ...setupArgs(values), bundle: positionals[0] ?? values.bundle }, deps);
}

function parseSetup(argv: readonly string[]) {
  return parseArgs({ args: [...argv], allowPositionals: true, strict: true, options: SETUP_OPTIONS });
}

function parseService(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: { ...SETUP_OPTIONS, purge: { type: 'boolean' } },
  });
}

function setupArgs(values: ReturnType<typeof parseSetup>['values']): SetupArgs {
  return {
    bundle: values.bundle,
    board: values.board,
    wait: values.wait,
    reboot: values.reboot === true,
    noStart: values['no-start'] === true,
    root: values.root,
  };
}

export async function serviceMain(argv: readonly string[], deps: ServiceCliDeps): Promise<number> {
  let parsed: ReturnType<typeof parseService>;
  try {
    parsed = parseService(argv);
  } catch (error) {
    deps.stderr(`ec2led service: ${(error as Error).message}; see ec2led service --help\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [action, ...rest] = positionals;
  if (values.help === true || action === undefined) {
    deps.stdout(SERVICE_USAGE);
    return values.help === true ? 0 : 2;
  }
  const usage = (message: string) => {
    deps.stderr(`ec2led service: ${message}; see ec2led service --help\n`);
    return 2;
  };
  if (action !== 'install' && action !== 'uninstall')
    return usage(`unknown action ${JSON.stringify(action)}`);
  if (rest.length > 0) return usage(`unexpected argument ${JSON.stringify(rest[0])}`);
  if (action === 'install') return runSetup('ec2led service install', setupArgs(values), deps);
  const root = values.root ?? '/';
  if (root === '/' && (deps.uid ?? process.getuid?.() ?? 0) !== 0) {
    deps.stderr(`ec2led service: needs root to remove the unit and the user; run it with sudo\n`);
    return 1;
  }
  try {
    await uninstall(values.purge === true, serviceDeps(root, deps));
    return 0;
  } catch (error) {
    deps.stderr(`ec2led service uninstall: ${(error as Error).message}\n`);
    return 1;
  }
}

function serviceDeps(root: string, deps: ServiceCliDeps): ServiceDeps {
  const env = deps.env ?? process.env;
  return {
    system: (deps.system ?? realSystem)(root),
    root,
    say: (line) => deps.stderr(`${line}\n`),
    sudoUser: env.SUDO_USER,
  };
}

async function runSetup(name: string, args: SetupArgs, deps: ServiceCliDeps): Promise<number> {
  const usage = (message: string) => {
    deps.stderr(`${name}: ${message}; see ${name} --help\n`);
    return 2;
  };
  const { board } = args;
  if (board !== undefined && !BOARD_KINDS.includes(board as BoardKind)) {
    return usage(`--board ${JSON.stringify(board)} is not a board; use one of ${BOARD_KINDS.join(', ')}`);
  }
  const waitSeconds = args.wait === undefined ? 90 : Number(args.wait);
  if (!Number.isFinite(waitSeconds) || waitSeconds < 0 || waitSeconds > 3600) {
    return usage(`--wait ${JSON.stringify(args.wait)} is invalid; use seconds from 0 to 3600`);
  }
  const root = args.root ?? '/';
  if (root === '/' && (deps.uid ?? process.getuid?.() ?? 0) !== 0) {
    deps.stderr(`${name}: needs root to create users and write ${ETC_DIR}; run it with sudo\n`);
    return 1;
  }
  const note = archNote(deps.arch ?? process.arch, deps.nodeVersion ?? process.version);
  if (note !== undefined) deps.stderr(`${note}\n`);
  const service = serviceDeps(root, deps);
  const { system } = service;
  try {
    const unit = {
      node: deps.node ?? process.execPath,
      bin: deps.bin ?? realpathSync(process.argv[1] ?? 'ec2led'),
    };
    const result = await install(
      { bundle: args.bundle, board: board as BoardKind | undefined, unit },
      service,
    );
    const { bus } = result;
    if (bus.state === 'image') {
      deps.stderr(`written and enabled under ${root}; the service starts at the first boot of that system\n`);
      return 0;
    }
    if (bus.state === 'blocked') {
      deps.stderr(`the service is enabled but not started: ${bus.message}\n`);
      return 1;
    }
    if (bus.state === 'reboot') {
      if (args.reboot) {
        deps.stderr(`${bus.message}. Rebooting now; the service starts by itself after the boot.\n`);
        await must(system, 'systemctl', ['reboot']);
        return 0;
      }
      deps.stderr(
        `One reboot is needed: ${bus.message}. The service is enabled and starts by itself after the ` +
          'reboot, so nothing needs re-running:\n  sudo reboot\n(or run this again with --reboot). ' +
          'Afterwards `ec2led status` shows the legend.\n',
      );
      return 3;
    }
    if (args.noStart) {
      deps.stderr(`not started (--no-start): sudo systemctl start ${UNIT_NAME}\n`);
      return 0;
    }
    const since = (deps.now ?? Date.now)();
    await must(system, 'systemctl', ['restart', UNIT_NAME]);
    if (waitSeconds === 0) return 0;
    deps.stderr(`started; waiting up to ${waitSeconds} s for the agent to report synced\n`);
    const waited = await waitForSynced(
      join(result.stateDir, SOCKET_NAME),
      waitSeconds * 1000,
      since,
      system,
      deps,
    );
    if ('view' in waited) {
      const legend = drawLegend(waited.view, (deps.now ?? Date.now)(), 100, 40, false);
      deps.stdout(`${[drawStatus(waited.view), ...legend].join('\n')}\n`);
      deps.stderr(
        'The legend above is `ec2led status`: pixel (x,y from the top-left), instance, Name tag, state, ' +
          'region, since. Follow the log with `journalctl -u ec2led -f`.\n',
      );
      return 0;
    }
    deps.stderr(
      waited.problem === undefined
        ? `the agent did not report synced within ${waitSeconds} s and logged no warning; ` +
            'see `journalctl -u ec2led -e` and run `sudo ec2led doctor`\n'
        : `the agent is not synced yet; its first problem:\n  ${waited.problem}\n` +
            'Fix that, then `sudo systemctl restart ec2led` (or re-run this command); `sudo ec2led doctor` checks every step.\n',
    );
    return 1;
  } catch (error) {
    deps.stderr(`${name}: ${(error as Error).message}\n`);
    return error instanceof InstallError ? error.exitCode : 1;
  }
}
