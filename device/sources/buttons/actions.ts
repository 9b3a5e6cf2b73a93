/**
 * What a button does. Acknowledge, snooze and highlight belong to the attention core:
 * the agent hands in an object of the `ButtonTargets` shape it exports. The brightness lives here:
 * a step down a fixed ladder set as a manual level (brightness/schedule.ts: it holds until the schedule's
 * next change, so a press at night is the night override), and a long press that hands the
 * brightness back to the schedule.
 */

import type { Logger } from '../../base/log.ts';
import type { Level } from '../../brightness/schedule.ts';
import type { ButtonAction } from '../../config/buttons-options.ts';

/** Who asked, in the attention core's words. */
export type Requester = 'button';

/** The attention core's entry points the buttons use (the same shape as its own interface). */
export interface ButtonTargets {
  acknowledge(selector: { readonly all: true }, who: Requester): unknown;
  snooze(selector: { readonly all: true }, forMs: number, who: Requester): unknown;
  highlightNextUrgent(who: Requester): unknown;
}

/** The picture's brightness as the buttons see it. */
export interface BrightnessTarget {
  /** The level that holds now (night mode's, or a manual one). */
  level(): Level;
  /** A manual level from now on; undefined: back to the schedule (or the configured brightness). */
  set(level: Level | undefined): void;
}

/** The steps X walks down, wrapping from "off" to full; brightness is capped per board after this. */
export const BRIGHTNESS_STEPS: readonly Level[] = [1, 0.5, 0.25, 0.1, 'off'];

/** The next step strictly below `current` ("off" is below every number), or the top after the bottom. */
export function nextLevel(current: Level, steps: readonly Level[] = BRIGHTNESS_STEPS): Level {
  const value = (level: Level): number => (level === 'off' ? -1 : level);
  const below = steps.find((step) => value(step) < value(current));
  return below ?? (steps[0] as Level);
}

export interface ActionDeps {
  readonly targets: ButtonTargets;
  readonly brightness: BrightnessTarget;
  readonly snoozeMs: number;
  readonly log: Logger;
}

/** Runs one action; a target that throws or rejects is logged, never thrown (a button cannot crash the agent). */
export function runAction(action: ButtonAction, button: string, deps: ActionDeps): void {
  const { log } = deps;
  const failed = (error: unknown): void =>
    log.error('button action failed', { button, action, error: (error as Error)?.message ?? String(error) });
  try {
    let result: unknown;
    switch (action) {
      case 'none':
        return;
      case 'acknowledge-all':
        result = deps.targets.acknowledge({ all: true }, 'button');
        break;
      case 'snooze-all':
        result = deps.targets.snooze({ all: true }, deps.snoozeMs, 'button');
        break;
      case 'highlight-next-urgent':
        result = deps.targets.highlightNextUrgent('button');
        break;
      case 'brightness-step': {
        const from = deps.brightness.level();
        const to = nextLevel(from);
        deps.brightness.set(to);
        log.info('brightness set by button', { button, from, to });
        return;
      }
      case 'brightness-schedule':
        deps.brightness.set(undefined);
        log.info('brightness back to the schedule', { button });
        return;
    }
    if (result instanceof Promise) result.catch(failed);
  } catch (error) {
    failed(error);
  }
}

/**
 * Targets for an agent without the attention core: each action logs that it is not available
 * (a warning the user sees in the journal, rather than a button that silently does nothing).
 */
export function unavailableTargets(log: Logger): ButtonTargets {
  return {
    acknowledge: () => log.warn('acknowledge not available', { from: 'button' }),
    snooze: () => log.warn('snooze not available', { from: 'button' }),
    highlightNextUrgent: () => log.warn('highlight not available', { from: 'button' }),
  };
}
