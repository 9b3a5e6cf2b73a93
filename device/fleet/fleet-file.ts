/**
 * The fleet file: the last known fleet as text, so a Pi that reboots without network shows its
 * items (dimmed as stale) instead of nothing. The agent writes it to its state directory beside
 * the slot file (fleet-store.ts). Pure.
 *
 *   {
 *     "version": 1,
 *     "savedAtMs": 1764403200000,
 *     "items": [
 *       { "id": "i-0123456789abcdef0", "state": "running", "timeMs": 1764403100000,
 *         "sinceMs": 1764400000000, "region": "eu-west-1", "account": "123456789012",
 *         "name": "web-1", "tags": { "Name": "web-1" }, "listed": true },
 *       { "kind": "probe", "id": "probe:www", "state": "up", "timeMs": 1764403150000,
 *         "sinceMs": 1764403150000, "region": "desk", "account": "desk", "name": "www", "tags": {} }
 *     ]
 *   }
 *
 * Contract:
 * - It is a hint, never the truth: the restored items show stale until the first listing
 *   replaces them (level-based: the listing decides what exists).
 * - Bounded: at most MAX_FLEET_FILE_ITEMS items (those with a pixel first, then by id), and
 *   of the tags only those the kind keeps (the layout reads Name and `ec2led:pixel`), so the file stays under
 *   MAX_FLEET_FILE_BYTES whatever the fleet.
 * - `parseFleet` never throws: a corrupt, foreign, oversized, other-version or future-dated file
 *   (`savedAtMs` more than MAX_CLOCK_LAG_MS after `nowMs`) gives an empty fleet and a reason; a bad
 *   entry (one stamped after that bound too) is skipped and counted in the reason. A stamp from the
 *   future would outrank every live change until a listing showed another state (store.ts keeps a
 *   confirmed stamp).
 * - Every registered kind (kinds/kinds.ts KINDS) is kept and restored alike: an entry names its
 *   `kind` (absent: DEFAULT_KIND, as before kinds) and is checked against that kind's own id
 *   pattern, states, region and account (one schema per kind, shared/schema.ts, built from its spec
 *   on first use; a reason names the field and the value); of the tags only the kind's `keptTags` are kept; a kind
 *   this agent does not know is a bad entry, skipped.
 * - `serializeFleet` writes items in id order, so equal fleets give equal text.
 * - The list was called `instances` before items had kinds (0.1.0); a file with `instances` and no
 *   `items` is read the same, until 0.2.0. It is written as `items` only.
 */

import {
  bool,
  check,
  field,
  int,
  isRecord,
  leaf,
  literal,
  object,
  oneOf,
  optional,
  pattern,
  type Schema,
  text,
  unknown,
} from '../../shared/schema.ts';
import { DEFAULT_KIND, isKind, KIND_NAMES, type KindSpec, specOf } from '../kinds/kinds.ts';
import type { Item } from './item.ts';
import { EMPTY_FLEET, type Fleet } from './store.ts';

export const FLEET_FILE_VERSION = 1;
/** A 64x64 board's worth: more items than the largest board has pixels are never shown at once. */
export const MAX_FLEET_FILE_ITEMS = 4096;
/** 4096 items with 256-character names and pixel tags stay under 3 MB; anything larger is not ours. */
export const MAX_FLEET_FILE_BYTES = 4 * 1024 * 1024;
/**
 * How far after the agent's clock a file may be stamped and still be read: a Pi has no battery
 * clock and boots with the time last saved (systemd-timesyncd saves it every 60 s, SaveIntervalSec=,
 * timesyncd.conf(5); fake-hwclock hourly), so its own fleet file can look up to an hour ahead
 * before NTP answers. Anything further is not a clock lag but a bad value.
 */
export const MAX_CLOCK_LAG_MS = 60 * 60 * 1000;
/** EC2 tag values are at most 256 characters. */
const MAX_TAG_LENGTH = 256;

