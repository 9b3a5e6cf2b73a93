import { describe, expect, it } from 'vitest';
import { chooseWs2812Backend, isRp1Pi } from '../../../../device/outputs/display/boards/ws2812-backend.ts';

describe('chooseWs2812Backend', () => {
  it.each([
    ['Raspberry Pi 5 Model B Rev 1.0', 'leds0'],
    ['Raspberry Pi 500 Rev 1.0', 'leds0'],
    ['Raspberry Pi Compute Module 5 Rev 1.0', 'leds0'],
    ['Raspberry Pi 4 Model B Rev 1.5', 'rpi-ws281x'],
    ['Raspberry Pi 400 Rev 1.1', 'rpi-ws281x'],
    ['Raspberry Pi 3 Model B Plus Rev 1.3', 'rpi-ws281x'],
    ['Raspberry Pi Zero 2 W Rev 1.0', 'rpi-ws281x'],
  ])('picks the driver for %s automatically: %s', (model, backend) => {
    expect(chooseWs2812Backend('auto', model)).toBe(backend);
  });

  it('obeys an explicit setting whatever the model says', () => {
    expect(chooseWs2812Backend('rpi-ws281x', 'Raspberry Pi 5 Model B Rev 1.0')).toBe('rpi-ws281x');
    expect(chooseWs2812Backend('leds0', 'Raspberry Pi 3 Model B Rev 1.2')).toBe('leds0');
    expect(chooseWs2812Backend('leds0', '')).toBe('leds0');
  });

  it('refuses to guess on something that is not a Raspberry Pi, naming the setting to use', () => {
    expect(() => chooseWs2812Backend('auto', 'Generic x86 PC')).toThrow(
      /model "Generic x86 PC" is not a Raspberry Pi.*set display\.ws2812Backend to 'leds0' \(Pi 5\)/,
    );
  });

  it('does not take a Pi 4 or a Pi 400 for a Pi 5', () => {
    expect(isRp1Pi('Raspberry Pi 4 Model B Rev 1.4')).toBe(false);
    expect(isRp1Pi('Raspberry Pi 400 Rev 1.0')).toBe(false);
  });
});
