/**
 * A fake of everything the sync talks to: IoT Core (an MQTT session that can be rejoined or lost),
 * EC2 (listings that fail, throttle, take time, or come back as a page that does not parse) and the
 * agent's timers, on one virtual clock.
 *
 * It knows the true history of every instance, so it can answer DescribeInstances at any time, and it
 * delivers that history as live messages that it drops, duplicates, delays (so reorders) and holds
 * across disconnects, plus forged messages (stamped a year ahead, or `terminated` stamped long ago). It
 * carries out the sync's commands exactly as the agent must, feeds every event through `step`, and
 * checks after every message that no instance went back to an older state, and after every listing
 * that the fleet equals it but for what arrived while it ran.
 */

import { breakPage, type PageFault } from '../../../../device/demo/fake-ec2.ts';
import type { Change, ItemDetails, Snapshot } from '../../../../device/fleet/item.ts';
import { changeSupersedes } from '../../../../device/fleet/order.ts';
import type { Fleet } from '../../../../device/fleet/store.ts';
import {
  initialSyncState,
  listingEventTime,
  type SyncEvent,
  type SyncState,
  step,
} from '../../../../device/fleet/sync.ts';
import type { KindState } from '../../../../device/kinds/kinds.ts';
import { specOf } from '../../../../device/kinds/kinds.ts';
import { checkDescribeInstancesPage } from '../../../../device/sources/ec2-page.ts';

/** A terminated instance disappears from listings this long after it terminated (EC2: about an hour). */
export const VANISH_MS = 8000;

export interface TrueInstance {
  readonly id: string;
  readonly region: string;
  readonly account: string;
  readonly name: string;
  /**
   * Absent: an EC2 instance. Any other registered kind (kinds/kinds.ts): an alarm's id is its ARN,
   * and the name of any kind that is not described is never empty.
   */
  readonly kind?: string;
}

/** A change's rank for same-stamp ties, whatever its kind (order.ts). */
function rankOf(change: Change): number {
  return specOf(change.kind).severity[change.state] ?? -1;
}

export interface Outage {
  readonly atMs: number;
  readonly durationMs: number;
  /** Whether the broker resumes the session (and its subscription and queued messages). */
  readonly rejoined: boolean;
}

export interface ListingOutcome {
  readonly fail: boolean;
  readonly throttled: boolean;
  /**
   * The page comes back spoiled by this fault (a proxy's padding, cut short, an HTML page...): it goes
   * through the agent's page check (sources/ec2-page.ts), which must refuse it (a failed listing) or,
   * when the fault left it right (padding an empty page), find the true count in it.
   */
  readonly unparsable?: PageFault | undefined;
  readonly durationMs: number;
  /** The listing shows the truth this long after it started (at most durationMs). */
  readonly lagMs: number;
}

export interface Script {
  readonly instances: readonly TrueInstance[];
  /** The true history, every change at a whole second, terminated last for its instance. */
  readonly history: readonly Change[];
  /** Message copies: history index, and delay after the change happened. No copy: dropped. */
  readonly deliveries: readonly { readonly index: number; readonly delayMs: number }[];
  readonly outages: readonly Outage[];
  /** Outcomes of successive listings; once used up, listings succeed at once. */
  readonly listings: readonly ListingOutcome[];
  readonly describeFails: readonly boolean[];
  /** Forged messages, each published at `atMs` (and then delivered like any other). */
  readonly forged: readonly { readonly atMs: number; readonly change: Change }[];
  /** True: messages the broker cannot deliver are lost. False: held until they can be delivered. */
  readonly lossy: boolean;
  readonly seed: number;
}

/** The true history as given, sorted by the ordering rule and cut after `terminated`. */
export function trueHistory(changes: readonly Change[]): Change[] {
  const sorted = [...changes].sort(
    (a, b) => a.id.localeCompare(b.id) || a.timeMs - b.timeMs || rankOf(a) - rankOf(b),
  );
  const out: Change[] = [];
  for (const change of sorted) {
    const last = out.at(-1);
    if (last?.id === change.id && (last.state === 'terminated' || !changeSupersedes(change, last))) continue;
    out.push(change);
  }
  return out;
}

