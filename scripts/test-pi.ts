/**
 * `npm run test:pi`: the Raspberry Pi package proven on emulated arm64. Installs its tools (as root
 * with apt-get: scripts/pi-tools.ts, including qemu-user-static registered with binfmt_misc, or a
 * message naming the command), builds the package (scripts/package-pi.ts; the Node download stays in
 * the git-ignored .cache/pi/), then runs test/pi/*.pi.ts with vitest.pi.config.ts. Extra arguments go
 * to vitest. `EC2LED_PI_DEB=path` tests a package built earlier instead of building one.
 */
import { spawnSync } from 'node:child_process';
import { isMain } from './is-main.ts';
import { ROOT } from './lambda-bundle.ts';
import { buildPiPackage } from './package-pi.ts';
import { ensureBinfmt, ensurePiTools, PI_TEST_TOOLS } from './pi-tools.ts';

function main(args: readonly string[]): number {
  const started = Date.now();
  if (ensurePiTools(PI_TEST_TOOLS, 'test:pi') !== 0 || ensureBinfmt() !== 0) return 1;
  let deb = process.env.EC2LED_PI_DEB;
  if (deb === undefined) {
    const built = buildPiPackage();
    deb = built.deb;
    process.stderr.write(
      `test:pi: ${deb}: ${(built.debBytes / 1024 / 1024).toFixed(1)} MB, installed ${(built.installedSizeKiB / 1024).toFixed(1)} MB, lintian ${built.lintian.warnings.length} warnings, no errors\n`,
    );
  }
  const result = spawnSync(
    process.execPath,
    [`${ROOT}node_modules/vitest/vitest.mjs`, 'run', '--config', 'vitest.pi.config.ts', ...args],
    { cwd: ROOT, stdio: 'inherit', env: { ...process.env, EC2LED_PI_DEB: deb } },
  );
  process.stderr.write(`test:pi: ${((Date.now() - started) / 1000).toFixed(0)} s in all\n`);
  return result.status ?? 1;
}

if (isMain(import.meta.url)) {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`test:pi: ${(error as Error).message}\n`);
    process.exitCode = 1;
  }
}
