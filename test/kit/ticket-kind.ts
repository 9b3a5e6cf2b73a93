/**
 * A kind defined entirely in the tests: a "ticket" of a fake tracker (open / in-progress /
 * resolved), its spec and its source, to prove that a kind costs one spec and one source and that
 * nothing under device/ names it. Register it with `registerTicketKind()` before the
 * code under test reads the registry (before `startAgent`, `pictureSettings`, `parseConfig`) and call
 * the undo it returns in `afterAll`.
 */
import type { Change, ItemDetails, Snapshot } from '../../device/fleet/item.ts';
import { type KindSpec, registerKind } from '../../device/kinds/kinds.ts';
import type { ItemSink, ItemSource } from '../../device/sources/item-source.ts';

export const TICKET_KIND = 'ticket';
export const TICKET_STATES = ['open', 'in-progress', 'resolved'] as const;
export type TicketState = (typeof TICKET_STATES)[number];
/** Where a ticket lives: its region and account are this fixed word, like a desk probe's `desk`. */
export const TRACKER = 'tracker';
/** The EventBridge envelope of a ticket's state change, for replay. */
export const TICKET_SOURCE = 'test.tracker';
export const TICKET_DETAIL_TYPE = 'Ticket State Change';

/** `ticket:` and a key such as OPS-12. */
export const ticketId = (key: string): string => `ticket:${key}`;

export const TICKET_SPEC: KindSpec<TicketState> = {
  name: TICKET_KIND,
  label: 'ticket',
  states: TICKET_STATES,
  // Hues no other state or indicator uses.
  defaultColors: { open: '#ff4040', 'in-progress': '#806000', resolved: '#002010' },
  pulsing: new Set(['in-progress']),
  flashing: new Set(['open']),
  urgent: new Set(['open']),
  from: 'bottom',
  idPattern: /^ticket:[A-Z]{1,10}-\d{1,6}$/,
  idName: 'ticket id ("ticket:" and its key)',
  regionPattern: /^tracker$/,
  accountPattern: /^tracker$/,
  severity: { resolved: 0, 'in-progress': 1, open: 2 },
  events: [
    {
      source: TICKET_SOURCE,
      detailType: TICKET_DETAIL_TYPE,
      translate(event) {
        const { detail, time, id } = event as {
          detail?: { key?: unknown; state?: unknown };
          time?: unknown;
          id?: unknown;
        };
        const key = detail?.key;
        const state = detail?.state;
        if (typeof key !== 'string' || !/^[A-Z]{1,10}-\d{1,6}$/.test(key))
          return { reason: 'detail.key is not a ticket key' };
        if (!(TICKET_STATES as readonly unknown[]).includes(state))
          return { reason: `detail.state ${String(state)} is not a ticket state` };
        const timeMs = typeof time === 'string' ? Date.parse(time) : Number.NaN;
        if (!Number.isFinite(timeMs)) return { reason: 'time is not a date' };
        return {
          change: ticketChange(key, state as TicketState, timeMs, typeof id === 'string' ? id : undefined),
        };
      },
    },
  ],
};

/** Adds the ticket kind to the registry; returns the undo. */
export function registerTicketKind(): () => void {
  return registerKind(TICKET_SPEC);
}

export function ticketChange(key: string, state: TicketState, timeMs: number, eventId?: string): Change {
  return {
    kind: TICKET_KIND,
    id: ticketId(key),
    name: key,
    state,
    timeMs,
    region: TRACKER,
    account: TRACKER,
    ...(eventId === undefined ? {} : { eventId }),
  };
}

/** A ticket event as the tracker's EventBridge rule would deliver it (for replay). */
export function ticketEvent(key: string, state: TicketState, time: string, id = `${key}-${state}`): unknown {
  return {
    version: '0',
    id,
    source: TICKET_SOURCE,
    'detail-type': TICKET_DETAIL_TYPE,
    time,
    detail: { key, state },
  };
}

/**
 * The fake tracker as an item source: `tickets` is its truth; `start` lists it once, `relist()`
 * lists it again, `send` delivers one change as a live message (any stamp, any order, any number of
 * times), as a webhook would.
 */
export class TicketSource implements ItemSource {
  readonly kinds = [TICKET_KIND];
  readonly tickets = new Map<string, TicketState>();
  #sink: ItemSink | undefined;
  #now: () => number;

  constructor(initial: Readonly<Record<string, TicketState>> = {}, now: () => number = Date.now) {
    for (const [key, state] of Object.entries(initial)) this.tickets.set(key, state);
    this.#now = now;
  }

  get started(): boolean {
    return this.#sink !== undefined;
  }

  start(sink: ItemSink): void {
    this.#sink = sink;
    this.relist();
  }

  async stop(): Promise<void> {
    this.#sink = undefined;
  }

  snapshot(): Snapshot {
    const instances: ItemDetails[] = [...this.tickets].map(([key, state]) => ({
      kind: TICKET_KIND,
      id: ticketId(key),
      state,
      region: TRACKER,
      account: TRACKER,
      name: key,
      tags: {},
    }));
    return { startedAtMs: this.#now(), kinds: this.kinds, items: instances };
  }

  relist(): void {
    this.#sink?.listed(this.snapshot());
  }

  send(change: Change): void {
    this.#sink?.change(change);
  }
}
