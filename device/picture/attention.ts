/**
 * "I've seen it" (pure): acknowledgements and snoozes of the items on the board, as plain data and
 * functions of the fleet and `nowMs`. The agent holds one `Attention`, changes it through
 * `acknowledge` / `snooze` / `unsnooze` (from the HAT's buttons, the web board, Home Assistant or the
 * CLI), and `reconcileAttention` brings it in line with the fleet before every picture.
 *
 * Contract:
 * - Only an item in an urgent state (kinds.ts `isUrgent`), or whose pixel shows an urgent notice
 *   (`UrgentNoticeOf`, given by the caller), can be acknowledged. An acknowledgement holds the state
 *   and the time the item entered it (`sinceMs`, which the store moves only when the state changes):
 *   it ends by itself when the item is seen in another state or entered its state again, so a new
 *   urgent state later flashes again even if the way out was missed. An item's urgent state comes
 *   first; otherwise an acknowledgement holds its notice as the state `notice:<code>` since the
 *   notice's start, and ends when that notice no longer shows (once a listing has been applied, as
 *   for a gone item: the notices are not kept across a restart).
 * - A snooze covers one item, or a whole kind, until `untilMs`. It remembers the state of each item
 *   it covers when it began (the baseline); an item whose state becomes worse than that (its kind's `isWorse`, kinds/kinds.ts: by severity)
 *   is no longer covered: an item snooze ends, a kind snooze lets that item go. Items of a snoozed
 *   kind that appear later are covered as they are when first seen.
 * - A covered item (acknowledged, or snoozed) in an urgent state shows the quiet look (render.ts): no
 *   flash, no urgency for night mode. It keeps its pixel and its legend entry, which says who did it,
 *   when, and until when.
 * - Entries whose item is gone are dropped only once a listing has been applied (`listed`): a fleet
 *   restored at start, or none, must not end what the file brought back. Expired snoozes are dropped.
 * - Nothing here names a kind: urgency and ranks come from kinds.ts and fleet/order.ts.
 */

import type { Item } from '../fleet/item.ts';
import type { Fleet } from '../fleet/store.ts';
import { isKind, isUrgent, isWorse, type Kind } from '../kinds/kinds.ts';

/** Who asked: the HAT's buttons, the web board, Home Assistant or `ec2led ack/snooze`. */
export const ATTENTION_SOURCES = ['button', 'web', 'home-assistant', 'cli'] as const;
export type AttentionBy = (typeof ATTENTION_SOURCES)[number];

/**
 * Every urgent item, one item by id (or by its name when no other item has it), or a whole kind
 * (snooze and unsnooze only).
 */
export type AttentionTarget = { readonly all: true } | { readonly id: string } | { readonly kind: string };

/**
 * The urgent notice an item's pixel shows (fleet/notices.ts `urgentNoticeOf`), or undefined. The
 * caller says which notices are urgent, so nothing here names one.
 */
export type UrgentNoticeOf = (id: string) => { readonly code: string; readonly startMs: number } | undefined;
const NO_NOTICE: UrgentNoticeOf = () => undefined;

/** The state an acknowledgement of a notice holds: `notice:<code>`. */
export const NOTICE_STATE_PREFIX = 'notice:';

/** What an acknowledgement of `item` would hold now: its urgent state, else its urgent notice. */
function urgentHold(
  item: Item,
  noticeOf: UrgentNoticeOf,
): { readonly state: string; readonly sinceMs: number } | undefined {
  if (isUrgent(item.kind, item.state)) return { state: item.state, sinceMs: item.sinceMs };
  const notice = noticeOf(item.id);
  return notice === undefined
    ? undefined
    : { state: `${NOTICE_STATE_PREFIX}${notice.code}`, sinceMs: notice.startMs };
}

