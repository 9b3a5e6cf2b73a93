/**
 * Colours: one per state of every kind (kinds.ts, which holds each kind's defaults) and three for
 * the board's own indicators, each overridable from the config as "#rrggbb". Colours are logical; brightness and gamma belong to the display
 * (device/display/mapping.ts), which keeps any lit channel lit, so the dim colours stay visible.
 *
 * Defaults (docs/layout.md explains the choices):
 *   pending green, running blue, stopping yellow, stopped red, shutting-down orange,
 *   terminated dim grey; disconnected magenta, not-synced cyan, clock-unsynced amber, updating mint,
 *   overflow white.
 * Indicators show only on the bottom-right pixel (the status pixel, the overflow pixel), blinking
 * over what lies beneath, so their place tells them from a pixel's state; no state uses magenta,
 * cyan, amber or white.
 */

import type { Rgb } from '../display/frame.ts';
import { ALL_STATES, KIND_NAMES, KINDS, type KindState } from './kinds.ts';
import { quote } from './pins.ts';

/**
 * The indicator colours: status pixel while disconnected / not yet synced / the clock is not
 * synchronized / an update job downloads or installs (device/update/jobs.ts), and the overflow pixel.
 */
export const INDICATORS = ['disconnected', 'not-synced', 'clock-unsynced', 'updating', 'overflow'] as const;
export type Indicator = (typeof INDICATORS)[number];
export type PaletteKey = KindState | Indicator;
export const PALETTE_KEYS: readonly PaletteKey[] = [...ALL_STATES, ...INDICATORS];

export type Palette = Readonly<Record<PaletteKey, Rgb>>;

export const DEFAULT_COLORS: Readonly<Record<PaletteKey, string>> = {
  ...(Object.assign({}, ...KIND_NAMES.map((kind) => KINDS[kind].defaultColors)) as Record<KindState, string>),
  disconnected: '#ff00ff',
  'not-synced': '#00ffff',
  'clock-unsynced': '#ffc000',
  updating: '#80ffc0',
  overflow: '#ffffff',
};

const HEX = /^#([0-9a-fA-F]{2})([0-9a-fA-F]{2})([0-9a-fA-F]{2})$/;

/** "#rrggbb" (either case) -> RGB, else undefined. */
export function parseColor(value: unknown): Rgb | undefined {
  const match = typeof value === 'string' ? HEX.exec(value) : null;
  if (match === null) return undefined;
  return [
    parseInt(match[1] as string, 16),
    parseInt(match[2] as string, 16),
    parseInt(match[3] as string, 16),
  ];
}

/** RGB -> "#rrggbb", lowercase. */
export function toHex([r, g, b]: Rgb): string {
  return `#${[r, g, b].map((c) => c.toString(16).padStart(2, '0')).join('')}`;
}

function defaults(): Record<PaletteKey, Rgb> {
  const palette = {} as Record<PaletteKey, Rgb>;
  for (const key of PALETTE_KEYS) palette[key] = parseColor(DEFAULT_COLORS[key]) as Rgb;
  return palette;
}

export const DEFAULT_PALETTE: Palette = defaults();

export type PaletteParse =
  | { readonly ok: true; readonly palette: Palette }
  | { readonly ok: false; readonly errors: readonly string[] };

/**
 * The defaults with `overrides` (state or indicator -> "#rrggbb") applied. Every bad entry is
 * reported, naming the key, the value and the fix; the caller prefixes the config path.
 */
export function parsePalette(overrides: Readonly<Record<string, unknown>> = {}): PaletteParse {
  const palette = defaults();
  const errors: string[] = [];
  for (const [key, value] of Object.entries(overrides)) {
    if (!(PALETTE_KEYS as readonly string[]).includes(key)) {
      errors.push(`unknown colour key ${quote(key)}; use one of ${PALETTE_KEYS.join(', ')}`);
      continue;
    }
    const rgb = parseColor(value);
    if (rgb === undefined) {
      const example = DEFAULT_COLORS[key as PaletteKey];
      errors.push(
        `colour for ${key} is ${quote(value)}; write "#rrggbb" with six hex digits, e.g. "${example}"`,
      );
      continue;
    }
    palette[key as PaletteKey] = rgb;
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, palette };
}

/** The colour at `factor` (0..1) of its brightness, rounded; 1 returns it unchanged. */
export function scaleColor(rgb: Rgb, factor: number): Rgb {
  if (factor >= 1) return rgb;
  const f = Math.max(0, factor);
  return [Math.round(rgb[0] * f), Math.round(rgb[1] * f), Math.round(rgb[2] * f)];
}
