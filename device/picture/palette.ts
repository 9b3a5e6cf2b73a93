/**
 * Colours: one per state of every kind (kinds.ts, which holds each kind's defaults) and three for
 * the board's own indicators, each overridable from the config as "#rrggbb". Colours are logical; brightness and gamma belong to the display
 * (device/outputs/display/mapping.ts), which keeps any lit channel lit, so the dim colours stay visible.
 *
 * Defaults (docs/layout.md explains the choices):
 *   pending green, running blue, stopping yellow, stopped red, shutting-down orange,
 *   terminated dim grey; disconnected magenta, not-synced cyan, clock-unsynced amber, updating mint,
 *   overflow white.
 * Indicators show only on the bottom-right pixel (the status pixel, the overflow pixel), blinking
 * over what lies beneath, so their place tells them from a pixel's state; no state uses magenta,
 * cyan, amber or white.
 */

import { ALL_STATES, type BuiltInState, KIND_NAMES, KINDS } from '../kinds/kinds.ts';
import type { Rgb } from './frame.ts';
import { quote } from './pins.ts';

/**
 * The indicator colours: status pixel while disconnected / not yet synced / the clock is not
 * synchronized / an update job downloads or installs (device/agent/update/jobs.ts), and the overflow pixel.
 */
export const INDICATORS = ['disconnected', 'not-synced', 'clock-unsynced', 'updating', 'overflow'] as const;
export type Indicator = (typeof INDICATORS)[number];
/** A colour key the type system knows (the built-in kinds' states and the indicators); a registered kind's states are keys too. */
export type PaletteKey = BuiltInState | Indicator;
/** Every colour key, live: every registered kind's states (kinds.ts ALL_STATES), then the indicators. */
export function paletteKeys(): readonly string[] {
  return [...ALL_STATES, ...INDICATORS];
}
/** The colour keys of the built-in kinds and the indicators. */
export const PALETTE_KEYS: readonly PaletteKey[] = paletteKeys() as readonly PaletteKey[];

/** A colour per key: the built-ins typed, any registered kind's states by name. */
export type Palette = Readonly<Record<PaletteKey, Rgb>> & Readonly<Record<string, Rgb | undefined>>;

const INDICATOR_COLORS: Readonly<Record<Indicator, string>> = {
  disconnected: '#ff00ff',
  'not-synced': '#00ffff',
  'clock-unsynced': '#ffc000',
  updating: '#80ffc0',
  overflow: '#ffffff',
};

/** Every registered kind's default colours and the indicators', as of now. */
function defaultColors(): Readonly<Record<string, string>> {
  return Object.assign({}, ...KIND_NAMES.map((kind) => KINDS[kind]?.defaultColors), INDICATOR_COLORS);
}

export const DEFAULT_COLORS: Readonly<Record<PaletteKey, string>> = defaultColors() as Record<
  PaletteKey,
  string
>;

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

function defaults(): Record<string, Rgb> {
  const colors = defaultColors();
  const palette: Record<string, Rgb> = {};
  for (const key of paletteKeys()) palette[key] = parseColor(colors[key]) as Rgb;
  return palette;
}

/** The colour of `key` in `palette`; the overflow colour for a state the palette lacks (a kind registered after it was built). */
export function colorOf(palette: Palette, key: string): Rgb {
  return palette[key] ?? palette.overflow;
}

export const DEFAULT_PALETTE: Palette = defaults() as Palette;

/** The default palette as of now: with the colours of every kind registered since this module loaded. */
export function defaultPalette(): Palette {
  return defaults() as Palette;
}

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
    const keys = paletteKeys();
    if (!keys.includes(key)) {
      errors.push(`unknown colour key ${quote(key)}; use one of ${keys.join(', ')}`);
      continue;
    }
    const rgb = parseColor(value);
    if (rgb === undefined) {
      const example = defaultColors()[key];
      errors.push(
        `colour for ${key} is ${quote(value)}; write "#rrggbb" with six hex digits, e.g. "${example}"`,
      );
      continue;
    }
    palette[key] = rgb;
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, palette: palette as Palette };
}

/** The colour at `factor` (0..1) of its brightness, rounded; 1 returns it unchanged. */
export function scaleColor(rgb: Rgb, factor: number): Rgb {
  if (factor >= 1) return rgb;
  const f = Math.max(0, factor);
  return [Math.round(rgb[0] * f), Math.round(rgb[1] * f), Math.round(rgb[2] * f)];
}
