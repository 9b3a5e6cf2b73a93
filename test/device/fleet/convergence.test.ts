/**
 * The ordering contract of shared/ lifted to the whole sync: whatever the feed does (drops,
 * duplicates, reorders, disconnects, rejoined or fresh sessions, failed and throttled listings, forged
 * stamps and forged terminations, listings whose page does not parse), the fleet converges on the truth. The fake also checks, at every
 * step, that no instance goes back to an older state, that `synced` never claims a listing the current
 * connection did not make, and right after every listing that the board equals the listing but for
 * what arrived while it ran. The pool holds items of every registered kind beside the instances
 * (two CloudWatch alarms, a desk probe, a pipeline and an ECS service, and the test-defined ticket of test/kit/ticket-kind.ts): the
 * same listing and the same rules (each by its kind's own ordering, order.ts) must bring them to the
 * truth too.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { PAGE_FAULTS } from '../../../device/demo/fake-ec2.ts';
import type { Change } from '../../../device/fleet/item.ts';
import { MAX_CLOCK_SKEW_MS } from '../../../device/fleet/sync.ts';
import { KIND_NAMES, specOf } from '../../../device/kinds/kinds.ts';
import { INSTANCE_STATES } from '../../../shared/instance-state.ts';
import { registerTicketKind, TRACKER, ticketId } from '../../kit/ticket-kind.ts';

// Registered before the pool is built: the property runs over every registered kind.
const unregisterTicket = registerTicketKind();

import { FakeSource, type Script, type TrueInstance, trueHistory, truthAt } from './fakes/fake-source.ts';

const POOL: readonly TrueInstance[] = [
  { id: 'i-00000001', region: 'us-east-1', account: '111111111111', name: 'web-1' },
  { id: 'i-00000002', region: 'us-east-1', account: '111111111111', name: 'web-2' },
  { id: 'i-0123456789abcdef0', region: 'eu-west-1', account: '111111111111', name: 'db' },
  { id: 'i-0fedcba987654321f', region: 'eu-west-1', account: '222222222222', name: 'batch' },
  { id: 'i-0000000a', region: 'us-east-1', account: '222222222222', name: '' },
  {
    id: 'arn:aws:cloudwatch:us-east-1:111111111111:alarm:web-5xx',
    region: 'us-east-1',
    account: '111111111111',
    name: 'web-5xx',
    kind: 'alarm',
  },
  {
    id: 'arn:aws:cloudwatch:eu-west-1:111111111111:alarm:check-www',
    region: 'eu-west-1',
    account: '111111111111',
    name: 'check-www',
    kind: 'alarm',
  },
  { id: 'probe:www', region: 'desk', account: 'desk', name: 'www', kind: 'probe' },
  {
    id: 'arn:aws:codepipeline:eu-west-1:111111111111:shop-web',
    region: 'eu-west-1',
    account: '111111111111',
    name: 'shop-web',
    kind: 'deploy',
  },
  {
    id: 'arn:aws:ecs:eu-west-1:111111111111:service/prod/shop-cart',
    region: 'eu-west-1',
    account: '111111111111',
    name: 'shop-cart',
    kind: 'deploy',
  },
  { id: ticketId('OPS-1'), region: TRACKER, account: TRACKER, name: 'OPS-1', kind: 'ticket' },
  { id: ticketId('OPS-2'), region: TRACKER, account: TRACKER, name: 'OPS-2', kind: 'ticket' },
];

/** Every registered kind has items in the pool: a kind added without one fails here. */
const POOL_KINDS = new Set(POOL.map((item) => item.kind ?? 'instance'));

/**
 * A change of `instance`; an item of another kind takes its kind's state at the instance state's
 * index (mod the number of its states), and carries its name.
 */
function changeOf(instance: TrueInstance, state: (typeof INSTANCE_STATES)[number], timeMs: number): Change {
  const common = { id: instance.id, timeMs, region: instance.region, account: instance.account };
  if (instance.kind === undefined) return { ...common, state };
  const states = specOf(instance.kind).states;
  const kindState = states[INSTANCE_STATES.indexOf(state) % states.length] as string;
  return { ...common, kind: instance.kind, name: instance.name, state: kindState };
}

const RUNS = 1500;

