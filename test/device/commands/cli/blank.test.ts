/**
 * `ec2led blank`, the unit's ExecStopPost=: opens the configured board on a fake bus, writes black
 * and closes it; boards without LEDs are left alone.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BLANK_USAGE, type BlankDeps, blankMain } from '../../../../device/commands/cli/blank.ts';
import { main } from '../../../../device/main.ts';
import type { DisplayDeps } from '../../../../device/outputs/display/open.ts';
import { FakeI2cBus } from '../../../fakes/display/fake-i2c-bus.ts';
import { FakeSpiBus } from '../../../fakes/display/fake-spi-bus.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A config.json as the bundle has it; the certificate files need not exist (blank reads `display` only). */
function configWith(display: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), 'ec2led-blank-'));
  dirs.push(dir);
  const path = join(dir, 'config.json');
  writeFileSync(
    path,
    JSON.stringify({
      mqtt: {
        endpoint: 'a1b2c3-ats.iot.eu-west-1.amazonaws.com',
        clientId: 'desk-pi',
        cert: 'c.pem',
        key: 'k.pem',
        ca: 'ca.pem',
      },
      aws: {
        credentialsEndpoint: 'c1.credentials.iot.eu-west-1.amazonaws.com',
        roleAlias: 'ec2led-device',
        regions: ['eu-west-1'],
        accounts: ['123456789012'],
      },
      display,
    }),
  );
  return path;
}

async function blank(argv: string[], displayDeps: DisplayDeps = {}, env: Record<string, string> = {}) {
  let out = '';
  let err = '';
  const deps: BlankDeps = { stdout: (t) => (out += t), stderr: (t) => (err += t), env, displayDeps };
  const code = await blankMain(argv, deps);
  return { code, out, err };
}

describe('ec2led blank', () => {
  it('switches an I2C board off: every PWM byte written is zero, and the bus is closed', async () => {
    const bus = new FakeI2cBus();
    const run = await blank(
      ['--config', configWith({ board: 'ledshim' })],
      { openI2cBus: async () => bus },
      {
        SERVICE_RESULT: 'watchdog',
      },
    );
    expect(run.code).toBe(0);
    expect(run.err).toBe('ec2led blank: board ledshim is dark after the agent stopped (watchdog)\n');
    // Block writes to the PWM registers (0x24 on) carry the picture: all of them black.
    const pwm = bus.writes.filter((w) => w.kind === 'block' && w.register >= 0x24);
    expect(pwm.length).toBeGreaterThan(0);
    expect(pwm.every((w) => w.data.every((byte) => byte === 0))).toBe(true);
    expect(bus.closeCount).toBe(1);
  });

  it('switches an SPI board off: the last frame sent is black', async () => {
    const bus = new FakeSpiBus();
    const run = await blank(['--config', configWith({ board: 'unicornhathd' })], {
      openSpiBus: async () => bus,
    });
    expect(run.code).toBe(0);
    const last = bus.last();
    expect(last[0]).toBe(0x72); // the HAT HD's start byte, then 256 x RGB
    expect(last.length).toBe(769);
    expect(last.subarray(1).every((byte) => byte === 0)).toBe(true);
    expect(bus.closeCount).toBe(1);
  });

  it('does nothing for boards without LEDs', async () => {
    for (const board of ['none', 'terminal', 'web']) {
      const touched: string[] = [];
      const run = await blank(['--config', configWith({ board })], {
        openI2cBus: async () => {
          touched.push('i2c');
          return new FakeI2cBus();
        },
      });
      expect(run.code).toBe(0);
      expect(run.err).toBe(`ec2led blank: board ${board} has no LEDs; nothing to do\n`);
      expect(touched).toEqual([]);
    }
  });

  it('exits 1 naming the problem when the board cannot be opened, and 2 for a bad config or flag', async () => {
    const bus = new FakeI2cBus();
    bus.failWith = Object.assign(new Error('EREMOTEIO, Remote I/O error'), { code: 'EREMOTEIO' });
    const failed = await blank(['--config', configWith({ board: 'rgbmatrix5x5' })], {
      openI2cBus: async () => bus,
    });
    expect(failed.code).toBe(1);
    expect(failed.err).toMatch(/^ec2led blank: .+/);
    const missing = await blank(['--config', '/nonexistent/config.json']);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('config file /nonexistent/config.json does not exist');
    expect((await blank(['--frobnicate'])).code).toBe(2);
  });

  it('is a command of ec2led with its own --help', async () => {
    let out = '';
    const code = await main(['blank', '--help'], { stdout: (t) => (out += t), stderr: () => undefined });
    expect(code).toBe(0);
    expect(out).toBe(BLANK_USAGE);
  });
});
