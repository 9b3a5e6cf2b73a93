/**
 * The slot file: the layout's slots as text, so pixels survive a restart (slot-store.ts writes it to
 * the agent's state directory). Pure.
 *
 *   {
 *     "version": 1,
 *     "slots": {
 *       "i-0123456789abcdef0": "0,0",
 *       "i-0fedcba987654321f": "1,0"
 *     }
 *   }
 *
 * Contract: `serializeSlots` writes ids in code-unit order, so equal slots give equal text.
 * `parseSlots` never throws: a corrupt, foreign or oversized file gives empty slots and a reason; a
 * bad entry (not an instance id, not "x,y", a pixel already used) is skipped and counted in the
 * reason. Board size is not checked here: after a board change, slots.ts drops off-board pixels.
 */
import { INSTANCE_ID_PATTERN } from '../../shared/message.ts';
import { check, isRecord, leaf, literal, object } from '../../shared/schema.ts';
import { type Pixel, parsePixel, pixelKey, quote } from './pins.ts';
import type { SlotMap } from './slots.ts';

export const SLOT_FILE_VERSION = 1;
/** A 64x64 board's worth of slots is about 180 KB; anything far larger is not ours. */
export const MAX_SLOT_FILE_BYTES = 1_048_576;

export interface SlotParse {
  readonly slots: SlotMap;
  /** Why some or all of the file was ignored (for a warning); undefined when all of it was used. */
  readonly reason: string | undefined;
}

export function serializeSlots(slots: SlotMap): string {
  const entries = [...slots].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const body = Object.fromEntries(entries.map(([id, pixel]) => [id, pixelKey(pixel)]));
  return `${JSON.stringify({ version: SLOT_FILE_VERSION, slots: body }, null, 2)}\n`;
}

function empty(reason: string): SlotParse {
  return { slots: new Map(), reason: `${reason}; starting with no slots (the file is rewritten)` };
}

/**
 * The file's shape; other top-level keys are ignored (a later version may add some). Each entry of
 * `slots` is checked on its own below, so one bad entry costs that entry, not the file.
 */
export const slotFileSchema = object(
  {
    version: literal(SLOT_FILE_VERSION),
    slots: leaf('an object of instance id to "x,y"', isRecord),
  },
  { what: 'a JSON object' },
);

export function parseSlots(text: string): SlotParse {
  if (text.length > MAX_SLOT_FILE_BYTES) return empty(`slot file of ${text.length} characters is too large`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return empty(`slot file is not JSON (${(error as Error).message})`);
  }
  const file = check(slotFileSchema, parsed, 'slot file');
  if (!file.ok) return empty(file.reason.startsWith('slot file') ? file.reason : `slot file: ${file.reason}`);

  const slots = new Map<string, Pixel>();
  const used = new Set<string>();
  const skipped: string[] = [];
  const entries = Object.entries(file.value.slots).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (const [id, value] of entries) {
    const pixel = parsePixel(value);
    if (!INSTANCE_ID_PATTERN.test(id)) skipped.push(`${quote(id)} is not an instance id`);
    else if (!pixel.ok) skipped.push(`${id}: ${pixel.reason}`);
    else if (used.has(pixelKey(pixel.pixel)))
      skipped.push(`${id}: pixel "${pixelKey(pixel.pixel)}" used twice`);
    else {
      used.add(pixelKey(pixel.pixel));
      slots.set(id, pixel.pixel);
    }
  }
  if (skipped.length === 0) return { slots, reason: undefined };
  const shown = skipped.slice(0, 3).join('; ');
  return {
    slots,
    reason: `slot file: skipped ${skipped.length} bad entr${skipped.length === 1 ? 'y' : 'ies'} (${shown}${skipped.length > 3 ? '; ...' : ''})`,
  };
}