interface Shape {
  readonly lossy: boolean;
  /** Changes happen in whole seconds 0..lastSecond. */
  readonly lastSecond: number;
  /** Outages start in 0..lastOutageMs. */
  readonly lastOutageMs: number;
  /** A message copy arrives up to this long after its change. */
  readonly maxDelayMs: number;
  /** Up to this many forged messages, published before the last outage can start. */
  readonly maxForged: number;
}

const YEAR_MS = 365 * 24 * 3600 * 1000;

/** The stamp of a forged message published at `atMs`. 1 ms: never the whole second of a real event. */
const FORGED_STAMP = {
  'year-ahead': (atMs: number) => atMs + YEAR_MS,
  'within-skew': (atMs: number) => atMs + MAX_CLOCK_SKEW_MS / 2,
  ancient: () => 1,
} as const;

function scriptArb(shape: Shape): fc.Arbitrary<Script> {
  return fc
    .record({
      instances: fc.subarray([...POOL], { minLength: 1 }),
      raw: fc.array(
        fc.record({
          pick: fc.nat(),
          state: fc.constantFrom(...INSTANCE_STATES),
          // Whole seconds in a small range, so same-second ties are common.
          second: fc.integer({ min: 0, max: shape.lastSecond }),
        }),
        { minLength: 1, maxLength: 25 },
      ),
      copies: fc.array(
        fc.array(fc.integer({ min: 0, max: shape.maxDelayMs }), {
          minLength: shape.lossy ? 0 : 1,
          maxLength: 3,
        }),
        { minLength: 25, maxLength: 25 },
      ),
      outages: fc.array(
        fc.record({
          atMs: fc.integer({ min: 0, max: shape.lastOutageMs }),
          // From shorter than a SUBACK (20 ms) to longer than most listings.
          durationMs: fc.oneof(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 41, max: 5000 })),
          rejoined: fc.boolean(),
        }),
        { maxLength: 4 },
      ),
      listings: fc.array(
        fc.record({
          fail: fc.boolean(),
          throttled: fc.boolean(),
          durationMs: fc.integer({ min: 0, max: 3000 }),
          lagMs: fc.integer({ min: 0, max: 3000 }),
          // A page spoiled on the way (a proxy's padding, cut short, an HTML page...) in half of them.
          unparsable: fc.option(fc.constantFrom(...PAGE_FAULTS), { freq: 2, nil: undefined }),
        }),
        { maxLength: 8 },
      ),
      describeFails: fc.array(fc.boolean(), { maxLength: 6 }),
      forgedRaw: fc.array(
        fc.record({
          atMs: fc.integer({ min: 0, max: shape.lastOutageMs }),
          pick: fc.nat(),
          stamp: fc.constantFrom(...(Object.keys(FORGED_STAMP) as (keyof typeof FORGED_STAMP)[])),
          // Forged terminations are the most damaging: half of them.
          state: fc.oneof(fc.constant('terminated' as const), fc.constantFrom(...INSTANCE_STATES)),
        }),
        { maxLength: shape.maxForged },
      ),
      seed: fc.nat(),
    })
    .map(({ instances, raw, copies, outages, listings, describeFails, forgedRaw, seed }) => {
      const changes: Change[] = raw.map(({ pick, state, second }) => {
        const instance = instances[pick % instances.length] as TrueInstance;
        return changeOf(instance, state, second * 1000);
      });
      const history = trueHistory(changes);
      const deliveries = history.flatMap((_, index) =>
        (copies[index] ?? []).map((delayMs) => ({ index, delayMs })),
      );
      const forged = forgedRaw.map(({ atMs, pick, stamp, state }) => {
        const instance = instances[pick % instances.length] as TrueInstance;
        const change = changeOf(instance, state, FORGED_STAMP[stamp](atMs));
        return { atMs, change };
      });
      return {
        instances,
        history,
        deliveries,
        outages,
        listings,
        describeFails,
        forged,
        lossy: shape.lossy,
        seed,
      };
    });
}

function latestByInstance(history: readonly Change[]): Map<string, Change> {
  const latest = new Map<string, Change>();
  for (const change of history) latest.set(change.id, change); // history is in rule order
  return latest;
}

