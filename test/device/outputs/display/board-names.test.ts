/** Error texts name the board in use: a pHAT's errors say pHAT and give its 32-LED overlay line. */
import { describe, expect, it } from 'vitest';
import { displayOptionsSchema } from '../../../../device/config/display-options.ts';
import { ws2812BoardName } from '../../../../device/outputs/display/buses/fixes.ts';
import { readPiModel } from '../../../../device/outputs/display/buses/pi-model.ts';
import { openWs281xChannel } from '../../../../device/outputs/display/buses/ws281x-channel.ts';
import { createDisplay } from '../../../../device/outputs/display/open.ts';

const notAPi = { readPiModel: async () => 'Generic x86 PC' };

describe('WS2812 error texts', () => {
  it('names the board by its LED count', () => {
    expect([ws2812BoardName(32), ws2812BoardName(64)]).toEqual(['Unicorn pHAT', 'Unicorn HAT']);
  });

  it.each([
    ['unicornphat', 'Unicorn pHAT'],
    ['unicornhat', 'Unicorn HAT'],
  ])('says %s when no driver can be chosen on something that is not a Pi', async (board, name) => {
    const display = createDisplay(displayOptionsSchema.parse({ board }), notAPi);
    const error: Error = await display.open().catch((e) => e);
    expect(error.message).toMatch(new RegExp(`no WS2812 driver can be chosen for the ${name};`));
  });

  it('says pHAT, and its 32-LED overlay line, when rpi-ws281x runs without root', async () => {
    const error: Error = await openWs281xChannel(
      { leds: 32, dma: 10 },
      { getuid: () => 1000, load: async () => Promise.reject(new Error('not loaded')) },
    ).catch((e) => e);
    expect(error.message).toMatch(/^the Unicorn pHAT's driver rpi-ws281x-native needs root/);
    expect(error.message).toContain('dtoverlay=ws2812-pio,gpio=18,num_leds=32');
    expect(error.message).not.toContain('num_leds=64');
  });

  it('says pHAT when the Pi model cannot be read for it', async () => {
    await expect(readPiModel('/nonexistent/model', 'Unicorn pHAT')).rejects.toThrow(
      /the Unicorn pHAT needs a Raspberry Pi/,
    );
  });
});
