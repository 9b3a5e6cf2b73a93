import { describe, expect, it } from 'vitest';
import { findChip, parseGpiodetect } from '../../../../device/sources/buttons/gpio-chips.ts';

// gpiodetect's output in the tools' format ("%s [%s] (%zu lines)"). The header chips' labels and line
// counts are the kernel drivers'; the other chips and their numbers are illustrative: no listing was
// captured on a Pi here (docs/pi.md#buttons).
const PI5_OLD_KERNEL = `gpiochip0 [gpio-brcmstb@107d508500] (32 lines)
gpiochip1 [gpio-brcmstb@107d508520] (4 lines)
gpiochip2 [gpio-brcmstb@107d517c00] (17 lines)
gpiochip3 [gpio-brcmstb@107d517c20] (6 lines)
gpiochip4 [pinctrl-rp1] (54 lines)
`;
const PI5 = `gpiochip0 [pinctrl-rp1] (54 lines)
gpiochip10 [gpio-brcmstb@107d508500] (32 lines)
gpiochip11 [gpio-brcmstb@107d508520] (4 lines)
gpiochip12 [gpio-brcmstb@107d517c00] (17 lines)
gpiochip13 [gpio-brcmstb@107d517c20] (6 lines)
`;
const PI4 = `gpiochip0 [pinctrl-bcm2711] (58 lines)
gpiochip1 [raspberrypi-exp-gpio] (8 lines)
`;
const PI3 = 'gpiochip0 [pinctrl-bcm2835] (54 lines)\ngpiochip1 [raspberrypi-exp-gpio] (8 lines)\n';
const HAT_MINI = [5, 6, 16, 24];

describe('the header chip by label', () => {
  it.each([
    ['a Pi 5 on an early kernel', PI5_OLD_KERNEL, 'gpiochip4'],
    ['a Pi 5', PI5, 'gpiochip0'],
    ['a Pi 4', PI4, 'gpiochip0'],
    ['a Pi 3', PI3, 'gpiochip0'],
  ])('finds it on %s', (_, listing, name) => {
    const choice = findChip(parseGpiodetect(listing), 'auto', HAT_MINI);
    expect(choice.ok && choice.chip.name).toBe(name);
  });

  it('takes a configured label instead', () => {
    const choice = findChip(parseGpiodetect(PI4), 'raspberrypi-exp-gpio', [3]);
    expect(choice.ok && choice.chip).toEqual({ name: 'gpiochip1', label: 'raspberrypi-exp-gpio', lines: 8 });
  });

  it('names the chips there are and the fix when no label matches', () => {
    const choice = findChip(parseGpiodetect('gpiochip0 [gpio-mockup-A] (8 lines)\n'), 'auto', HAT_MINI);
    expect(choice).toEqual({
      ok: false,
      reason:
        'no GPIO chip labelled a Raspberry Pi header chip (pinctrl-rp1, pinctrl-bcm2711, pinctrl-bcm2835); ' +
        'chips: gpiochip0 [gpio-mockup-A]. set buttons.chip to the label of the chip the buttons are wired to',
    });
  });

  it('points at the gpio group when no chip is listed at all', () => {
    const choice = findChip(parseGpiodetect(''), 'auto', HAT_MINI);
    expect(!choice.ok && choice.reason).toContain('add the service user to the gpio group');
  });

  it('refuses a line the chip does not have', () => {
    const choice = findChip(parseGpiodetect(PI4), 'raspberrypi-exp-gpio', [5, 9]);
    expect(!choice.ok && choice.reason).toBe(
      'gpiochip1 [raspberrypi-exp-gpio] has lines 0-7, not 9: check buttons.map',
    );
  });

  it('skips lines of any other shape', () => {
    expect(parseGpiodetect('gpiodetect: unable to open chip\n\ngpiochip2 [x] (3 lines)\ngarbage')).toEqual([
      { name: 'gpiochip2', label: 'x', lines: 3 },
    ]);
  });
});
