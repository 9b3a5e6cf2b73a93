/**
 * Slots: which pixel shows which instance. Pure: (fleet, previous slots, board, pins, clock) -> layout.
 *
 * Contract (docs/layout.md tells it for users):
 * - Stable: an instance keeps its pixel from one layout to the next (and across restarts, through
 *   slot-file.ts) unless a pin claims that pixel or the overflow indicator needs it.
 * - Pins first, strongest source first: config by id, config by Name, tag `ec2led:pixel`. Two claims
 *   on one pixel: the stronger source wins; same source, the instance already there wins; else the
 *   lowest instance id. The loser is laid out as if unpinned, with a warning.
 * - New instances take free pixels of their kind's zone, in order of kind (kinds.ts order), then
 *   Name (code-unit order, instances without a Name last), then instance id. A zone (config `zones`,
 *   default each kind's `from` in kinds.ts) says where a kind starts: `top`, row by row from the
 *   top-left; `bottom`, row by row from the bottom-left upwards. With `rows`, the zone is that many
 *   rows at its edge, reserved: no other kind gets a new pixel there and the kind gets none
 *   elsewhere. Without, the kind shares every unreserved pixel. Pins ignore zones (they are
 *   explicit); a pixel held from before stays held only inside its kind's zone. Nothing here names a
 *   kind: a new kind gets its zone from kinds.ts and the config.
 * - A terminated instance keeps its pixel, dim, for `graceMs` after it was first seen terminated,
 *   then frees it; it never gets a new pixel, and gives its pixel up early to a newcomer that finds
 *   no free one (a dead instance never keeps a live one off the board). An instance the fleet no
 *   longer holds frees its pixel,
 *   except before the first listing (`listed` false): a restart must not hand out the pixels of
 *   instances it has not heard of yet.
 * - More live instances than pixels: the last pixel (bottom-right) becomes the overflow indicator,
 *   the instances that find no pixel are counted in `overflow`. Who is left out follows the rules above:
 *   pinned and already placed instances keep their pixels, the last new ones in order go without.
 * - Never throws on instance data; bad pins come back as `warnings` (sorted, stable text, so the
 *   caller can log only when they change).
 */
import type { Item } from '../fleet/item.ts';
import type { Fleet } from '../fleet/store.ts';
import { type FillFrom, KIND_NAMES, type Kind, specOf } from '../kinds/kinds.ts';
import { offBoard, PIN_SOURCE_RANK, type PinClaim, type Pixel, pinOf, pixelKey } from './pins.ts';

/** How long a terminated instance keeps its pixel, dim: 10 minutes. */
export const DEFAULT_GRACE_MS = 10 * 60_000;

export type SlotMap = ReadonlyMap<string, Pixel>;

/** Where a kind's new pixels go (config `zones`); unset fields take the kind's defaults. */
export interface Zone {
  readonly from?: FillFrom | undefined;
  /** Reserve this many rows at the `from` edge for the kind alone. Unset: share the board. */
  readonly rows?: number | undefined;
}

export type Zones = Readonly<Partial<Record<Kind, Zone>>>;

export interface SlotInput {
  readonly fleet: Fleet;
  /** The previous layout's slots (or those loaded from the state directory at start). */
  readonly previous: SlotMap;
  readonly width: number;
  readonly height: number;
  /** Config pins: instance id or Name -> "x,y". */
  readonly pins?: Readonly<Record<string, string>>;
  /** Default DEFAULT_GRACE_MS. */
  readonly graceMs?: number;
  /** Per kind, where its new pixels go; default each kind's `from`, no reserved rows. */
  readonly zones?: Zones | undefined;
  readonly nowMs: number;
  /** A listing has been applied since start (sync state `listedAtMs !== undefined`). */
  readonly listed: boolean;
}

export interface Layout {
  readonly width: number;
  readonly height: number;
  /** Item id -> pixel. Before the first listing it also holds reserved pixels of unseen items. */
  readonly slots: SlotMap;
  /** Instances shown nowhere for want of a pixel. */
  readonly overflow: number;
  /** The bottom-right pixel while `overflow` > 0. */
  readonly overflowPixel: Pixel | undefined;
  readonly warnings: readonly string[];
  /** When a terminated instance's grace ends: lay out again then. */
  readonly nextExpiryAtMs: number | undefined;
}

const OVERFLOW = Symbol('overflow');

