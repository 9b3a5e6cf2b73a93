/**
 * The buttons as the agent opens them from its config section: the wired buttons, the gpiomon
 * reader (or a test's), and the actions' targets. Wiring only.
 */

import type { Clock } from '../../base/clock.ts';
import type { Logger } from '../../base/log.ts';
import { type ButtonsOptions, resolveButtons } from '../../config/buttons-options.ts';
import { type BrightnessTarget, type ButtonTargets, unavailableTargets } from './actions.ts';
import { type Buttons, startButtons } from './buttons.ts';
import { gpiomonReader } from './gpiomon.ts';
import type { LineEvents } from './line-events.ts';

export interface AgentButtonsOptions {
  readonly section: ButtonsOptions;
  readonly log: Logger;
  readonly brightness: BrightnessTarget;
  /** Acknowledge, snooze and highlight; undefined: each logs that it is not available. */
  readonly targets?: ButtonTargets | undefined;
  /** The line reader for the wired lines; undefined: gpiomon. */
  readonly lineEvents?: ((lines: readonly number[]) => LineEvents) | undefined;
  readonly clock?: Clock | undefined;
}

export function openAgentButtons(options: AgentButtonsOptions): Buttons {
  const { section, log } = options;
  const wired = resolveButtons(section);
  const lines = wired.map((b) => b.line);
  return startButtons({
    buttons: wired,
    reader:
      options.lineEvents?.(lines) ??
      gpiomonReader({
        chipLabel: section.chip,
        lines,
        debounceMs: section.debounceMs,
        activeLow: section.activeLow,
        log,
      }),
    gestures: section,
    targets: options.targets ?? unavailableTargets(log),
    brightness: options.brightness,
    snoozeMs: section.snoozeMinutes * 60_000,
    log,
    ...(options.clock === undefined ? {} : { clock: options.clock }),
  });
}