export interface FleetParse {
  readonly fleet: Fleet;
  /** When the file was written (agent clock), or undefined when nothing was read. */
  readonly savedAtMs: number | undefined;
  /** Why some or all of the file was ignored (for a warning); undefined when all of it was used. */
  readonly reason: string | undefined;
}

/** The tags the fleet file keeps of a kind (its spec's `keptTags`): the ones the layout reads. */
const keptTags = (kind: string): readonly string[] => (isKind(kind) ? (specOf(kind).keptTags ?? []) : []);

const byId = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The fleet as text. `shown` (the layout's slots) says which items have a pixel: when the fleet
 * exceeds MAX_FLEET_FILE_ITEMS, those are kept first.
 */
export function serializeFleet(
  fleet: Fleet,
  savedAtMs: number,
  shown?: ReadonlyMap<string, unknown>,
): string {
  let ids = [...fleet.keys()].sort(byId);
  if (ids.length > MAX_FLEET_FILE_ITEMS) {
    const first = ids.filter((id) => shown?.has(id) === true);
    const rest = ids.filter((id) => shown?.has(id) !== true);
    ids = [...first, ...rest].slice(0, MAX_FLEET_FILE_ITEMS).sort(byId);
  }
  const items = ids.map((id) => {
    const instance = fleet.get(id) as Item;
    const tags: Record<string, string> = {};
    for (const key of keptTags(instance.kind)) {
      const value = instance.tags[key];
      if (value !== undefined) tags[key] = value.slice(0, MAX_TAG_LENGTH);
    }
    return {
      ...(instance.kind === DEFAULT_KIND ? {} : { kind: instance.kind }),
      id,
      state: instance.state,
      timeMs: instance.timeMs,
      sinceMs: instance.sinceMs,
      region: instance.region,
      account: instance.account,
      ...(instance.name === undefined ? {} : { name: instance.name.slice(0, MAX_TAG_LENGTH) }),
      tags,
      ...(instance.listed === true ? { listed: true } : {}),
    };
  });
  return `${JSON.stringify({ version: FLEET_FILE_VERSION, savedAtMs, items })}\n`;
}

function empty(reason: string): FleetParse {
  return {
    fleet: EMPTY_FLEET,
    savedAtMs: undefined,
    reason: `${reason}; starting with no fleet (the file is rewritten)`,
  };
}

const EPOCH_MS = int(0, Number.MAX_SAFE_INTEGER, 'epoch milliseconds');

const article = (words: string): string => `${/^[aeiou]/i.test(words) ? 'an' : 'a'} ${words}`;

/** The file around the entries (the list is read as `items`, or 0.1.0's `instances`). */
const fileSchema = object(
  {
    version: literal(FLEET_FILE_VERSION),
    savedAtMs: EPOCH_MS,
    items: optional(unknown()),
    instances: optional(unknown()),
  },
  { what: 'a JSON object' },
);

/**
 * One entry of `spec`'s kind: its id, states, region and account from the spec. Made once per spec
 * (a kind registered later gets its own on first use).
 */
type Entry = {
  id: string;
  state: string;
  timeMs: number;
  sinceMs: number;
  region: string;
  account: string;
  name: string | undefined;
  tags: Record<string, unknown>;
  listed: boolean | undefined;
};
const entrySchemas = new WeakMap<KindSpec, Schema<Entry>>();

function entrySchema(spec: KindSpec): Schema<Entry> {
  const known = entrySchemas.get(spec);
  if (known !== undefined) return known;
  const schema: Schema<Entry> = object({
    id: pattern(spec.idPattern, article(spec.idName)),
    state: oneOf(spec.states, article(`${spec.label} state`)),
    timeMs: EPOCH_MS,
    sinceMs: EPOCH_MS,
    region: pattern(spec.regionPattern, `the region of ${article(spec.label)}`),
    account: pattern(spec.accountPattern, `the account of ${article(spec.label)}`),
    name: optional(text(0, MAX_TAG_LENGTH, `a name of at most ${MAX_TAG_LENGTH} characters`)),
    tags: leaf('an object', isRecord),
    listed: optional(bool()),
  });
  entrySchemas.set(spec, schema);
  return schema;
}

/** One entry as a fleet member of its kind, or why not; stamps after `latestMs` are bad values. */
function itemOf(entry: unknown, latestMs: number): Item | string {
  if (!isRecord(entry)) return 'an entry is not an object';
  const kind = field(entry, 'kind') ?? DEFAULT_KIND;
  if (!isKind(kind))
    return `kind ${JSON.stringify(kind)} is not one this agent knows (${KIND_NAMES.join(', ')})`;
  const spec = specOf(kind);
  const parsed = check(entrySchema(spec), entry, 'entry');
  if (!parsed.ok) {
    const id = field(entry, 'id');
    const named = typeof id === 'string' && spec.idPattern.test(id);
    return named ? `${id}: ${parsed.reason}` : parsed.reason;
  }
  const { id, state, timeMs, sinceMs, region, account, name, tags, listed } = parsed.value;
  if (timeMs > latestMs || sinceMs > latestMs) return `${id}: stamped in the future`;
  const kept: Record<string, string> = {};
  for (const key of keptTags(kind)) {
    const value = field(tags, key);
    if (value === undefined) continue;
    if (typeof value !== 'string' || value.length > MAX_TAG_LENGTH) return `${id}: bad tag ${key}`;
    kept[key] = value;
  }
  return {
    kind,
    id,
    state: state as Item['state'],
    timeMs,
    sinceMs,
    region,
    account,
    name,
    tags: kept,
    ...(listed === true ? { listed: true } : {}),
  };
}

/** A time for a message; a Date cannot hold every safe integer. */
const isoOf = (ms: number): string => {
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? 'beyond any date' : date.toISOString();
};

/** `nowMs`: the agent's clock, which bounds every stamp in the file (see MAX_CLOCK_LAG_MS). */
export function parseFleet(text: string, nowMs: number): FleetParse {
  if (text.length > MAX_FLEET_FILE_BYTES)
    return empty(`fleet file of ${text.length} characters is too large`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return empty(`fleet file is not JSON (${(error as Error).message})`);
  }
  const file = check(fileSchema, parsed, 'fleet file');
  if (!file.ok)
    return empty(file.reason.startsWith('fleet file') ? file.reason : `fleet file ${file.reason}`);
  const latestMs = nowMs + MAX_CLOCK_LAG_MS;
  const { savedAtMs } = file.value;
  if (savedAtMs > latestMs) {
    return empty(
      `fleet file "savedAtMs" ${savedAtMs} (${isoOf(savedAtMs)}) is in the future of this clock (${isoOf(nowMs)}); if the clock is right, the file is not one the agent wrote`,
    );
  }
  // `instances`: the list's name in 0.1.0's files, read until 0.2.0.
  const entries = file.value.items ?? file.value.instances;
  if (!Array.isArray(entries)) return empty('fleet file has no "items" list');
  if (entries.length > MAX_FLEET_FILE_ITEMS) {
    return empty(`fleet file holds ${entries.length} items, more than ${MAX_FLEET_FILE_ITEMS}`);
  }
  const fleet = new Map<string, Item>();
  const skipped: string[] = [];
  for (const entry of entries) {
    const instance = itemOf(entry, latestMs);
    if (typeof instance === 'string') skipped.push(instance);
    else if (fleet.has(instance.id)) skipped.push(`${instance.id} listed twice`);
    else fleet.set(instance.id, instance);
  }
  if (skipped.length === 0) return { fleet, savedAtMs, reason: undefined };
  const shown = skipped.slice(0, 3).join('; ');
  return {
    fleet,
    savedAtMs,
    reason: `fleet file: skipped ${skipped.length} bad entr${skipped.length === 1 ? 'y' : 'ies'} (${shown}${skipped.length > 3 ? '; ...' : ''})`,
  };
}