/** Whether `ack` still holds for `item`: the same state since the same time, or the same notice. */
function holds(ack: Acknowledgement, item: Item, noticeOf: UrgentNoticeOf): boolean {
  if (ack.state === item.state && ack.sinceMs === item.sinceMs) return true;
  // An urgent state comes first: a notice's acknowledgement does not quiet it.
  if (!ack.state.startsWith(NOTICE_STATE_PREFIX) || isUrgent(item.kind, item.state)) return false;
  const notice = noticeOf(item.id);
  return (
    notice !== undefined &&
    ack.state === `${NOTICE_STATE_PREFIX}${notice.code}` &&
    ack.sinceMs === notice.startMs
  );
}

/** A snooze when the caller does not say: one hour. */
export const DEFAULT_SNOOZE_MS = 3_600_000;
/** The longest snooze: a week (longer is a silenced alarm, which belongs in CloudWatch). */
export const MAX_SNOOZE_MS = 7 * 24 * 3_600_000;

export interface Acknowledgement {
  readonly id: string;
  /** The urgent state acknowledged, and when the item entered it (Item.sinceMs). */
  readonly state: string;
  readonly sinceMs: number;
  readonly by: AttentionBy;
  readonly atMs: number;
}

export interface ItemSnooze {
  readonly id: string;
  /** The item's state when the snooze began: a worse one ends it. */
  readonly state: string;
  readonly by: AttentionBy;
  readonly atMs: number;
  readonly untilMs: number;
}

export interface KindSnooze {
  readonly kind: Kind;
  readonly by: AttentionBy;
  readonly atMs: number;
  readonly untilMs: number;
  /** Each item covered, with its state when first covered. */
  readonly baseline: ReadonlyMap<string, string>;
  /** Items let go (worse, or unsnoozed by id): no longer covered by this snooze. */
  readonly released: ReadonlySet<string>;
}

export interface Attention {
  readonly acknowledged: ReadonlyMap<string, Acknowledgement>;
  readonly items: ReadonlyMap<string, ItemSnooze>;
  readonly kinds: ReadonlyMap<Kind, KindSnooze>;
}

export const NO_ATTENTION: Attention = { acknowledged: new Map(), items: new Map(), kinds: new Map() };

/** What the legend says of one item (legend.ts `LegendEntry.attention`). */
export interface ItemAttention {
  readonly acknowledged?: { readonly by: AttentionBy; readonly atMs: number };
  readonly snoozed?: {
    readonly by: AttentionBy;
    readonly atMs: number;
    readonly untilMs: number;
    /** Present, true, when the snooze is of the item's whole kind. */
    readonly kind?: true;
  };
}

/** The attention one item has at `nowMs`: acknowledged and/or snoozed; undefined when neither. */
export function attentionOf(
  attention: Attention,
  item: Item,
  nowMs: number,
  noticeOf: UrgentNoticeOf = NO_NOTICE,
): ItemAttention | undefined {
  const ack = attention.acknowledged.get(item.id);
  const acknowledged =
    ack !== undefined && holds(ack, item, noticeOf) ? { by: ack.by, atMs: ack.atMs } : undefined;
  const own = attention.items.get(item.id);
  let snoozed: ItemAttention['snoozed'];
  if (own !== undefined && nowMs < own.untilMs && !isWorse(item.kind, own.state, item.state)) {
    snoozed = { by: own.by, atMs: own.atMs, untilMs: own.untilMs };
  } else {
    const whole = attention.kinds.get(item.kind);
    const from = whole?.baseline.get(item.id) ?? item.state;
    if (
      whole !== undefined &&
      nowMs < whole.untilMs &&
      !whole.released.has(item.id) &&
      !isWorse(item.kind, from, item.state)
    )
      snoozed = { by: whole.by, atMs: whole.atMs, untilMs: whole.untilMs, kind: true };
  }
  if (acknowledged === undefined && snoozed === undefined) return undefined;
  return { ...(acknowledged && { acknowledged }), ...(snoozed && { snoozed }) };
}

