/**
 * The config's part in the picture: board size (display/size.ts, without opening anything), pins,
 * grace, colours and zones. The agent, `agent --once` and `replay --config` all read it here.
 */
import type { Config } from './config.ts';
import { displaySize } from './display/size.ts';
import { accountLabels } from './fleet/accounts.ts';
import { DEFAULT_PALETTE, parsePalette } from './layout/palette.ts';
import type { PictureSettings } from './layout/picture.ts';

/** Colours were checked when the config loaded; the default palette only stands in for a caller that did not. */
export function pictureSettings(
  config: Pick<Config, 'display' | 'pins' | 'graceMinutes' | 'colors'> & {
    readonly aws?: Pick<Config['aws'], 'accounts'>;
    readonly zones?: Config['zones'];
  },
): PictureSettings {
  const parsed = parsePalette(config.colors);
  return {
    ...displaySize(config.display),
    pins: config.pins,
    graceMs: config.graceMinutes * 60_000,
    palette: parsed.ok ? parsed.palette : DEFAULT_PALETTE,
    ...(config.aws === undefined ? {} : { accountLabels: accountLabels(config.aws.accounts) }),
    ...(config.zones === undefined ? {} : { zones: config.zones }),
  };
}
