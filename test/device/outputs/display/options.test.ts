import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DEFAULT_DISPLAY_OPTIONS, displayOptionsSchema } from '../../../../device/config/display-options.ts';

function messages(input: unknown): string[] {
  const result = displayOptionsSchema.safeParse(input);
  return result.success ? [] : result.error.issues.map((issue) => issue.message);
}

describe('displayOptionsSchema', () => {
  it('defaults every field, with the board-specific I2C address left to the board', () => {
    expect(DEFAULT_DISPLAY_OPTIONS).toEqual({
      board: 'terminal',
      rotation: 0,
      flipX: false,
      flipY: false,
      brightness: 0.5,
      gamma: true,
      i2cBus: 1,
      spiBus: 0,
      ws2812Backend: 'auto',
      ledsDevice: '/dev/leds0',
      dmaChannel: 10,
      virtualWidth: 16,
      virtualHeight: 16,
    });
  });

  it('gets its defaults when embedded in a config with prefault, not default', () => {
    const config = z.strictObject({ display: displayOptionsSchema.prefault({}) });
    expect(config.parse({}).display).toEqual(DEFAULT_DISPLAY_OPTIONS);
  });

  it('accepts an I2C address as a number or a hex string', () => {
    expect(displayOptionsSchema.parse({ i2cAddress: '0x77' }).i2cAddress).toBe(0x77);
    expect(displayOptionsSchema.parse({ i2cAddress: 116 }).i2cAddress).toBe(0x74);
  });

  it.each([
    [{ board: 'unicorn' }, /^display\.board "unicorn" is invalid: use one of unicornhathd, unicornhatmini/],
    [{ rotation: 45 }, /^display\.rotation 45 is invalid: use 0, 90, 180 or 270$/],
    [{ brightness: 1.5 }, /^display\.brightness 1\.5 is invalid: use a number from 0 \(off\) to 1/],
    [
      { i2cAddress: '0x80' },
      /^display\.i2cAddress 0x80 is invalid: use 0x03-0x77 \(RGB Matrix 5x5: 0x74 or 0x77/,
    ],
    [{ i2cAddress: 'seventy' }, /^display\.i2cAddress "seventy" is invalid/],
    [
      { ws2812Backend: 'pwm' },
      /^display\.ws2812Backend "pwm" is invalid: use 'auto', 'leds0' or 'rpi-ws281x'$/,
    ],
    [{ dmaChannel: 15 }, /^display\.dmaChannel 15 is invalid: use 10/],
    [{ ledsDevice: 'leds0' }, /^display\.ledsDevice "leds0" is invalid: use an absolute path/],
  ])('rejects %j with a message naming the value and the fix', (input, message) => {
    expect(messages(input)).toEqual([expect.stringMatching(message)]);
  });

  it('rejects unknown keys, so a typo does not silently fall back to a default', () => {
    expect(messages({ brightnes: 0.2 })).toEqual(['Unrecognized key: "brightnes"']);
  });
});