/** `attentionOf` every item of `fleet` that has any, by id (computed once per change, not per frame). */
export function attentionMarks(
  attention: Attention,
  fleet: Fleet,
  nowMs: number,
  noticeOf: UrgentNoticeOf = NO_NOTICE,
): ReadonlyMap<string, ItemAttention> {
  const marks = new Map<string, ItemAttention>();
  if (attention.acknowledged.size === 0 && attention.items.size === 0 && attention.kinds.size === 0)
    return marks;
  for (const item of fleet.values()) {
    const mark = attentionOf(attention, item, nowMs, noticeOf);
    if (mark !== undefined) marks.set(item.id, mark);
  }
  return marks;
}

/** True when an item of `kind` in `state` with this attention shows the quiet look (no urgency). */
export function isQuiet(kind: Kind, state: string, attention: ItemAttention | undefined): boolean {
  return attention !== undefined && isUrgent(kind, state);
}

/** Why an entry ended by itself, for the log. */
export interface AttentionEnded {
  readonly what: 'acknowledgement' | 'snooze';
  /** The item, or the kind of a kind snooze (with `id` the item it let go, when only one went). */
  readonly id?: string;
  readonly kind?: Kind;
  readonly reason: 'state changed' | 'notice ended' | 'worse' | 'expired' | 'gone';
}

export interface Reconciled {
  /** The same object when nothing changed. */
  readonly attention: Attention;
  readonly ended: readonly AttentionEnded[];
}

/** Brings `attention` in line with `fleet` at `nowMs` (see the contract). */
export function reconcileAttention(
  attention: Attention,
  fleet: Fleet,
  nowMs: number,
  listed: boolean,
  noticeOf: UrgentNoticeOf = NO_NOTICE,
): Reconciled {
  if (attention.acknowledged.size === 0 && attention.items.size === 0 && attention.kinds.size === 0)
    return { attention, ended: [] }; // every frame of a board nobody acknowledged: no work
  // Maps are copied only when something ends or changes: an animation frame allocates nothing.
  const ended: AttentionEnded[] = [];
  let acknowledged = attention.acknowledged;
  for (const [id, ack] of attention.acknowledged) {
    const item = fleet.get(id);
    const reason =
      item === undefined
        ? listed
          ? 'gone'
          : undefined
        : holds(ack, item, noticeOf)
          ? undefined
          : !ack.state.startsWith(NOTICE_STATE_PREFIX) || isUrgent(item.kind, item.state)
            ? 'state changed'
            : listed
              ? 'notice ended'
              : undefined;
    if (reason === undefined) continue;
    ended.push({ what: 'acknowledgement', id, reason });
    if (acknowledged === attention.acknowledged) acknowledged = new Map(acknowledged);
    (acknowledged as Map<string, Acknowledgement>).delete(id);
  }
  let items = attention.items;
  for (const [id, snooze] of attention.items) {
    const item = fleet.get(id);
    const reason =
      nowMs >= snooze.untilMs
        ? 'expired'
        : item === undefined
          ? listed
            ? 'gone'
            : undefined
          : isWorse(item.kind, snooze.state, item.state)
            ? 'worse'
            : undefined;
    if (reason === undefined) continue;
    ended.push({ what: 'snooze', id, reason });
    if (items === attention.items) items = new Map(items);
    (items as Map<string, ItemSnooze>).delete(id);
  }
  let kinds = attention.kinds;
  const setKind = (kind: Kind, next: KindSnooze | undefined): void => {
    const copy = kinds === attention.kinds ? new Map(kinds) : (kinds as Map<Kind, KindSnooze>);
    if (next === undefined) copy.delete(kind);
    else copy.set(kind, next);
    kinds = copy;
  };
  for (const [kind, snooze] of attention.kinds) {
    if (nowMs >= snooze.untilMs) {
      ended.push({ what: 'snooze', kind, reason: 'expired' });
      setKind(kind, undefined);
      continue;
    }
    let baseline: Map<string, string> | undefined;
    let released: Set<string> | undefined;
    const own = () => {
      baseline ??= new Map(snooze.baseline);
      released ??= new Set(snooze.released);
      return { baseline, released };
    };
    for (const item of fleet.values()) {
      if (item.kind !== kind || snooze.released.has(item.id)) continue;
      const from = snooze.baseline.get(item.id);
      if (from === undefined) own().baseline.set(item.id, item.state);
      else if (isWorse(kind, from, item.state)) {
        own().baseline.delete(item.id);
        own().released.add(item.id);
        ended.push({ what: 'snooze', kind, id: item.id, reason: 'worse' });
      }
    }
    if (listed) {
      for (const id of snooze.baseline.keys()) if (!fleet.has(id)) own().baseline.delete(id);
      for (const id of snooze.released) if (!fleet.has(id)) own().released.delete(id);
    }
    if (baseline !== undefined && released !== undefined) setKind(kind, { ...snooze, baseline, released });
  }
  const same =
    acknowledged === attention.acknowledged && items === attention.items && kinds === attention.kinds;
  return { attention: same ? attention : { acknowledged, items, kinds }, ended };
}

