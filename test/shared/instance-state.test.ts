import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  INSTANCE_STATES,
  type InstanceState,
  isInstanceState,
  STATE_RANK,
  type StateChange,
  supersedes,
} from '../../shared/instance-state.ts';

const at = (state: InstanceState, timeMs: number) => ({ state, timeMs });

describe('instance states', () => {
  it('has the six EC2 states in lifecycle order', () => {
    expect(INSTANCE_STATES).toEqual([
      'pending',
      'running',
      'stopping',
      'stopped',
      'shutting-down',
      'terminated',
    ]);
    const ranks = INSTANCE_STATES.map((state) => STATE_RANK[state]);
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
    expect(new Set(ranks).size).toBe(6);
  });

  it('recognises only the six states', () => {
    for (const state of INSTANCE_STATES) expect(isInstanceState(state)).toBe(true);
    for (const other of ['rebooting', 'Running', '', 'toString', '__proto__', 1, null, undefined]) {
      expect(isInstanceState(other)).toBe(false);
    }
  });
});

describe('supersedes', () => {
  it('accepts any change when nothing is stored', () => {
    expect(supersedes(at('stopped', 0), undefined)).toBe(true);
  });

  it('replaces an older change and keeps a newer one', () => {
    expect(supersedes(at('stopped', 2000), at('running', 1000))).toBe(true);
    expect(supersedes(at('running', 1000), at('stopped', 2000))).toBe(false);
  });

  it('breaks a same-second tie by lifecycle rank', () => {
    expect(supersedes(at('running', 1000), at('pending', 1000))).toBe(true);
    expect(supersedes(at('pending', 1000), at('running', 1000))).toBe(false);
    expect(supersedes(at('stopped', 1000), at('stopping', 1000))).toBe(true);
  });

  it('does not replace a change with its own duplicate', () => {
    expect(supersedes(at('running', 1000), at('running', 1000))).toBe(false);
  });

  it('never replaces terminated, even with a later change', () => {
    expect(supersedes(at('running', 9000), at('terminated', 1000))).toBe(false);
  });

  it('lets terminated replace any other state whatever its time', () => {
    expect(supersedes(at('terminated', 1000), at('running', 9000))).toBe(true);
  });

  it('shows the documented blind spot: a stop and a start within one second ends stopped', () => {
    expect(supersedes(at('pending', 1000), at('stopped', 1000))).toBe(false);
  });
});

/** Applies changes one by one, as the device's store does. */
function applyAll(changes: readonly StateChange[]): Map<string, StateChange> {
  const stored = new Map<string, StateChange>();
  for (const change of changes) {
    if (supersedes(change, stored.get(change.instanceId))) stored.set(change.instanceId, change);
  }
  return stored;
}

/** The expected final state, computed without `supersedes`: terminated if ever, else latest by (time, rank). */
function expectedState(changes: readonly StateChange[]): InstanceState {
  if (changes.some((change) => change.state === 'terminated')) return 'terminated';
  const latest = [...changes].sort(
    (a, b) => a.timeMs - b.timeMs || STATE_RANK[a.state] - STATE_RANK[b.state],
  );
  return (latest.at(-1) as StateChange).state;
}

const changeArb = fc.record({
  instanceId: fc.constantFrom('i-00000001', 'i-00000002', 'i-0123456789abcdef0'),
  state: fc.constantFrom(...INSTANCE_STATES),
  // A small range of whole seconds, so same-second ties are common.
  timeMs: fc.integer({ min: 0, max: 20 }).map((s) => s * 1000),
});

describe('the ordering contract (property)', () => {
  it('ends on the latest change of each instance for any order and any duplicates', () => {
    fc.assert(
      fc.property(
        fc.array(changeArb, { minLength: 1, maxLength: 40 }).chain((changes) =>
          fc.tuple(
            fc.constant(changes),
            // Delivery: every change at least once, some many times, in any order.
            fc.array(fc.nat({ max: changes.length - 1 }), { maxLength: 40 }).chain((extra) =>
              fc.shuffledSubarray([...changes, ...extra.map((i) => changes[i] as StateChange)], {
                minLength: changes.length + extra.length,
              }),
            ),
          ),
        ),
        ([history, delivered]) => {
          const stored = applyAll(delivered);
          const byInstance = new Map<string, StateChange[]>();
          for (const change of history) {
            byInstance.set(change.instanceId, [...(byInstance.get(change.instanceId) ?? []), change]);
          }
          expect(stored.size).toBe(byInstance.size);
          for (const [instanceId, changes] of byInstance) {
            expect(stored.get(instanceId)?.state).toBe(expectedState(changes));
          }
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('never leaves terminated once it was stored, whatever follows', () => {
    fc.assert(
      fc.property(fc.array(changeArb, { minLength: 1, maxLength: 40 }), (changes) => {
        const stored = new Map<string, StateChange>();
        const terminated = new Set<string>();
        for (const change of changes) {
          if (supersedes(change, stored.get(change.instanceId))) stored.set(change.instanceId, change);
          if (terminated.has(change.instanceId))
            expect(stored.get(change.instanceId)?.state).toBe('terminated');
          if (stored.get(change.instanceId)?.state === 'terminated') terminated.add(change.instanceId);
        }
      }),
      { numRuns: 1000 },
    );
  });
});
