/**
 * The config's part in the picture: board size (config/display-size.ts, without opening anything), pins,
 * grace, colours, zones and the brightness schedule. The agent, `agent --once` and `replay --config`
 * all read it here.
 */

import { type NightSettings, parseTimeOfDay, type ScheduleEntry } from '../brightness/schedule.ts';
import { accountLabels } from '../fleet/accounts.ts';
import { DEFAULT_PALETTE, parsePalette } from '../picture/palette.ts';
import type { PictureSettings } from '../picture/picture.ts';
import { buttonsSetBrightness } from './buttons-options.ts';
import type { Config } from './config.ts';
import { displaySize } from './display-size.ts';

/** The process's time zone (TZ, else the system's): the one the schedule's times of day are read in. */
export function localTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

/**
 * display.schedule as the schedule takes it (entries were checked at load); undefined without one,
 * unless `manual` (Home Assistant sets the brightness by hand): then a schedule of no entries.
 */
export function nightSettings(
  display: Config['display'],
  timeZone: string = localTimeZone(),
  manual = false,
): NightSettings | undefined {
  const { location } = display;
  const schedule =
    display.schedule ?? (manual ? { entries: [], fadeSeconds: 5, urgentOverridesOff: false } : undefined);
  if (schedule === undefined) return undefined;
  const entries = schedule.entries.flatMap(({ at, brightness }): ScheduleEntry[] => {
    const parsed = parseTimeOfDay(at);
    return parsed === undefined ? [] : [{ at: parsed, level: brightness }];
  });
  return {
    entries,
    timeZone,
    place: location,
    fadeMs: schedule.fadeSeconds * 1000,
    brightness: display.brightness,
    urgentOverridesOff: schedule.urgentOverridesOff,
  };
}

/** Colours were checked when the config loaded; the default palette only stands in for a caller that did not. */
export function pictureSettings(
  config: Pick<Config, 'display' | 'pins' | 'graceMinutes' | 'colors'> & {
    readonly aws?: Pick<Config['aws'], 'accounts'>;
    readonly zones?: Config['zones'];
    readonly homeAssistant?: Config['homeAssistant'];
    readonly buttons?: Config['buttons'];
    readonly deploys?: Config['deploys'];
  },
): PictureSettings {
  const parsed = parsePalette(config.colors);
  // Home Assistant and a brightness button set the level by hand, which needs night settings.
  const manual = config.homeAssistant !== undefined || buttonsSetBrightness(config.buttons);
  const night = nightSettings(config.display, localTimeZone(), manual);
  return {
    ...displaySize(config.display),
    pins: config.pins,
    graceMs: config.graceMinutes * 60_000,
    palette: parsed.ok ? parsed.palette : DEFAULT_PALETTE,
    ...(config.aws === undefined ? {} : { accountLabels: accountLabels(config.aws.accounts) }),
    ...(config.zones === undefined ? {} : { zones: config.zones }),
    ...(night === undefined ? {} : { night }),
    ...(config.deploys === undefined ? {} : { dimAfterMs: config.deploys.dimAfterMinutes * 60_000 }),
  };
}