export type AttentionResult =
  | {
      readonly ok: true;
      readonly attention: Attention;
      /** The items (or the kind) the action took effect on; empty when there was nothing to do. */
      readonly ids: readonly string[];
      /** For a person: "acknowledged 2 items", "nothing urgent to acknowledge". */
      readonly message: string;
    }
  | { readonly ok: false; readonly reason: string };

const fail = (reason: string): AttentionResult => ({ ok: false, reason });
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
const LISTED = '`ec2led status` lists the items on the board';

function named(item: Item): string {
  return item.name !== undefined && item.name !== '' && item.name !== item.id
    ? `${JSON.stringify(item.name)} (${item.id})`
    : item.id;
}

/** The item `id` names: its id, or its name when unique (resolveItem). */
function itemOf(fleet: Fleet, id: string): Item | AttentionResult {
  const found = resolveItem(fleet, id);
  return 'reason' in found ? fail(found.reason) : (fleet.get(found.id) as Item);
}

/** The items in an urgent state or showing an urgent notice. */
function urgentItems(fleet: Fleet, noticeOf: UrgentNoticeOf): Item[] {
  return [...fleet.values()].filter((item) => urgentHold(item, noticeOf) !== undefined);
}

/**
 * Acknowledges every urgent item (`all`) or one (`id`); a kind cannot be acknowledged. An item showing
 * an urgent notice (`noticeOf`) counts as urgent.
 */
export function acknowledge(
  attention: Attention,
  fleet: Fleet,
  target: AttentionTarget,
  by: AttentionBy,
  nowMs: number,
  noticeOf: UrgentNoticeOf = NO_NOTICE,
): AttentionResult {
  let chosen: Item[];
  if ('kind' in target)
    return fail('a kind cannot be acknowledged, only its urgent items: give an item, or all of them');
  if ('all' in target) {
    chosen = urgentItems(fleet, noticeOf).filter(
      (item) => attentionOf(attention, item, nowMs, noticeOf)?.acknowledged === undefined,
    );
    if (chosen.length === 0)
      return { ok: true, attention, ids: [], message: 'nothing urgent to acknowledge' };
  } else {
    const item = itemOf(fleet, target.id);
    if ('ok' in item) return item;
    if (urgentHold(item, noticeOf) === undefined)
      return fail(
        `${named(item)} is ${item.state}, which is not urgent, and shows no urgent notice: only a flashing (urgent) item can be acknowledged`,
      );
    chosen = [item];
  }
  const acknowledged = new Map(attention.acknowledged);
  for (const item of chosen) {
    const hold = urgentHold(item, noticeOf) as { state: string; sinceMs: number };
    acknowledged.set(item.id, { id: item.id, ...hold, by, atMs: nowMs });
  }
  return {
    ok: true,
    attention: { ...attention, acknowledged },
    ids: chosen.map((item) => item.id),
    message: `acknowledged ${chosen.length === 1 ? named(chosen[0] as Item) : plural(chosen.length, 'item')}`,
  };
}