function byId(a: { readonly id: string }, b: { readonly id: string }): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** Order of new instances: by Name (unnamed last), then id; plain code-unit comparison. */
function newOrder(a: Item, b: Item): number {
  const an = a.name === undefined || a.name === '' ? undefined : a.name;
  const bn = b.name === undefined || b.name === '' ? undefined : b.name;
  if (an !== bn) {
    if (an === undefined) return 1;
    if (bn === undefined) return -1;
    return an < bn ? -1 : 1;
  }
  return byId(a, b);
}

/** The board's rows per kind: who reserves each row, and each kind's fill order of pixels. */
interface ZoneMap {
  readonly allowed: (kind: Kind, pixel: Pixel) => boolean;
  /** Every pixel the kind may get, in its fill order. */
  readonly order: (kind: Kind) => readonly Pixel[];
  readonly warnings: readonly string[];
}

function zoneMap(zones: Zones, width: number, height: number): ZoneMap {
  const owner: (Kind | undefined)[] = Array.from({ length: height }, () => undefined);
  const confined = new Set<Kind>();
  const warnings: string[] = [];
  for (const kind of KIND_NAMES) {
    const rows = zones[kind]?.rows;
    if (rows === undefined) continue;
    confined.add(kind);
    const from = zones[kind]?.from ?? specOf(kind).from;
    for (let i = 0; i < Math.min(rows, height); i++) {
      const y = from === 'top' ? i : height - 1 - i;
      const holder = owner[y];
      if (holder === undefined) owner[y] = kind;
      else warnings.push(`zones: row ${y} is reserved for ${holder} already; ${kind} does not get it`);
    }
  }
  const allowed = (kind: Kind, pixel: Pixel) => {
    const holder = owner[pixel.y];
    return holder === undefined ? !confined.has(kind) : holder === kind;
  };
  const orders = new Map<Kind, Pixel[]>();
  const order = (kind: Kind) => {
    let found = orders.get(kind);
    if (found === undefined) {
      const from = zones[kind]?.from ?? specOf(kind).from;
      found = [];
      for (let row = 0; row < height; row++) {
        const y = from === 'top' ? row : height - 1 - row;
        for (let x = 0; x < width; x++) if (allowed(kind, { x, y })) found.push({ x, y });
      }
      orders.set(kind, found);
    }
    return found;
  };
  return { allowed, order, warnings };
}

const KIND_INDEX: ReadonlyMap<Kind, number> = new Map(KIND_NAMES.map((kind, i) => [kind, i]));

function kindOrder(a: Item, b: Item): number {
  return a.kind === b.kind ? 0 : (KIND_INDEX.get(a.kind) ?? 0) - (KIND_INDEX.get(b.kind) ?? 0);
}

export function assignSlots(input: SlotInput): Layout {
  const first = place(input, undefined);
  // A kind whose zone is full overflows even on a board with room elsewhere: then lay out again
  // with the overflow indicator in place.
  return first.overflow > 0 && first.overflowPixel === undefined ? place(input, true) : first;
}