/** How many runs saw each situation: a property that never meets a situation proves nothing about it. */
function coverage() {
  const runs = {
    lost: 0,
    held: 0,
    listFailures: 0,
    cancelledListings: 0,
    reconnects: 0,
    resubscribes: 0,
    echoesDropped: 0,
    forgedOverridden: 0,
    futureDropped: 0,
    unparsable: 0,
  };
  return {
    runs,
    count(seen: Record<keyof typeof runs, number>) {
      for (const key of Object.keys(runs) as (keyof typeof runs)[]) if (seen[key] > 0) runs[key]++;
    },
  };
}

describe('sync convergence (property)', () => {
  const lossy = coverage();
  const lossless = coverage();

  it('holds items of every registered kind in its pool, the test-defined ticket included', () => {
    expect([...POOL_KINDS].sort()).toEqual([...KIND_NAMES].sort());
    expect(KIND_NAMES).toContain('ticket');
  });

  afterAll(() => {
    unregisterTicket();
    // Each situation in at least a tenth of the runs of the property that can meet it.
    const lossyKeys = [
      'lost',
      'listFailures',
      'cancelledListings',
      'reconnects',
      'resubscribes',
      'echoesDropped',
      'forgedOverridden',
      'futureDropped',
      'unparsable',
    ] as const;
    for (const key of lossyKeys) {
      expect(lossy.runs[key], `lossy runs with ${key}`).toBeGreaterThan(RUNS / 10);
    }
    for (const key of [
      'held',
      'listFailures',
      'cancelledListings',
      'reconnects',
      'resubscribes',
      'unparsable',
    ] as const) {
      expect(lossless.runs[key], `lossless runs with ${key}`).toBeGreaterThan(RUNS / 10);
    }
  });

  it('equals the truth after any drops, duplicates, reorders, disconnects, forgeries and pages that do not parse, once relisted', () => {
    // Changes end at 20 s and outages by 33 s; the final relist asks at 40 s, late copies arrive
    // until 80 s, and no resync timer is armed after 40 s: the late echoes meet no further listing.
    // Forged messages go out by 28 s: the final listing starts after every one of them arrived.
    const shape: Shape = {
      lossy: true,
      lastSecond: 20,
      lastOutageMs: 28_000,
      maxDelayMs: 60_000,
      maxForged: 3,
    };
    fc.assert(
      fc.property(scriptArb(shape), (script) => {
        const source = new FakeSource(script, 0.1); // resync every 6 s
        source.scheduleFinalRelist(40_000);
        source.run(40_000);
        lossy.count(source.seen);
        const final = source.listings.at(-1);
        expect(final?.startedAtMs).toBeGreaterThanOrEqual(40_000);
        const truth = truthAt(script, final?.truthAtMs ?? 0);
        const fleet = source.fleet;
        expect([...fleet.keys()].sort()).toEqual([...truth.keys()].sort());
        for (const [id, state] of truth) {
          expect(fleet.get(id)?.state, id).toBe(state);
          expect(fleet.get(id)?.name, id).toBe(script.instances.find((i) => i.id === id)?.name);
        }
        expect(source.state.synced).toBe(true);
        expect(source.subscribedAtBroker).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });

  it('ends on the latest change of every instance when nothing is dropped, without a final relist', () => {
    // No periodic resync (15 minutes): only the listings of (re)connections, so messages carry
    // every change after the last one.
    const shape: Shape = {
      lossy: false,
      lastSecond: 30,
      lastOutageMs: 20_000,
      maxDelayMs: 6000,
      maxForged: 0,
    };
    fc.assert(
      fc.property(scriptArb(shape), (script) => {
        const source = new FakeSource(script, 15);
        source.run(60_000);
        lossless.count(source.seen);
        const latest = latestByInstance(script.history);
        for (const id of source.fleet.keys()) expect(latest.has(id), id).toBe(true);
        for (const [id, change] of latest) {
          const stored = source.fleet.get(id);
          // Absent only when a listing no longer returned it: terminated long enough to vanish.
          if (stored === undefined) expect(change.state, id).toBe('terminated');
          else expect(stored.state, id).toBe(change.state);
        }
        expect(source.subscribedAtBroker).toBe(true);
        expect(source.state.synced).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });
});
