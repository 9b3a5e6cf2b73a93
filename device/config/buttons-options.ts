/**
 * The `buttons` section of the agent config: buttons wired to GPIO lines of the 40-pin header, each
 * with an action for a short and for a long press. Absent (default): no GPIO is read at all.
 *
 * `{}` is the Unicorn HAT Mini's four buttons (A, B, X, Y on BCM 5, 6, 16 and 24, active low with
 * the pull-up on: docs/reference/hardware.md §4.5) with the default map below; `map` entries
 * change a field of one of those or add a button on any other line (then `line` is required).
 */
import { z } from 'zod';
import { setting } from './config-table.ts';

/** What a press can do. "none" does nothing (a button or a long press left free). */
export const BUTTON_ACTIONS = [
  'none',
  'acknowledge-all',
  'snooze-all',
  'brightness-step',
  'brightness-schedule',
  'highlight-next-urgent',
] as const;
export type ButtonAction = (typeof BUTTON_ACTIONS)[number];

const ACTION_FIX = `use one of ${BUTTON_ACTIONS.map((a) => `"${a}"`).join(', ')}`;
const actionSchema = z.enum(BUTTON_ACTIONS).meta(setting(ACTION_FIX));

export interface ButtonBinding {
  readonly line: number;
  readonly press: ButtonAction;
  readonly longPress: ButtonAction;
}

/**
 * The HAT Mini's buttons and what they do unless the config says otherwise (docs/pi.md#buttons):
 * A acknowledges every urgent pixel, B snoozes them (`snoozeMinutes`), X steps the brightness down
 * (which also overrides night mode until its next change) and, held, hands it back to the schedule;
 * Y highlights the next urgent pixel.
 */
export const HAT_MINI_BUTTONS: Readonly<Record<'A' | 'B' | 'X' | 'Y', ButtonBinding>> = {
  A: { line: 5, press: 'acknowledge-all', longPress: 'none' },
  B: { line: 6, press: 'snooze-all', longPress: 'none' },
  X: { line: 16, press: 'brightness-step', longPress: 'brightness-schedule' },
  Y: { line: 24, press: 'highlight-next-urgent', longPress: 'none' },
};

/** A GPIO line offset on the chip: the BCM number on a Pi's header (0-27); chips have up to 512 lines here. */
const lineSchema = z
  .int()
  .min(0)
  .max(511)
  .meta(setting('use the BCM GPIO number the button is wired to, such as 17'));

export const buttonsOptionsSchema = z
  .strictObject({
    /**
     * The label of the GPIO chip the lines belong to. Default "auto": the 40-pin header's chip, found
     * by label (`pinctrl-rp1` on a Pi 5, `pinctrl-bcm2711` on a Pi 4, `pinctrl-bcm2835` before),
     * since kernels number the chips differently (gpiochip0 or gpiochip4 on a Pi 5).
     */
    chip: z
      .string()
      .regex(/^[\w@.:,-]{1,64}$/)
      .default('auto')
      .meta(
        setting('use "auto" or a chip label as `gpiodetect` prints it in brackets, such as "pinctrl-rp1"'),
      ),
    /** Edges this soon after the last one counted are contact bounce, ignored. Default 10 ms. */
    debounceMs: z
      .int()
      .min(1)
      .max(100)
      .default(10)
      .meta(setting('use a whole number of milliseconds from 1 to 100')),
    /** Held this long, a press is a long press (its action runs at once, while held). Default 1000 ms. */
    longPressMs: z
      .int()
      .min(300)
      .max(10_000)
      .default(1000)
      .meta(setting('use a whole number of milliseconds from 300 to 10000')),
    /** How long "snooze-all" snoozes the urgent pixels. Default 60 minutes. */
    snoozeMinutes: z
      .int()
      .min(1)
      .max(10_080)
      .default(60)
      .meta(setting('use a whole number of minutes from 1 to 10080 (a week)')),
    /** Default true: pressed pulls the line to ground (the HAT Mini), with the pull-up on; false: pressed is high, pull-down on. */
    activeLow: z
      .boolean()
      .default(true)
      .meta(setting('use true (button to ground) or false (button to 3.3 V)')),
    /** Per button name: its line and actions; A, B, X and Y default to the HAT Mini's (HAT_MINI_BUTTONS). */
    map: z
      .record(
        z.string().regex(/^[A-Za-z0-9_-]{1,16}$/),
        z.strictObject({
          line: lineSchema.optional(),
          press: actionSchema.optional(),
          longPress: actionSchema.optional(),
        }),
      )
      .default({})
      .meta(
        setting('use { "A": { "press": "snooze-all" }, "door": { "line": 17, "press": "acknowledge-all" } }'),
      ),
  })
  .superRefine((options, context) => {
    for (const [name, entry] of Object.entries(options.map)) {
      if (entry.line === undefined && !(name in HAT_MINI_BUTTONS)) {
        context.addIssue({
          code: 'custom',
          path: ['map', name, 'line'],
          input: undefined,
          message: `button ${name} needs a line (only A, B, X and Y have one by default)`,
        });
      }
    }
  });

export type ButtonsOptions = z.infer<typeof buttonsOptionsSchema>;

export interface Button extends ButtonBinding {
  readonly name: string;
}

/**
 * The buttons to read: the HAT Mini's four with the map's changes, then the map's own; a button
 * whose press and long press are both "none" is left out (its line is not requested). Two buttons on
 * one line: the later wins (one line gives one stream of edges).
 */
export function resolveButtons(options: Pick<ButtonsOptions, 'map'>): Button[] {
  const byLine = new Map<number, Button>();
  const names = [...new Set([...Object.keys(HAT_MINI_BUTTONS), ...Object.keys(options.map)])];
  for (const name of names) {
    const base = HAT_MINI_BUTTONS[name as keyof typeof HAT_MINI_BUTTONS] as ButtonBinding | undefined;
    const entry = options.map[name] ?? {};
    const line = entry.line ?? base?.line;
    if (line === undefined) continue; // refused by the schema
    const button = {
      name,
      line,
      press: entry.press ?? base?.press ?? 'none',
      longPress: entry.longPress ?? base?.longPress ?? 'none',
    };
    if (button.press === 'none' && button.longPress === 'none') continue;
    byLine.delete(line);
    byLine.set(line, button);
  }
  return [...byLine.values()];
}

/** True when some button sets the brightness by hand (the picture then takes a manual level). */
export function buttonsSetBrightness(options: ButtonsOptions | undefined): boolean {
  if (options === undefined) return false;
  return resolveButtons(options).some((b) =>
    [b.press, b.longPress].some((a) => a === 'brightness-step' || a === 'brightness-schedule'),
  );
}