/** What DescribeInstances returns at `atMs`: instances launched and not vanished, in their state. */
export function truthAt(script: Script, atMs: number): Map<string, KindState> {
  const truth = new Map<string, KindState>();
  const vanished = new Set<string>();
  for (const change of script.history) {
    if (change.timeMs > atMs) continue;
    truth.set(change.id, change.state);
    if (change.state === 'terminated' && atMs >= change.timeMs + VANISH_MS) vanished.add(change.id);
  }
  for (const id of vanished) truth.delete(id);
  return truth;
}

/** A DescribeInstancesResponse page of `instances`, as EC2 would send it (one reservation each). */
function pageOf(instances: readonly ItemDetails[]): string {
  const items = instances
    .map(
      (d, n) =>
        `<item><reservationId>r-${n}</reservationId><ownerId>${d.account}</ownerId><instancesSet><item>` +
        `<instanceId>${d.id}</instanceId><instanceState><name>${d.state}</name></instanceState>` +
        '</item></instancesSet></item>',
    )
    .join('');
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n<DescribeInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">' +
    `<requestId>fake</requestId><reservationSet>${items}</reservationSet></DescribeInstancesResponse>`
  );
}

function forgedKey(change: Pick<Change, 'state' | 'timeMs'> & { readonly id: string }) {
  return `${change.id}:${change.state}@${change.timeMs}`;
}

function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

interface Timed {
  readonly atMs: number;
  readonly seq: number;
  readonly run: () => void;
}

export class FakeSource {
  readonly script: Script;
  state: SyncState;
  nowMs = 0;
  /** Start time and true time of every applied listing's snapshot, in order. */
  readonly listings: { startedAtMs: number; truthAtMs: number }[] = [];
  /** Counts of what happened, for the properties' coverage checks. */
  readonly seen = {
    steps: 0,
    messages: 0,
    lost: 0,
    held: 0,
    listFailures: 0,
    cancelledListings: 0,
    reconnects: 0,
    resubscribes: 0,
    echoesDropped: 0,
    /** A listing replaced a state that a forged message had set. */
    forgedOverridden: 0,
    /** A forged message was dropped for its stamp beyond the clock. */
    futureDropped: 0,
    /** A listing's page did not parse and the listing failed. */
    unparsable: 0,
  };
  #queue: Timed[] = [];
  #forged = new Set<string>();
  /** Every message the sync was fed, with when. */
  #received: { atMs: number; change: Change }[] = [];
  #seq = 0;
  #random: () => number;
  #connected = false;
  #connectedAtMs = 0;
  #epoch = 0;
  #brokerSubscribed = false;
  #held: Change[] = [];
  #nextListing = 0;
  #nextDescribe = 0;
  #resyncToken = 0;
  /** Bumped by `cancel-list`: a listing (or its pending start) of an older token reports nothing. */
  #listToken = 0;
  /** Timers (resync) due after this are not armed: the run must end. */
  #horizonMs = Number.POSITIVE_INFINITY;
  #final = false;

  constructor(script: Script, resyncMinutes: number) {
    this.script = script;
    this.state = initialSyncState({ resyncMinutes });
    this.#random = seeded(script.seed);
    const delivered = new Set(script.deliveries.map((delivery) => delivery.index));
    this.seen.lost = script.history.filter((_, index) => !delivered.has(index)).length;
    this.#at(0, () => this.#connect(false, true));
    for (const { index, delayMs } of script.deliveries) {
      const change = script.history[index] as Change;
      this.#at(change.timeMs + delayMs, () => this.#deliver(change));
    }
    for (const { atMs, change } of script.forged) {
      this.#forged.add(forgedKey(change));
      this.#at(atMs, () => this.#deliver(change));
    }
    for (const outage of script.outages) {
      this.#at(outage.atMs, () => this.#disconnect());
      this.#at(outage.atMs + outage.durationMs, () => this.#connect(outage.rejoined, false));
    }
  }

  get fleet(): Fleet {
    return this.state.fleet;
  }

  /** The broker holds the sync's subscription and no message waits for one. */
  get subscribedAtBroker(): boolean {
    return this.#connected && this.#brokerSubscribed && this.#held.length === 0;
  }

  /** Runs every scheduled event in time order; timers beyond `horizonMs` are not armed. */
  run(horizonMs: number): void {
    this.#horizonMs = horizonMs;
    for (let guard = 0; this.#queue.length > 0; guard++) {
      if (guard > 100_000) throw new Error('fake source did not quiesce');
      this.#queue.sort((a, b) => a.atMs - b.atMs || a.seq - b.seq);
      const next = this.#queue.shift() as Timed;
      this.nowMs = Math.max(this.nowMs, next.atMs);
      next.run();
    }
  }

