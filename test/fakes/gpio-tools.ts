/**
 * Stand-ins for Debian's `gpiomon` and `gpiodetect` (no GPIO chip here): shell scripts in a temporary
 * folder. `gpiomon --version` prints the version given; otherwise gpiomon writes its arguments to
 * `args.txt` beside it and runs `monitor` (shell). `gpiodetect` prints `listing`.
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface StandInTools {
  readonly dir: string;
  readonly gpiomon: string;
  readonly gpiodetect: string;
  remove(): void;
}

export function standInGpioTools(version: string, listing: string, monitor = 'exit 0'): StandInTools {
  const dir = mkdtempSync(join(tmpdir(), 'ec2led-gpio-'));
  const gpiomon = join(dir, 'gpiomon');
  const gpiodetect = join(dir, 'gpiodetect');
  writeFileSync(
    gpiomon,
    `#!/bin/sh\nif [ "$1" = --version ]; then echo 'gpiomon (libgpiod) ${version}'; exit 0; fi\n` +
      `printf '%s\\n' "$@" > '${dir}/args.txt'\n${monitor}\n`,
  );
  writeFileSync(gpiodetect, `#!/bin/sh\nprintf '%s' '${listing}'\n`);
  chmodSync(gpiomon, 0o755);
  chmodSync(gpiodetect, 0o755);
  return { dir, gpiomon, gpiodetect, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
