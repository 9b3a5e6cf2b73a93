/**
 * The system tools of `npm run package:pi` and `npm run test:pi`, installed the way
 * scripts/test-tools.ts installs the suite's: as root with apt-get on Debian (a fresh Debian 12, a CI
 * container), otherwise a message with the one command to run. Never a skipped step.
 *
 * - package:pi cross-compiles (g++-aarch64-linux-gnu, make, python3 for node-gyp), builds the .deb
 *   (dpkg-deb, xz) and checks it (lintian);
 * - test:pi also runs arm64 programs: qemu-user-static, registered with the kernel's binfmt_misc
 *   (binfmt-support's `update-binfmts --enable qemu-aarch64`) so that an arm64 `node` and the
 *   processes it starts run like native ones, and the arm64 C and C++ runtime the bundled Node links
 *   (libc6:arm64, libstdc++6:arm64, after `dpkg --add-architecture arm64`); and the broker and
 *   certificates of the agent tests (mosquitto, openssl).
 *
 * The decisions (what is missing, which commands install it, what to do about binfmt_misc) are pure
 * functions over injected facts; test/package/pi-package.test.ts plays machines without them.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { findTool, isExecutable } from './test-tools.ts';

export interface PiTool {
  /** A command looked up on PATH, or an absolute path that must exist. */
  readonly need: string;
  /** The Debian package that provides it (`name:arm64` for the foreign architecture). */
  readonly package: string;
  readonly why: string;
}

export const PI_BUILD_TOOLS: readonly PiTool[] = [
  {
    need: 'aarch64-linux-gnu-g++',
    package: 'g++-aarch64-linux-gnu',
    why: 'cross-compiles the native modules',
  },
  { need: 'make', package: 'make', why: "runs node-gyp's build" },
  { need: 'python3', package: 'python3', why: "node-gyp's build scripts" },
  { need: 'dpkg-deb', package: 'dpkg', why: 'builds the .deb' },
  { need: 'xz', package: 'xz-utils', why: "the .deb's compression" },
  { need: 'lintian', package: 'lintian', why: 'checks the .deb' },
];

export const PI_TEST_TOOLS: readonly PiTool[] = [
  ...PI_BUILD_TOOLS,
  { need: 'qemu-aarch64-static', package: 'qemu-user-static', why: 'runs arm64 programs' },
  { need: 'update-binfmts', package: 'binfmt-support', why: 'registers qemu-aarch64 with the kernel' },
  { need: '/lib/ld-linux-aarch64.so.1', package: 'libc6:arm64', why: "the bundled Node's C library" },
  {
    need: '/usr/lib/aarch64-linux-gnu/libstdc++.so.6',
    package: 'libstdc++6:arm64',
    why: "the bundled Node's C++ library",
  },
  { need: 'mosquitto', package: 'mosquitto', why: 'the broker of the agent tests' },
  { need: 'openssl', package: 'openssl', why: 'the test certificates' },
];

export function missingPiTools(
  tools: readonly PiTool[],
  pathEnv: string | undefined,
  check: (path: string) => boolean = isExecutable,
  exists: (path: string) => boolean = existsSync,
): PiTool[] {
  return tools.filter((tool) =>
    tool.need.startsWith('/') ? !exists(tool.need) : findTool(tool.need, pathEnv, check) === undefined,
  );
}

export type PiToolPlan =
  | { readonly kind: 'ready' }
  | { readonly kind: 'install'; readonly steps: readonly (readonly string[])[] }
  | { readonly kind: 'fail'; readonly message: string };

/** The commands that install `missing` (arm64 packages need the architecture added first). */
export function installSteps(missing: readonly PiTool[], arm64Added: boolean): string[][] {
  const packages = [...new Set(missing.map((tool) => tool.package))];
  const foreign = packages.some((name) => name.endsWith(':arm64'));
  return [
    ...(foreign && !arm64Added ? [['dpkg', '--add-architecture', 'arm64']] : []),
    ['apt-get', 'update', '-qq'],
    ['apt-get', 'install', '-y', '-qq', '--no-install-recommends', ...packages],
  ];
}

