/**
 * The real line reader: Debian's libgpiod tools (package `gpiod`) in a child process. `gpiodetect`
 * lists the chips (gpio-chips.ts picks the header's by label), `gpiomon` requests the lines with the
 * pull-up and edge detection and prints one line per edge, which becomes a LineEvent.
 *
 * Why the tools and not a native addon over the kernel's uAPI: the agent ships no compiler to the Pi
 * and every native module is a cross-compiled binary per Node ABI and architecture
 * (scripts/package-pi.ts); the tools are one `apt` package on every Raspberry Pi OS, maintained with
 * the kernel's GPIO character device, and they cost one small process asleep in poll() until a
 * button moves (its memory not measured: no GPIO chip where this was built). The price is two
 * command lines: libgpiod v1 (bookworm, 1.6) and v2 (trixie, 2.x) differ in options, output format
 * and edge codes; `gpiomon --version` says which. v1 has no debounce option (gestures.ts debounces
 * in software either way) and must be told to flush each line (`--line-buffered`); v2 flushes by
 * itself and asks the kernel to debounce too.
 *
 * Contract (line-events.ts): a failure (tools missing, no chip, permission, a busy line, gpiomon
 * exiting) is logged with its fix, reported as a reset, and retried with full-jitter backoff up to
 * a minute apart; `stop()` ends the child (by its pid) and every timer. If the agent dies without
 * `stop()`, systemd ends the child with the unit's cgroup (KillMode=control-group, the default).
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { type Clock, systemClock } from '../../base/clock.ts';
import type { Logger } from '../../base/log.ts';
import { type BackoffPolicy, fullJitterDelay } from '../../fleet/backoff.ts';
import { findChip, parseGpiodetect } from './gpio-chips.ts';
import type { LineEvent, LineEvents, LineListener } from './line-events.ts';

export type LibgpiodMajor = 1 | 2;

/** `gpiomon (libgpiod) v1.6.3` or `gpiomon (libgpiod) v2.2.1`; undefined for anything else. */
export function parseLibgpiodVersion(text: string): LibgpiodMajor | undefined {
  const match = /\(libgpiod\) v(\d+)\.\d+/.exec(text.slice(0, 512));
  if (match === null) return undefined;
  const major = Number(match[1]);
  return major === 1 || major === 2 ? major : undefined;
}

export interface MonitorOptions {
  /** The chip's name, gpiochip0: both versions accept it (v1 also a label, v2 also a path). */
  readonly chip: string;
  readonly lines: readonly number[];
  readonly debounceMs: number;
  readonly activeLow: boolean;
}

/** v1: %e is 1 rising / 0 falling, %s and %n the timestamp's seconds and nanoseconds. */
const V1_FORMAT = '%o %e %s %n';
/** v2: %E is rising / falling, %S the timestamp as seconds.nanoseconds (nine digits). */
const V2_FORMAT = '%o %E %S';

export function gpiomonArgs(version: LibgpiodMajor, options: MonitorOptions): string[] {
  const bias = options.activeLow ? 'pull-up' : 'pull-down';
  const lines = options.lines.map(String);
  if (version === 1) {
    return [`--bias=${bias}`, '--line-buffered', `--format=${V1_FORMAT}`, options.chip, ...lines];
  }
  return [
    `--chip=${options.chip}`,
    `--bias=${bias}`,
    '--edges=both',
    `--debounce-period=${options.debounceMs}ms`,
    `--format=${V2_FORMAT}`,
    ...lines,
  ];
}

const V1_EVENT = /^(\d{1,4}) ([01]) (\d{1,12}) (\d{1,9})$/;
const V2_EVENT = /^(\d{1,4}) (rising|falling) (\d{1,12})\.(\d{1,9})$/;

/** One line of gpiomon's output in our format; undefined for anything else (a banner, noise). */
export function parseEventLine(version: LibgpiodMajor, text: string): LineEvent | undefined {
  const line = text.trim();
  if (version === 1) {
    const m = V1_EVENT.exec(line);
    if (m === null) return undefined;
    return {
      line: Number(m[1]),
      edge: m[2] === '1' ? 'rising' : 'falling',
      timestampNs: BigInt(m[3] as string) * 1_000_000_000n + BigInt(m[4] as string),
    };
  }
  const m = V2_EVENT.exec(line);
  if (m === null) return undefined;
  return {
    line: Number(m[1]),
    edge: m[2] as 'rising' | 'falling',
    timestampNs: BigInt(m[3] as string) * 1_000_000_000n + BigInt((m[4] as string).padEnd(9, '0')),
  };
}