/** A duration a snooze may have, or why not. */
export function checkSnoozeMs(durationMs: unknown): string | undefined {
  if (typeof durationMs !== 'number' || !Number.isInteger(durationMs) || durationMs < 60_000)
    return `a snooze of ${JSON.stringify(durationMs)} ms is too short or not a whole number; give at least 1 minute (e.g. 30m, 2h)`;
  if (durationMs > MAX_SNOOZE_MS)
    return `a snooze of ${durationMs} ms is longer than the 7 days allowed; give at most 7d`;
  return undefined;
}

/**
 * Snoozes every urgent item (`all`, those showing an urgent notice included), one item (in any state)
 * or a whole kind, for `durationMs`.
 */
export function snooze(
  attention: Attention,
  fleet: Fleet,
  target: AttentionTarget,
  durationMs: number,
  by: AttentionBy,
  nowMs: number,
  noticeOf: UrgentNoticeOf = NO_NOTICE,
): AttentionResult {
  const bad = checkSnoozeMs(durationMs);
  if (bad !== undefined) return fail(bad);
  const untilMs = nowMs + durationMs;
  if ('kind' in target) {
    if (!isKind(target.kind))
      return fail(`no kind ${JSON.stringify(target.kind)}; give one of the kinds the board shows`);
    const kind = target.kind;
    const baseline = new Map(
      [...fleet.values()].filter((item) => item.kind === kind).map((item) => [item.id, item.state] as const),
    );
    const kinds = new Map(attention.kinds);
    kinds.set(kind, { kind, by, atMs: nowMs, untilMs, baseline, released: new Set() });
    return {
      ok: true,
      attention: { ...attention, kinds },
      ids: [kind],
      message: `snoozed every ${kind} until ${new Date(untilMs).toISOString()}`,
    };
  }
  let chosen: Item[];
  if ('all' in target) {
    chosen = urgentItems(fleet, noticeOf);
    if (chosen.length === 0) return { ok: true, attention, ids: [], message: 'nothing urgent to snooze' };
  } else {
    const item = itemOf(fleet, target.id);
    if ('ok' in item) return item;
    chosen = [item];
  }
  const items = new Map(attention.items);
  for (const item of chosen) items.set(item.id, { id: item.id, state: item.state, by, atMs: nowMs, untilMs });
  const what = chosen.length === 1 ? named(chosen[0] as Item) : plural(chosen.length, 'item');
  return {
    ok: true,
    attention: { ...attention, items },
    ids: chosen.map((item) => item.id),
    message: `snoozed ${what} until ${new Date(untilMs).toISOString()}`,
  };
}

/**
 * Ends the snooze of one item (also letting it go from its kind's), of a kind, or every snooze. An
 * item is named by id, or by name when `fleet` has exactly one item of that name.
 */
