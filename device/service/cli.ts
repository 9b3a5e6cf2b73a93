/**
 * `ec2led service install|uninstall`: the agent as a systemd service in one command (root). After
 * install it waits, bounded, until the agent reports `synced` on its status socket and prints the
 * legend, or prints the agent's first warning or error, which names the fix.
 */
import { realpathSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fetchBoard, SOCKET_NAME } from '../cli/status-socket.ts';
import { drawLegend, drawStatus } from '../display/boards/terminal-legend.ts';
import { BOARD_KINDS, type BoardKind } from '../display/display.ts';
import type { Legend } from '../layout/legend.ts';
import { InstallError, install, type ServiceDeps, uninstall } from './install.ts';
import { must, realSystem, type System } from './system.ts';
import { ETC_DIR, STATE_DIR, UNIT_NAME } from './unit.ts';

export const SERVICE_USAGE = `ec2led service — run the agent as a systemd service (as root)

Examples:
  sudo ec2led service install --bundle ~/ec2led-desk-pi --board unicornhatmini
  sudo ec2led service install                # upgrade: the installed bundle, the package now installed
  sudo ec2led service uninstall              # keeps ${ETC_DIR} and the slots
  sudo ec2led service uninstall --purge      # removes them and the ec2led user too

install: creates the system user ec2led and joins it to the board's group (spi, i2c or gpio), copies
the bundle to ${ETC_DIR} (folder 0750, files 0640, root:ec2led), creates ${STATE_DIR}, writes and
enables ${UNIT_NAME}, starts it and waits until the agent reports synced. Safe to re-run: slots kept.
  --bundle DIR     the folder \`ec2led device create\` wrote (default: the installed ${ETC_DIR})
  --board KIND     display.board: ${BOARD_KINDS.join(', ')} (default: the bundle's)
  --wait SECONDS   how long to wait for synced, default 90
  --no-start       write and enable, do not start (an SD-card image, or a bus that needs a reboot)
  --root DIR       act on the tree under DIR instead of / (tests and images)
uninstall: stops and removes the unit.
  --purge          also remove ${ETC_DIR}, ${STATE_DIR}, the udev rule and the user
Exit codes: 0 done (install: and synced), 1 failed or not synced in time, 2 bad usage or bundle.
`;

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

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      bundle: { type: 'string' },
      board: { type: 'string' },
      wait: { type: 'string' },
      'no-start': { type: 'boolean' },
      root: { type: 'string' },
      purge: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

export async function serviceMain(argv: readonly string[], deps: ServiceCliDeps): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
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
  const board = values.board;
  if (board !== undefined && !BOARD_KINDS.includes(board as BoardKind)) {
    return usage(`--board ${JSON.stringify(board)} is not a board; use one of ${BOARD_KINDS.join(', ')}`);
  }
  const waitSeconds = values.wait === undefined ? 90 : Number(values.wait);
  if (!Number.isFinite(waitSeconds) || waitSeconds < 0 || waitSeconds > 3600) {
    return usage(`--wait ${JSON.stringify(values.wait)} is invalid; use seconds from 0 to 3600`);
  }
  const root = values.root ?? '/';
  if (root === '/' && (deps.uid ?? process.getuid?.() ?? 0) !== 0) {
    deps.stderr(`ec2led service: needs root to create users and write ${ETC_DIR}; run it with sudo\n`);
    return 1;
  }
  const system = (deps.system ?? realSystem)(root);
  const env = deps.env ?? process.env;
  const serviceDeps: ServiceDeps = {
    system,
    root,
    say: (line) => deps.stderr(`${line}\n`),
    sudoUser: env.SUDO_USER,
  };
  try {
    if (action === 'uninstall') {
      await uninstall(values.purge === true, serviceDeps);
      return 0;
    }
    const unit = {
      node: deps.node ?? process.execPath,
      bin: deps.bin ?? realpathSync(process.argv[1] ?? 'ec2led'),
    };
    const result = await install(
      { bundle: values.bundle, board: board as BoardKind | undefined, unit },
      serviceDeps,
    );
    if (result.missingDevices.length > 0) {
      deps.stderr(
        `${result.missingDevices.join(' and ')} missing: the board's bus is off, so the service is enabled ` +
          `but not started. Run:\n  ${result.access.enable}\nThe service starts after the reboot; ` +
          '`ec2led status` then shows the legend.\n',
      );
      return 1;
    }
    if (values['no-start'] === true) {
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
    if (error instanceof InstallError) {
      deps.stderr(`ec2led service ${action}: ${error.message}\n`);
      return error.exitCode;
    }
    deps.stderr(`ec2led service ${action}: ${(error as Error).message}\n`);
    return 1;
  }
}
