/**
 * `npm run package:device`: the installable agent package, built once (`npm pack` runs prepack,
 * which builds dist/cli.mjs alone), then the exact commands that install it on the Pi. The tarball
 * is what `npm publish` would upload, so `npm install -g ec2-led` from a registry gives the same.
 */
import { spawnSync } from 'node:child_process';
import { isMain } from './is-main.ts';
import { ROOT } from './lambda-bundle.ts';

/** The Pi-side install: the scripts that must run (aws-crt's binary check, the board modules' builds). */
export const ALLOW_SCRIPTS = 'aws-crt,i2c-bus,spi-device,rpi-ws281x-native,unix-dgram';

export function piCommands(tarball: string, host = 'pi@desk-pi.local'): string[] {
  return [
    `scp ${tarball} ${host}:`,
    `ssh ${host} sudo npm install -g --allow-scripts=${ALLOW_SCRIPTS} ./${tarball}`,
  ];
}

function main(): number {
  const packed = spawnSync('npm', ['pack', '--json'], {
    cwd: ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (packed.status !== 0) {
    process.stderr.write(`npm pack exited ${packed.status}; its output is above\n`);
    return 1;
  }
  // npm prints lifecycle output before the JSON array.
  const json = packed.stdout.slice(packed.stdout.indexOf('\n[') + 1 || packed.stdout.indexOf('['));
  const [info] = JSON.parse(json) as { filename: string; size: number; unpackedSize: number }[];
  if (info === undefined) throw new Error('npm pack printed no package');
  process.stdout.write(
    `${info.filename}: ${Math.round(info.size / 1024)} kB packed, ${Math.round(info.unpackedSize / 1024)} kB unpacked.\n` +
      'On the Pi (Node.js 24 installed system-wide, docs/pi.md "Another way: the tarball"), copy and install it:\n' +
      `${piCommands(info.filename)
        .map((line) => `  ${line}`)
        .join('\n')}\n`,
  );
  return 0;
}

// Only when run as the script: the packed-install test imports ALLOW_SCRIPTS from here.
if (isMain(import.meta.url)) process.exitCode = main();
