/**
 * Pins: an instance asks for a pixel, from the config (`pins`, keyed by instance id, by
 * "ACCOUNT/Name" for a Name in one account only, or by Name in any account) or from
 * its own tag `ec2led:pixel`. Pixels are written "x,y": whole numbers, 0-based, (0,0) the top-left
 * pixel, x to the right, y down (docs/layout.md).
 *
 * Tags are untrusted input: a bad value is ignored with a reason for the log, never a crash. Every
 * value and name is quoted with JSON escaping and cut to a few dozen characters in those reasons, so a
 * hostile tag cannot inject terminal escapes or flood the log.
 */
import type { Item } from '../fleet/item.ts';

export interface Pixel {
  readonly x: number;
  readonly y: number;
}

/** The instance tag that pins it: `ec2led:pixel` = "x,y". */
export const PIXEL_TAG = 'ec2led:pixel';

/** Where a pin came from, strongest first (the conflict rule in slots.ts follows this order). */
export type PinSource = 'config id' | 'config name' | 'tag';

export const PIN_SOURCE_RANK: Readonly<Record<PinSource, number>> = {
  'config id': 0,
  'config name': 1,
  tag: 2,
};

export interface PinClaim {
  readonly id: string;
  readonly pixel: Pixel;
  readonly source: PinSource;
}

export type PixelParse =
  | { readonly ok: true; readonly pixel: Pixel }
  | { readonly ok: false; readonly reason: string };

const PIXEL_PATTERN = /^ *(\d{1,4}) *, *(\d{1,4}) *$/;

/** A value as it may appear in a log line: JSON-quoted (escapes control characters), at most ~40 chars. */
export function quote(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

export function pixelKey(pixel: Pixel): string {
  return `${pixel.x},${pixel.y}`;
}

/** "x,y" -> pixel, without a board size. Never throws. */
export function parsePixel(value: unknown): PixelParse {
  const match = typeof value === 'string' ? PIXEL_PATTERN.exec(value) : null;
  if (match === null) {
    return {
      ok: false,
      reason: `${quote(value)} is not "x,y" with whole numbers; write e.g. "0,0" for the top-left pixel`,
    };
  }
  return { ok: true, pixel: { x: Number(match[1]), y: Number(match[2]) } };
}

/** Undefined when the pixel is on a width x height board, else the reason. */
export function offBoard(pixel: Pixel, width: number, height: number): string | undefined {
  if (pixel.x < width && pixel.y < height) return undefined;
  return `"${pixelKey(pixel)}" is outside the ${width}x${height} board (x 0-${width - 1}, y 0-${height - 1})`;
}

/** "x,y" -> a pixel on the board, or the reason. Never throws. */
export function parseBoardPixel(value: unknown, width: number, height: number): PixelParse {
  const parsed = parsePixel(value);
  if (!parsed.ok) return parsed;
  const reason = offBoard(parsed.pixel, width, height);
  return reason === undefined ? parsed : { ok: false, reason };
}

/**
 * The pixel this instance asks for: config by id, else by its account and Name, else by Name, else its tag. A bad value is
 * skipped (with a warning) in favour of the next source.
 */
export function pinOf(
  instance: Item,
  configPins: Readonly<Record<string, string>>,
  width: number,
  height: number,
): { readonly claim: PinClaim | undefined; readonly warnings: readonly string[] } {
  const warnings: string[] = [];
  const sources: [PinSource, string | undefined, string][] = [
    ['config id', instance.id, `config pin ${quote(instance.id)}`],
    [
      'config name',
      instance.name === undefined || instance.name === ''
        ? undefined
        : `${instance.account}/${instance.name}`,
      `config pin ${quote(`${instance.account}/${instance.name}`)} (Name of ${instance.id})`,
    ],
    ['config name', instance.name, `config pin ${quote(instance.name)} (Name of ${instance.id})`],
  ];
  for (const [source, key, label] of sources) {
    if (key === undefined || key === '' || !Object.hasOwn(configPins, key)) continue;
    const parsed = parseBoardPixel(configPins[key], width, height);
    if (parsed.ok) return { claim: { id: instance.id, pixel: parsed.pixel, source }, warnings };
    warnings.push(`${label} ignored: ${parsed.reason}`);
  }
  if (Object.hasOwn(instance.tags, PIXEL_TAG)) {
    const parsed = parseBoardPixel(instance.tags[PIXEL_TAG], width, height);
    if (parsed.ok) return { claim: { id: instance.id, pixel: parsed.pixel, source: 'tag' }, warnings };
    warnings.push(`tag ${PIXEL_TAG} of ${instance.id} ignored: ${parsed.reason}`);
  }
  return { claim: undefined, warnings };
}
