/**
 * The system tools the test suite needs beyond Node and npm, and `npm test`'s first step, which makes
 * sure they are there:
 *
 * - `mosquitto`: the real broker the MQTT source is tested against (mutual TLS, outages, restarts),
 *   an interop target beside IoT Core;
 * - `openssl`: the throwaway certificate authority of those tests;
 * - `chromium`: the web board page, loaded by playwright-core (which downloads no browser).
 *
 * All three are Debian packages of the same name. Run as root where apt-get exists (a fresh Debian, a
 * CI container), the step installs what is missing (`apt-get update` once, non-interactive, quiet).
 * Anywhere else it names the one install command and fails: a missing tool is never a skipped test.
 * On a machine with systemd, Debian starts a mosquitto service on port 1883; the tests do not care,
 * they start their own brokers on ephemeral ports of 127.0.0.1.
 *
 * Then the native module the watchdog tests need: `unix-dgram` (the systemd notify socket) is an
 * optional dependency that `npm ci` compiles; on a machine without a C++ toolchain that compile
 * fails quietly. If it did, this step installs g++, make and python3 the same way and runs
 * `npm rebuild unix-dgram`.
 *
 * The decisions (where a tool is, what to do about the missing ones) are pure functions over an
 * injected file check, so the tests can play a machine without any of them.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, join } from 'node:path';
import { isMain } from './is-main.ts';

export interface TestTool {
  /** The command the tests run. */
  readonly command: string;
  /** The Debian package that provides it. */
  readonly package: string;
  readonly why: string;
}

export const TEST_TOOLS: readonly TestTool[] = [
  { command: 'mosquitto', package: 'mosquitto', why: 'the MQTT broker of the interop tests' },
  { command: 'openssl', package: 'openssl', why: 'the test certificates' },
  { command: 'chromium', package: 'chromium', why: 'the web board page tests' },
];

// Debian installs mosquitto in /usr/sbin, which a non-root PATH usually lacks.
const SBIN_DIRS = ['/usr/local/sbin', '/usr/sbin', '/sbin'];

/** The executable `command` in PATH (then the sbin folders), or undefined. */
export function findTool(
  command: string,
  pathEnv: string | undefined,
  isExecutable: (path: string) => boolean,
): string | undefined {
  const dirs = [...(pathEnv ?? '').split(delimiter).filter((dir) => dir !== ''), ...SBIN_DIRS];
  return dirs.map((dir) => join(dir, command)).find(isExecutable);
}

export function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The one command that installs `missing` on Debian or Ubuntu. */
export function installCommand(missing: readonly TestTool[], root: boolean): string {
  const packages = [...new Set(missing.map((tool) => tool.package))].join(' ');
  return `${root ? '' : 'sudo '}apt-get install -y --no-install-recommends ${packages}`;
}

/** Why `command` cannot run, with the install line: the message of a test that needs it. */
export function missingToolMessage(command: string): string {
  const tool = TEST_TOOLS.find((t) => t.command === command);
  if (tool === undefined) return `${command} is not installed and not one of the test tools`;
  return (
    `${command} (${tool.why}) is not installed; install it with: ` +
    `${installCommand([tool], false)} (npm test does this itself when it runs as root with apt-get)`
  );
}

export type ToolPlan =
  | { readonly kind: 'ready' }
  | { readonly kind: 'install'; readonly missing: readonly TestTool[] }
  | { readonly kind: 'fail'; readonly message: string };

/** What to do about the tools not found: nothing, install them, or fail naming the command. */
export function planTools(
  missing: readonly TestTool[],
  machine: { readonly root: boolean; readonly aptGet: boolean },
): ToolPlan {
  if (missing.length === 0) return { kind: 'ready' };
  if (machine.root && machine.aptGet) return { kind: 'install', missing };
  const names = missing.map((tool) => `${tool.command} (${tool.why})`).join(', ');
  const how = machine.aptGet
    ? `install ${missing.length === 1 ? 'it' : 'them'} with: ${installCommand(missing, machine.root)}`
    : `install ${missing.length === 1 ? 'it' : 'them'} with your system's package manager so that ${missing.length === 1 ? 'it is' : 'they are'} on PATH (Debian: ${installCommand(missing, true)})`;
  return { kind: 'fail', message: `npm test: missing ${names}; ${how}, then run npm test again` };
}

