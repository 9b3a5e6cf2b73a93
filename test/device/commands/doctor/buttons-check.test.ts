import { afterEach, describe, expect, it } from 'vitest';
import { checkButtons } from '../../../../device/commands/doctor/buttons-check.ts';
import { buttonsOptionsSchema } from '../../../../device/config/buttons-options.ts';
import { type StandInTools, standInGpioTools } from '../../../fakes/gpio-tools.ts';

let tools: StandInTools | undefined;
afterEach(() => tools?.remove());

describe("ec2led doctor's buttons check", () => {
  it("names the header chip, the libgpiod version and the HAT Mini's buttons", async () => {
    tools = standInGpioTools('v2.2.1', 'gpiochip0 [pinctrl-rp1] (54 lines)\n');
    expect(await checkButtons(buttonsOptionsSchema.parse({}), tools)).toEqual({
      name: 'buttons',
      status: 'ok',
      detail: 'gpiochip0 [pinctrl-rp1], libgpiod v2: A 5, B 6, X 16, Y 24',
    });
  });

  it('warns with the chips there are when none has the label', async () => {
    tools = standInGpioTools('v1.6.3', 'gpiochip0 [pinctrl-bcm2711] (58 lines)\n');
    const result = await checkButtons(buttonsOptionsSchema.parse({ chip: 'mcp23017' }), tools);
    expect(result.status).toBe('warn');
    expect(result.detail).toBe(
      'no GPIO chip labelled "mcp23017"; chips: gpiochip0 [pinctrl-bcm2711]. set buttons.chip to the label of the chip the buttons are wired to',
    );
  });

  it('warns to install gpiod when the tools are missing', async () => {
    const result = await checkButtons(buttonsOptionsSchema.parse({}), {
      gpiomon: '/nonexistent/gpiomon',
      gpiodetect: '/nonexistent/gpiodetect',
    });
    expect(result).toMatchObject({
      status: 'warn',
      detail: "/nonexistent/gpiomon not found: install Debian's gpiod package (sudo apt install gpiod)",
    });
  });
});