/** Why gpiomon stopped, from its stderr and exit code, with what to do about it. */
export function explainExit(stderr: string, code: number | null, options: MonitorOptions): string {
  const said = stderr.trim().split('\n').at(-1)?.slice(0, 200) ?? '';
  const lines = `line${options.lines.length === 1 ? '' : 's'} ${options.lines.join(', ')} of ${options.chip}`;
  if (/permission denied/i.test(stderr)) {
    return `gpiomon may not open ${options.chip} (${said}): add the service user to the gpio group (sudo ec2led setup does), then restart the agent`;
  }
  if (/busy/i.test(stderr)) {
    return `${lines} busy (${said}): another program holds them (\`gpioinfo ${options.chip}\` names it: a script, or a gpio-key overlay in config.txt); stop it or wire the buttons elsewhere`;
  }
  if (/no such file|cannot find|not find|does not exist|invalid argument/i.test(stderr)) {
    return `gpiomon could not request ${lines} (${said}): check buttons.chip and buttons.map against \`gpiodetect\` and \`gpioinfo\``;
  }
  return `gpiomon exited with code ${code ?? 'none'}${said === '' ? '' : ` (${said})`}`;
}

/** How the reader runs the tools; tests point these at scripts that print canned output. */
export interface GpioTools {
  readonly gpiomon: string;
  readonly gpiodetect: string;
}

export const DEBIAN_GPIO_TOOLS: GpioTools = { gpiomon: 'gpiomon', gpiodetect: 'gpiodetect' };

/** A failed start or an exit: first retry within 1 s, doubling up to a minute. */
export const GPIOMON_BACKOFF: BackoffPolicy = { baseMs: 1000, capMs: 60_000 };

/** The longest line gpiomon prints in our formats is under 40 characters; anything longer is dropped. */
const MAX_LINE = 128;
const MAX_STDERR = 2048;
const TOOL_TIMEOUT_MS = 5000;
/** gpiomon requests its lines within milliseconds of starting; still running after this, it holds them. */
const STEADY_MS = 2000;
const STOP_MS = 2000;

export interface GpiomonReaderOptions {
  /** A chip label, or "auto" for the header's (gpio-chips.ts). */
  readonly chipLabel: string;
  readonly lines: readonly number[];
  readonly debounceMs: number;
  readonly activeLow: boolean;
  readonly log: Logger;
  readonly tools?: GpioTools;
  readonly clock?: Clock;
  readonly random?: () => number;
}

function run(file: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      file,
      args,
      { timeout: TOOL_TIMEOUT_MS, maxBuffer: 64 * 1024, env: { ...process.env, LC_ALL: 'C' } },
      (error, stdout, stderr) => {
        if (error === null) resolve(stdout);
        else {
          const code = (error as NodeJS.ErrnoException).code;
          reject(
            code === 'ENOENT'
              ? new Error(`${file} not found: install Debian's gpiod package (sudo apt install gpiod)`)
              : new Error(`${file} failed: ${String(stderr).trim().slice(0, 200) || error.message}`),
          );
        }
      },
    );
  });
}

/**
 * The libgpiod version and the chip that holds `lines` (by label, gpio-chips.ts); rejects with what
 * is wrong and its fix. The reader runs it before each start of gpiomon, `ec2led doctor` once.
 */
export async function findLines(
  tools: GpioTools,
  chipLabel: string,
  lines: readonly number[],
): Promise<{ version: LibgpiodMajor; chip: string; label: string }> {
  const said = await run(tools.gpiomon, ['--version']);
  const version = parseLibgpiodVersion(said);
  if (version === undefined) {
    throw new Error(
      `gpiomon --version said ${JSON.stringify(said.slice(0, 80))}: expected libgpiod v1 or v2`,
    );
  }
  const choice = findChip(parseGpiodetect(await run(tools.gpiodetect, [])), chipLabel, lines);
  if (!choice.ok) throw new Error(choice.reason);
  return { version, chip: choice.chip.name, label: choice.chip.label };
}