function place(input: SlotInput, forceOverflow: true | undefined): Layout {
  const { fleet, previous, width, height, nowMs } = input;
  const zones = zoneMap(input.zones ?? {}, width, height);
  const graceMs = input.graceMs ?? DEFAULT_GRACE_MS;
  const size = width * height;
  const warnings = new Set<string>(zones.warnings);
  const onBoard = (pixel: Pixel | undefined): pixel is Pixel =>
    pixel !== undefined && offBoard(pixel, width, height) === undefined;

  // Live instances want a pixel; terminated ones within their grace may keep the one they have.
  const live: Item[] = [];
  const dying: Item[] = [];
  for (const instance of fleet.values()) {
    if (instance.state !== 'terminated') live.push(instance);
    else if (onBoard(previous.get(instance.id)) && nowMs < instance.sinceMs + graceMs) dying.push(instance);
  }
  live.sort(byId);
  dying.sort(byId);
  const reserved = input.listed ? [] : [...previous.keys()].filter((id) => !fleet.has(id)).sort();

  const taken = new Map<string, string | typeof OVERFLOW>();
  const slots = new Map<string, Pixel>();
  const take = (id: string, pixel: Pixel) => {
    taken.set(pixelKey(pixel), id);
    slots.set(id, pixel);
  };
  // Terminated instances never count: they give way before anyone is left out.
  const demand = live.length + reserved.filter((id) => onBoard(previous.get(id))).length;
  const overflowPixel = demand > size || forceOverflow === true ? { x: width - 1, y: height - 1 } : undefined;
  if (overflowPixel !== undefined) taken.set(pixelKey(overflowPixel), OVERFLOW);

  // 1. Pins of live instances.
  const claims: PinClaim[] = [];
  for (const instance of live) {
    const pin = pinOf(instance, input.pins ?? {}, width, height);
    for (const warning of pin.warnings) warnings.add(warning);
    if (pin.claim !== undefined) claims.push(pin.claim);
  }
  const wasThere = (claim: PinClaim) => {
    const before = previous.get(claim.id);
    return before !== undefined && pixelKey(before) === pixelKey(claim.pixel) ? 0 : 1;
  };
  claims.sort(
    (a, b) =>
      PIN_SOURCE_RANK[a.source] - PIN_SOURCE_RANK[b.source] ||
      wasThere(a) - wasThere(b) ||
      byId({ id: a.id }, { id: b.id }),
  );
  for (const claim of claims) {
    const holder = taken.get(pixelKey(claim.pixel));
    const at = `${claim.source} pin of ${claim.id} to "${pixelKey(claim.pixel)}"`;
    if (holder === undefined) take(claim.id, claim.pixel);
    else if (holder === OVERFLOW) warnings.add(`${at} yields to the overflow indicator`);
    else warnings.add(`${at} lost to ${holder}, pinned there first`);
  }

  // 2. Pixels already held by live instances (inside their zone), then 3. pixels reserved for
  // instances not seen yet.
  const holds = (id: string, pixel: Pixel) => {
    const instance = fleet.get(id);
    return instance === undefined || zones.allowed(instance.kind, pixel);
  };
  for (const id of [...live.map((i) => i.id), ...reserved]) {
    const before = previous.get(id);
    if (!slots.has(id) && onBoard(before) && !taken.has(pixelKey(before)) && holds(id, before))
      take(id, before);
  }
  // 4. Terminated instances keep their pixel, unless a newcomer needs it (5).
  const yielding = new Map<string, string>();
  for (const instance of dying) {
    const key = pixelKey(previous.get(instance.id) as Pixel);
    if (!taken.has(key)) yielding.set(key, instance.id);
  }

  // 5. Newcomers, kind by kind, each through its zone: free pixels first, then terminated instances' ones.
  const newcomers = live.filter((i) => !slots.has(i.id)).sort((a, b) => kindOrder(a, b) || newOrder(a, b));
  // Pixels only ever go from free or yielding to taken here, so each kind's two cursors only advance.
  const cursors = new Map<Kind, { free: number; yielding: number }>();
  const next = (kind: Kind): Pixel | undefined => {
    const pixels = zones.order(kind);
    const at = cursors.get(kind) ?? { free: 0, yielding: 0 };
    cursors.set(kind, at);
    const isFree = (p: Pixel) => !taken.has(pixelKey(p)) && !yielding.has(pixelKey(p));
    while (at.free < pixels.length && !isFree(pixels[at.free] as Pixel)) at.free++;
    if (at.free < pixels.length) return pixels[at.free];
    while (at.yielding < pixels.length && !yielding.has(pixelKey(pixels[at.yielding] as Pixel)))
      at.yielding++;
    return pixels[at.yielding];
  };
  let overflow = 0;
  for (const instance of newcomers) {
    const pixel = next(instance.kind);
    if (pixel === undefined) overflow++;
    else {
      yielding.delete(pixelKey(pixel));
      take(instance.id, pixel);
    }
  }
  let nextExpiryAtMs: number | undefined;
  for (const [key, id] of yielding) {
    const instance = fleet.get(id) as Item;
    const endsAtMs = instance.sinceMs + graceMs;
    nextExpiryAtMs = Math.min(nextExpiryAtMs ?? endsAtMs, endsAtMs);
    take(id, previous.get(id) as Pixel);
    taken.set(key, id);
  }

  return {
    width,
    height,
    slots,
    overflow,
    overflowPixel,
    warnings: [...warnings].sort(),
    nextExpiryAtMs,
  };
}

/** Same instances on the same pixels (to decide whether to save). */
export function sameSlots(a: SlotMap, b: SlotMap): boolean {
  if (a.size !== b.size) return false;
  for (const [id, pixel] of a) {
    const other = b.get(id);
    if (other === undefined || other.x !== pixel.x || other.y !== pixel.y) return false;
  }
  return true;
}
