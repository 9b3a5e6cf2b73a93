/**
 * `ec2led doctor`'s `buttons` check, run only when the config has `buttons`: the libgpiod tools are
 * there and the chip holding the buttons' lines is found by its label. The service user's gpio
 * group is the board check's (service/board-access.ts `withButtons`). A warning, not a failure: the
 * agent runs without its buttons.
 */

import { type ButtonsOptions, resolveButtons } from '../../config/buttons-options.ts';
import { DEBIAN_GPIO_TOOLS, findLines, type GpioTools } from '../../sources/buttons/gpiomon.ts';
import { type CheckResult, ok, warn } from './check.ts';

export async function checkButtons(
  options: ButtonsOptions,
  tools: GpioTools = DEBIAN_GPIO_TOOLS,
): Promise<CheckResult> {
  const buttons = resolveButtons(options);
  if (buttons.length === 0) return ok('buttons', 'every button is mapped to "none": no line is read');
  const lines = buttons.map((b) => b.line);
  try {
    const found = await findLines(tools, options.chip, lines);
    const named = buttons.map((b) => `${b.name} ${b.line}`).join(', ');
    return ok('buttons', `${found.chip} [${found.label}], libgpiod v${found.version}: ${named}`);
  } catch (error) {
    return warn(
      'buttons',
      (error as Error).message,
      'see docs/pi.md#buttons; the board runs without its buttons',
    );
  }
}