export function gpiomonReader(options: GpiomonReaderOptions): LineEvents {
  const { log } = options;
  const tools = options.tools ?? DEBIAN_GPIO_TOOLS;
  const clock = options.clock ?? systemClock;
  const random = options.random ?? Math.random;
  let listener: LineListener | undefined;
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  let retry: unknown;
  let attempt = 0;
  let stopped = false;
  /** The timer that logs "buttons read" once gpiomon has stayed up; the last failure logged as a warning. */
  let steady: unknown;
  let warned: string | undefined;

  const fail = (reason: string): void => {
    if (stopped) return;
    const inMs = fullJitterDelay(GPIOMON_BACKOFF, attempt, random);
    attempt += 1;
    // A transition is logged once: the same failure again (a line still busy) only at debug level.
    if (reason === warned) log.debug('buttons not read', { reason, retryInMs: inMs });
    else log.warn('buttons not read', { reason, retryInMs: inMs });
    warned = reason;
    listener?.onReset(reason);
    retry = clock.setTimeout(() => {
      retry = undefined;
      void begin();
    }, inMs);
  };

  const begin = async (): Promise<void> => {
    let version: LibgpiodMajor;
    let chip: string;
    try {
      ({ version, chip } = await findLines(tools, options.chipLabel, options.lines));
    } catch (error) {
      fail((error as Error).message);
      return;
    }
    if (stopped) return;
    const monitor: MonitorOptions = { ...options, chip };
    const proc = spawn(tools.gpiomon, gpiomonArgs(version, monitor), {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, LC_ALL: 'C' },
    });
    child = proc;
    let pending = '';
    let stderr = '';
    let started = false;
    proc.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      pending += chunk;
      const lines = pending.split('\n');
      pending = (lines.pop() ?? '').slice(-MAX_LINE);
      for (const text of lines) {
        const event = text.length > MAX_LINE ? undefined : parseEventLine(version, text);
        if (event === undefined) continue;
        listener?.onEvent(event);
      }
    });
    // A pipe error ends in 'close' like any exit; it must not be an unhandled 'error'.
    proc.stdout?.on('error', () => undefined);
    proc.stderr?.on('error', () => undefined);
    proc.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-MAX_STDERR);
    });
    proc.once('spawn', () => {
      started = true;
      // gpiomon says nothing once it holds the lines (v1 has no banner): up for STEADY_MS, it does.
      steady = clock.setTimeout(() => {
        steady = undefined;
        warned = undefined;
        attempt = 0;
        log.info('buttons read', { chip, lines: options.lines, libgpiod: version });
      }, STEADY_MS);
    });
    exited = new Promise((resolve) => {
      proc.on('error', (error: NodeJS.ErrnoException) => {
        if (!started) {
          child = undefined;
          fail(
            error.code === 'ENOENT'
              ? `${tools.gpiomon} not found: install Debian's gpiod package (sudo apt install gpiod)`
              : error.message,
          );
          resolve();
        }
      });
      proc.once('close', (code) => {
        child = undefined;
        if (steady !== undefined) clock.clearTimeout(steady);
        steady = undefined;
        resolve();
        if (started) fail(explainExit(stderr, code, monitor));
      });
    });
  };

  return {
    start(next) {
      listener = next;
      void begin();
    },
    async stop() {
      stopped = true;
      if (retry !== undefined) clock.clearTimeout(retry);
      if (steady !== undefined) clock.clearTimeout(steady);
      retry = undefined;
      steady = undefined;
      const signal = (name: NodeJS.Signals): void => {
        try {
          if (child?.pid !== undefined) process.kill(child.pid, name);
        } catch {
          // it exited already
        }
      };
      signal('SIGTERM');
      // gpiomon ends on SIGTERM at once; one that does not is killed after STOP_MS.
      const kill = clock.setTimeout(() => signal('SIGKILL'), STOP_MS);
      await exited;
      clock.clearTimeout(kill);
      listener = undefined;
    },
  };
}