export function missingTools(
  pathEnv: string | undefined,
  check: (path: string) => boolean = isExecutable,
): TestTool[] {
  return TEST_TOOLS.filter((tool) => findTool(tool.command, pathEnv, check) === undefined);
}

export interface ToolDeps {
  /** The tools not found on this PATH. */
  readonly find: (pathEnv: string | undefined) => TestTool[];
  readonly root: boolean;
  /** apt-get's path, if any. */
  readonly aptGet: string | undefined;
  /** Runs apt-get with these arguments; resolves to an error text, or undefined on success. */
  readonly apt: (aptGet: string, args: readonly string[]) => string | undefined;
  readonly log: (line: string) => void;
}

function runApt(aptGet: string, args: readonly string[]): string | undefined {
  const result = spawnSync(aptGet, args, {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    timeout: 15 * 60_000,
  });
  if (result.status === 0) return undefined;
  return result.error?.message ?? `exit ${result.status}`;
}

export function defaultToolDeps(): ToolDeps {
  return {
    find: (pathEnv) => missingTools(pathEnv),
    root: process.getuid?.() === 0,
    aptGet: findTool('apt-get', process.env.PATH, isExecutable),
    apt: runApt,
    log: (line) => process.stderr.write(`${line}\n`),
  };
}

/** Find, install with apt-get if allowed, check again. Returns the exit code. */
export function ensureTestTools(deps: ToolDeps = defaultToolDeps()): number {
  const plan = planTools(deps.find(process.env.PATH), { root: deps.root, aptGet: deps.aptGet !== undefined });
  if (plan.kind === 'ready') return 0;
  if (plan.kind === 'fail' || deps.aptGet === undefined) {
    deps.log(plan.kind === 'fail' ? plan.message : 'npm test: apt-get vanished');
    return 1;
  }
  const packages = [...new Set(plan.missing.map((tool) => tool.package))];
  deps.log(`npm test: installing ${packages.join(' ')} from the distribution's packages (once)`);
  for (const args of [
    ['update', '-qq'],
    ['install', '-y', '-qq', '--no-install-recommends', ...packages],
  ]) {
    const error = deps.apt(deps.aptGet, args);
    if (error !== undefined) {
      deps.log(`npm test: apt-get ${args.join(' ')} failed (${error}); run it yourself to see why`);
      return 1;
    }
  }
  const still = deps.find(process.env.PATH);
  if (still.length > 0) {
    deps.log(`npm test: still missing after apt-get: ${still.map((tool) => tool.command).join(', ')}`);
    return 1;
  }
  return 0;
}

/** What compiles an optional native module when npm ci found no toolchain. */
export const BUILD_TOOLS: readonly TestTool[] = [
  { command: 'g++', package: 'g++', why: 'compiles the native module unix-dgram' },
  { command: 'make', package: 'make', why: 'compiles the native module unix-dgram' },
  { command: 'python3', package: 'python3', why: "node-gyp's build scripts" },
];

function loads(module: string): boolean {
  try {
    createRequire(import.meta.url)(module);
    return true;
  } catch {
    return false;
  }
}

/** unix-dgram built, or built now (toolchain from apt-get when root), or a message naming the fix. */
export function ensureNativeModules(
  deps: ToolDeps = defaultToolDeps(),
  load = loads,
  missingBuildTools = (pathEnv: string | undefined) =>
    BUILD_TOOLS.filter((tool) => findTool(tool.command, pathEnv, isExecutable) === undefined),
): number {
  if (load('unix-dgram')) return 0;
  const toolchain: ToolDeps = { ...deps, find: missingBuildTools };
  if (ensureTestTools(toolchain) !== 0) return 1;
  deps.log('npm test: building unix-dgram (npm ci found no C++ toolchain)');
  const rebuilt = spawnSync('npm', ['rebuild', 'unix-dgram', '--foreground-scripts'], {
    stdio: ['ignore', 'ignore', 'inherit'],
    timeout: 10 * 60_000,
  });
  if (rebuilt.status === 0 && load('unix-dgram')) return 0;
  deps.log(
    'npm test: unix-dgram does not build; run `npm rebuild unix-dgram --foreground-scripts` to see why',
  );
  return 1;
}

if (isMain(import.meta.url)) process.exitCode = ensureTestTools() || ensureNativeModules();
