import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../../scripts/lambda-bundle.ts';
import { ALLOW_SCRIPTS, piCommands } from '../../scripts/package-device.ts';

describe('npm run package:device', () => {
  it('builds the agent once: prepack builds dist/cli.mjs alone, and package:device only packs', () => {
    const { scripts, files } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
      files: string[];
    };
    expect(scripts.prepack).toBe('tsx scripts/build.ts device');
    expect(scripts['package:device']).toBe('tsx scripts/package-device.ts');
    // What prepack does not build, the package does not ship.
    expect(files).toEqual(expect.arrayContaining(['dist/', '!dist/lambda/', '!dist/cdk.out/']));
  });

  it('prints the commands that copy the package to the Pi and install it there', () => {
    expect(piCommands('ec2-led-0.1.0.tgz')).toEqual([
      'scp ec2-led-0.1.0.tgz pi@desk-pi.local:',
      `ssh pi@desk-pi.local sudo npm install -g --allow-scripts=${ALLOW_SCRIPTS} ./ec2-led-0.1.0.tgz`,
    ]);
    expect(ALLOW_SCRIPTS).toBe('aws-crt,i2c-bus,spi-device,rpi-ws281x-native,unix-dgram');
  });
});