export function unsnooze(
  attention: Attention,
  target: AttentionTarget,
  fleet: Fleet = new Map(),
): AttentionResult {
  if ('all' in target) {
    const ids = [...attention.items.keys(), ...attention.kinds.keys()];
    return {
      ok: true,
      attention: { ...attention, items: new Map(), kinds: new Map() },
      ids,
      message: ids.length === 0 ? 'nothing was snoozed' : `ended ${plural(ids.length, 'snooze')}`,
    };
  }
  if ('kind' in target) {
    if (!isKind(target.kind) || !attention.kinds.has(target.kind))
      return fail(`no snooze of kind ${JSON.stringify(target.kind)}; ${LISTED} and their snoozes`);
    const kinds = new Map(attention.kinds);
    kinds.delete(target.kind);
    return {
      ok: true,
      attention: { ...attention, kinds },
      ids: [target.kind],
      message: `unsnoozed every ${target.kind}`,
    };
  }
  const named = resolveItem(fleet, target.id);
  const id = 'id' in named && !attention.items.has(target.id) ? named.id : target.id;
  const items = new Map(attention.items);
  const had = items.delete(id);
  const kinds = new Map(attention.kinds);
  let released = false;
  for (const [kind, snooze] of attention.kinds) {
    if (!snooze.baseline.has(id) || snooze.released.has(id)) continue;
    const baseline = new Map(snooze.baseline);
    baseline.delete(id);
    kinds.set(kind, { ...snooze, baseline, released: new Set([...snooze.released, id]) });
    released = true;
  }
  if (!had && !released) return fail(`${JSON.stringify(id)} is not snoozed; ${LISTED} and their snoozes`);
  return { ok: true, attention: { ...attention, items, kinds }, ids: [id], message: `unsnoozed ${id}` };
}

/**
 * An item named on a command line: its id, or its name when exactly one item has it. The error says
 * which ids share a name.
 */
export function resolveItem(fleet: Fleet, text: string): { id: string } | { reason: string } {
  if (fleet.has(text)) return { id: text };
  if (text === '') return { reason: `an empty item name; ${LISTED}` };
  const matches = [...fleet.values()].filter((item) => item.name === text);
  if (matches.length === 1) return { id: (matches[0] as Item).id };
  if (matches.length === 0)
    return { reason: `no item with the id or name ${JSON.stringify(text)} on the board; ${LISTED}` };
  const ids = matches.slice(0, 5).map((item) => item.id);
  return {
    reason: `${matches.length} items are named ${JSON.stringify(text)} (${ids.join(', ')}${matches.length > 5 ? ', …' : ''}); give the id instead`,
  };
}

/** When the next snooze expires (a wake-up for the picture), or undefined. */
export function nextExpiryMs(attention: Attention): number | undefined {
  const times = [...attention.items.values(), ...attention.kinds.values()].map((s) => s.untilMs);
  return times.length === 0 ? undefined : Math.min(...times);
}

/**
 * The urgent item to highlight after `afterId`, in pixel order (row by row), cycling; undefined when
 * no pixel shows an urgent state or an urgent notice.
 */
export function nextUrgent(
  pixels: readonly {
    readonly entry: {
      readonly kind: Kind;
      readonly id: string;
      readonly state: string;
      readonly notice?: { readonly urgent?: true } | undefined;
    } | null;
  }[],
  afterId: string | undefined,
): string | undefined {
  const ids = pixels.flatMap(({ entry }) =>
    entry !== null && (isUrgent(entry.kind, entry.state) || entry.notice?.urgent === true) ? [entry.id] : [],
  );
  if (ids.length === 0) return undefined;
  const at = afterId === undefined ? -1 : ids.indexOf(afterId);
  return ids[(at + 1) % ids.length];
}

/** What a command answers its caller: what it did, or why it did nothing (naming the fix). */
export type AttentionReply =
  | { readonly ok: true; readonly ids: readonly string[]; readonly message: string }
  | { readonly ok: false; readonly reason: string };

/**
 * The agent's acknowledge and snooze, for every place they come from (the HAT's buttons, the web
 * board, Home Assistant, the CLI). `durationMs` defaults to DEFAULT_SNOOZE_MS.
 */
export interface AttentionControl {
  acknowledge(target: AttentionTarget, by: AttentionBy): AttentionReply;
  snooze(target: AttentionTarget, durationMs: number | undefined, by: AttentionBy): AttentionReply;
  unsnooze(target: AttentionTarget, by: AttentionBy): AttentionReply;
  /**
   * Blinks the next urgent pixel (cycling through them) for a few seconds and names it on the web
   * board and in `ec2led status`; undefined when nothing is urgent.
   */
  highlightNextUrgent(by: AttentionBy): { readonly id: string; readonly name: string } | undefined;
}