/** Nothing to do, the commands to run as root, or the message naming them. */
export function planPiTools(
  missing: readonly PiTool[],
  machine: { readonly root: boolean; readonly aptGet: boolean; readonly arm64Added: boolean },
  step: string,
): PiToolPlan {
  if (missing.length === 0) return { kind: 'ready' };
  const steps = installSteps(missing, machine.arm64Added);
  if (machine.root && machine.aptGet) return { kind: 'install', steps };
  const names = missing.map((tool) => `${tool.need} (${tool.package}: ${tool.why})`).join(', ');
  const commands = steps.map((s) => `${machine.root ? '' : 'sudo '}${s.join(' ')}`).join(' && ');
  return {
    kind: 'fail',
    message: `${step}: missing ${names}; on Debian install with: ${commands} (${step} does this itself as root)`,
  };
}

export interface BinfmtFacts {
  /** /proc/sys/fs/binfmt_misc/status exists. */
  readonly mounted: boolean;
  /** The first line of /proc/sys/fs/binfmt_misc/qemu-aarch64, if registered. */
  readonly qemuAarch64: string | undefined;
  readonly root: boolean;
}

const MOUNT = ['mount', '-t', 'binfmt_misc', 'binfmt_misc', '/proc/sys/fs/binfmt_misc'];
const ENABLE = ['update-binfmts', '--enable', 'qemu-aarch64'];

/** What makes the kernel run arm64 programs through qemu: nothing, commands as root, or a message. */
export function planBinfmt(facts: BinfmtFacts): PiToolPlan {
  if (facts.qemuAarch64 === 'enabled') return { kind: 'ready' };
  const steps = facts.mounted ? [ENABLE] : [MOUNT, ENABLE];
  if (facts.root) return { kind: 'install', steps };
  return {
    kind: 'fail',
    message:
      `test:pi: the kernel does not run arm64 programs through qemu (binfmt_misc ${facts.mounted ? 'has no enabled qemu-aarch64' : 'is not mounted'}); ` +
      `run as root: ${steps.map((s) => s.join(' ')).join(' && ')} (in a container, on its host)`,
  };
}

function readBinfmt(): BinfmtFacts {
  let qemu: string | undefined;
  try {
    qemu = readFileSync('/proc/sys/fs/binfmt_misc/qemu-aarch64', 'utf8').split('\n')[0];
  } catch {
    qemu = undefined;
  }
  return {
    mounted: existsSync('/proc/sys/fs/binfmt_misc/status'),
    qemuAarch64: qemu,
    root: process.getuid?.() === 0,
  };
}

function runSteps(plan: PiToolPlan, step: string): number {
  if (plan.kind === 'ready') return 0;
  if (plan.kind === 'fail') {
    process.stderr.write(`${plan.message}\n`);
    return 1;
  }
  for (const args of plan.steps) {
    process.stderr.write(`${step}: ${args.join(' ')}\n`);
    const result = spawnSync(args[0] as string, args.slice(1), {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      timeout: 20 * 60_000,
    });
    if (result.status !== 0) {
      process.stderr.write(
        `${step}: ${args.join(' ')} failed (${result.error?.message ?? `exit ${result.status}`}); run it yourself to see why\n`,
      );
      return 1;
    }
  }
  return 0;
}

function arm64Added(): boolean {
  const result = spawnSync('dpkg', ['--print-foreign-architectures'], { encoding: 'utf8' });
  return result.stdout?.split('\n').includes('arm64') ?? false;
}

/** Installs what `tools` lack (root + apt-get) or says how; then checks again. Returns an exit code. */
export function ensurePiTools(tools: readonly PiTool[], step: string): number {
  const missing = missingPiTools(tools, process.env.PATH);
  const machine = {
    root: process.getuid?.() === 0,
    aptGet: findTool('apt-get', process.env.PATH, isExecutable) !== undefined,
    arm64Added: arm64Added(),
  };
  if (runSteps(planPiTools(missing, machine, step), step) !== 0) return 1;
  const still = missingPiTools(tools, process.env.PATH);
  if (still.length > 0) {
    process.stderr.write(`${step}: still missing after apt-get: ${still.map((t) => t.need).join(', ')}\n`);
    return 1;
  }
  return 0;
}

/** qemu-aarch64 registered and enabled with binfmt_misc, or a message naming the command. */
export function ensureBinfmt(): number {
  if (runSteps(planBinfmt(readBinfmt()), 'test:pi') !== 0) return 1;
  const after = readBinfmt();
  if (after.qemuAarch64 === 'enabled') return 0;
  const plan = planBinfmt({ ...after, root: false });
  process.stderr.write(
    `${plan.kind === 'fail' ? plan.message : 'test:pi: qemu-aarch64 is still not enabled'}\n`,
  );
  return 1;
}