  /**
   * Asks for one more listing at `fromMs` (after every change), as soon as the sync is connected and
   * idle, with every listing from then on succeeding. Messages still in flight arrive after it.
   */
  scheduleFinalRelist(fromMs: number): void {
    const poll = () => {
      this.#final = true;
      if (
        this.state.connected &&
        this.state.listing === undefined &&
        this.state.subscription === 'confirmed'
      ) {
        this.#feed({ type: 'resync-due' });
      } else this.#at(this.nowMs + 500, poll);
    };
    this.#at(fromMs, poll);
  }

  #at(atMs: number, run: () => void): void {
    this.#queue.push({ atMs, seq: this.#seq++, run });
  }

  #feed(event: SyncEvent): void {
    const before = this.state.fleet;
    const { state, commands } = step(this.state, event, this.nowMs, this.#random);
    this.seen.steps++;
    if (event.type === 'message') {
      this.seen.messages++;
      this.#received.push({ atMs: this.nowMs, change: event.change });
      if (state.futureDropped > this.state.futureDropped) this.seen.futureDropped++;
      else if (!state.fleet.has(event.change.id)) this.seen.echoesDropped++;
    }
    if (event.type === 'list-failed') this.seen.listFailures++;
    const lastListing = this.listings.at(-1);
    if (state.synced && !(state.connected && lastListing && lastListing.startedAtMs >= this.#connectedAtMs)) {
      throw new Error(`synced after ${event.type} without a listing started since the connection`);
    }
    for (const [id, was] of before) {
      const now = state.fleet.get(id);
      if (now === undefined || !changeSupersedes(was, now)) continue;
      // A listing is the truth at its start and may restamp or replace any state: #checkListed holds
      // it to the snapshot instead.
      if (event.type !== 'listed') {
        throw new Error(`${id} went back from ${was.state}@${was.timeMs} to ${now.state}@${now.timeMs}`);
      }
      if (this.#forged.has(forgedKey(was))) this.seen.forgedOverridden++;
    }
    if (event.type === 'listed') this.#checkListed(event.snapshot, state.fleet);
    this.state = state;
    for (const command of commands) {
      switch (command.type) {
        case 'subscribe': {
          if (this.#epoch > 1) this.seen.resubscribes++;
          const epoch = this.#epoch;
          this.#at(this.nowMs + 20, () => {
            if (!this.#connected || epoch !== this.#epoch) return;
            this.#brokerSubscribed = true;
            this.#feed({ type: 'subscribed' });
            this.#flushHeld();
          });
          break;
        }
        case 'list':
          // A listing must start after the subscription: a change between the two would be lost.
          if (!this.#connected || !this.#brokerSubscribed) {
            throw new Error(`list requested after ${event.type} while the broker holds no subscription`);
          }
          {
            const token = this.#listToken;
            this.#at(this.nowMs + command.afterMs, () => token === this.#listToken && this.#list());
          }
          break;
        case 'cancel-list':
          this.seen.cancelledListings++;
          this.#listToken++;
          break;
        case 'schedule-resync': {
          const token = ++this.#resyncToken;
          const atMs = this.nowMs + command.afterMs;
          if (atMs <= this.#horizonMs) {
            this.#at(atMs, () => token === this.#resyncToken && this.#feed({ type: 'resync-due' }));
          }
          break;
        }
        case 'schedule-describe':
          this.#at(this.nowMs + command.afterMs, () =>
            this.#feed({ type: 'describe-due', region: command.region }),
          );
          break;
        case 'describe': {
          const fail = this.script.describeFails[this.#nextDescribe++] ?? false;
          const truth = truthAt(this.script, this.nowMs);
          this.#at(this.nowMs + 30, () =>
            this.#feed(
              fail
                ? {
                    type: 'describe-failed',
                    region: command.region,
                    ids: command.ids,
                    reason: 'fake failure',
                  }
                : {
                    type: 'described',
                    ids: command.ids,
                    details: this.#details(truth).filter((d) => command.ids.includes(d.id)),
                  },
            ),
          );
          break;
        }
        case 'render':
          break;
      }
    }
  }

  /**
   * Right after a listing, the fleet equals it, but for changes received since it started that are
   * stamped after it (or, for an instance it lacks, after its start).
   */
  #checkListed(snapshot: Snapshot, fleet: Fleet): void {
    const listedAt = listingEventTime(snapshot.startedAtMs);
    const since = this.#received.filter(({ atMs }) => atMs >= snapshot.startedAtMs);
    const explained = (id: string, state: KindState, afterMs: number) =>
      since.some(({ change }) => change.id === id && change.state === state && change.timeMs > afterMs);
    const listed = new Map(snapshot.items.map((details) => [details.id, details.state]));
    for (const [id, state] of listed) {
      const shown = fleet.get(id)?.state;
      if (shown !== state && !(shown !== undefined && explained(id, shown, listedAt))) {
        throw new Error(`${id} shows ${shown} right after a listing that says ${state}`);
      }
    }
    for (const [id, instance] of fleet) {
      if (!listed.has(id) && !explained(id, instance.state, snapshot.startedAtMs)) {
        throw new Error(`${id} (${instance.state}) is shown right after a listing that lacks it`);
      }
    }
  }

  #details(truth: Map<string, KindState>): ItemDetails[] {
    return this.script.instances
      .filter((instance) => truth.has(instance.id))
      .map((instance): ItemDetails => {
        const common = { id: instance.id, region: instance.region, account: instance.account };
        const state = truth.get(instance.id) as KindState;
        // A described kind (the instance) carries its name as a tag; the others in the change.
        return instance.kind === undefined
          ? { ...common, state, name: instance.name, tags: { Name: instance.name } }
          : { ...common, kind: instance.kind, state, name: instance.name, tags: {} };
      });
  }

  #list(): void {
    const startedAtMs = this.nowMs;
    const outcome: ListingOutcome = (!this.#final && this.script.listings[this.#nextListing++]) || {
      fail: false,
      throttled: false,
      durationMs: 200,
      lagMs: 100,
    };
    const truthAtMs = startedAtMs + Math.min(outcome.lagMs, outcome.durationMs);
    const token = this.#listToken;
    this.#at(startedAtMs + outcome.durationMs, () => {
      if (token !== this.#listToken) return;
      if (outcome.fail) {
        this.#feed({ type: 'list-failed', throttled: outcome.throttled, reason: 'fake failure' });
        return;
      }
      const instances = this.#details(truthAt(this.script, truthAtMs));
      if (outcome.unparsable !== undefined) {
        const page = breakPage(pageOf(instances), outcome.unparsable);
        const check = checkDescribeInstancesPage(typeof page === 'string' ? page : page.toString('latin1'));
        if (!check.ok) {
          this.seen.unparsable++;
          this.#feed({ type: 'list-failed', throttled: false, reason: check.problem });
          return;
        }
        // Accepted: then it must be the truth, never what a lenient reader makes of a broken page.
        if (check.instances !== instances.length) {
          throw new Error(`a ${outcome.unparsable} page was taken as a listing of ${check.instances}`);
        }
      }
      const snapshot: Snapshot = { startedAtMs, items: instances };
      this.listings.push({ startedAtMs, truthAtMs });
      this.#feed({ type: 'listed', snapshot });
    });
  }

  #deliver(change: Change): void {
    if (this.#connected && this.#brokerSubscribed) this.#feed({ type: 'message', change });
    else if (!this.script.lossy || (!this.#connected && this.#brokerSubscribed)) {
      this.seen.held++;
      this.#held.push(change);
    } else this.seen.lost++; // no subscription at the broker
  }

  #flushHeld(): void {
    const held = this.#held;
    this.#held = [];
    held.forEach((change, i) => {
      this.#at(this.nowMs + 1 + i, () => this.#deliver(change));
    });
  }

  #disconnect(): void {
    if (!this.#connected) return;
    this.#connected = false;
    this.#epoch++;
    this.#feed({ type: 'disconnected' });
  }

  #connect(rejoined: boolean, first: boolean): void {
    if (this.#connected) return;
    this.#connected = true;
    this.#connectedAtMs = this.nowMs;
    this.#epoch++;
    if (!first) this.seen.reconnects++;
    if (!rejoined) {
      this.#brokerSubscribed = false;
      if (this.script.lossy) this.#held = [];
    }
    this.#feed({ type: 'connected', rejoined, first });
    if (this.#brokerSubscribed) this.#flushHeld();
  }
}
