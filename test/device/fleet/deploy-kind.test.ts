/**
 * Deploys in the fleet: the same store as every kind, with their own ordering (order.ts): the run's
 * start first, then the state's time, then the kind's severity (kinds.ts). Reordered and duplicated changes
 * converge (property); a late event of an older run never outranks a newer run; a listing is the
 * truth at its start; the store keeps the settled state before the current one (the "fixed" look).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Change, ItemDetails } from '../../../device/fleet/item.ts';
import { changeSupersedes } from '../../../device/fleet/order.ts';
import {
  applyChange,
  applyChanges,
  EMPTY_FLEET,
  type Fleet,
  replaceWithSnapshot,
} from '../../../device/fleet/store.ts';
import { DEPLOY_STATES, type DeployState } from '../../../shared/deploy-message.ts';

const ACCOUNT = '123456789012';
const PIPELINE = `arn:aws:codepipeline:eu-west-1:${ACCOUNT}:shop`;
const SERVICE = `arn:aws:ecs:eu-west-1:${ACCOUNT}:service/prod/cart`;

function deploy(state: DeployState, startMs: number, timeMs: number, id = PIPELINE): Change {
  return {
    kind: 'deploy',
    id,
    name: id.slice(id.search(/[^:/]+$/)),
    state,
    startMs,
    timeMs,
    region: 'eu-west-1',
    account: ACCOUNT,
  };
}

const summary = (fleet: Fleet) => [...fleet.values()].map((d) => [d.id, d.state, d.startMs, d.timeMs]).sort();

describe('deploy ordering (order.ts)', () => {
  it('lets a newer run outrank any state of an older one, however late its event', () => {
    const newerStarted = deploy('deploying', 2000, 2000);
    const olderFailedLate = deploy('deploy-failed', 1000, 9000);
    expect(changeSupersedes(olderFailedLate, newerStarted)).toBe(false);
    expect(changeSupersedes(newerStarted, olderFailedLate)).toBe(true);
  });

  it('within one run, takes the later state time (a retried execution resumes after failing)', () => {
    expect(changeSupersedes(deploy('deploying', 1000, 3000), deploy('deploy-failed', 1000, 2000))).toBe(true);
    expect(changeSupersedes(deploy('deploy-failed', 1000, 2000), deploy('deploying', 1000, 3000))).toBe(
      false,
    );
  });

  it('breaks a same-stamp tie towards the louder state', () => {
    expect(changeSupersedes(deploy('deploy-failed', 1000, 2000), deploy('deployed', 1000, 2000))).toBe(true);
    expect(changeSupersedes(deploy('deployed', 1000, 2000), deploy('deploying', 1000, 2000))).toBe(true);
    expect(changeSupersedes(deploy('deploying', 1000, 2000), deploy('deployed', 1000, 2000))).toBe(false);
  });

  it('converges whatever the order and the duplicates of the changes (property)', () => {
    const change = fc
      .record({
        id: fc.constantFrom(PIPELINE, SERVICE),
        state: fc.constantFrom(...DEPLOY_STATES),
        run: fc.integer({ min: 0, max: 3 }),
        after: fc.integer({ min: 0, max: 3 }),
      })
      .map(({ id, state, run, after }) => deploy(state, 1_000 * run, 1_000 * run + 100 * after, id));
    fc.assert(
      fc.property(
        fc.array(change, { minLength: 1, maxLength: 12 }),
        fc.array(fc.nat(), { maxLength: 12 }),
        fc.integer({ min: 0, max: 1_000 }),
        (changes, duplicates, seed) => {
          const reference = summary(applyChanges(EMPTY_FLEET, changes, 0));
          const withCopies = [...changes, ...duplicates.map((i) => changes[i % changes.length] as Change)];
          const shuffled = fc.sample(fc.shuffledSubarray(withCopies, { minLength: withCopies.length }), {
            seed,
            numRuns: 1,
          })[0] as Change[];
          let fleet: Fleet = EMPTY_FLEET;
          for (const c of shuffled) fleet = applyChange(fleet, c, 0);
          expect(summary(fleet)).toEqual(reference);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('deploys in the store', () => {
  it('takes a listing as the truth at its start, and a late event of the listed older run does not undo it', () => {
    const listed: ItemDetails = {
      kind: 'deploy',
      id: PIPELINE,
      state: 'deploying',
      startMs: 5_000,
      region: 'eu-west-1',
      account: ACCOUNT,
      name: 'shop',
      tags: {},
    };
    let fleet = applyChange(EMPTY_FLEET, deploy('deploy-failed', 1_000, 2_000), 2_000);
    fleet = replaceWithSnapshot(fleet, { startedAtMs: 10_000, items: [listed] }, 10_000);
    expect(fleet.get(PIPELINE)).toMatchObject({ state: 'deploying', startMs: 5_000, listed: true });
    // The older run's FAILED event, delivered late (stamped after the listing): still older.
    expect(applyChange(fleet, deploy('deploy-failed', 1_000, 11_000), 11_000)).toBe(fleet);
    // The listed run's SUCCEEDED, after the listing: moves it.
    expect(applyChange(fleet, deploy('deployed', 5_000, 12_000), 12_000).get(PIPELINE)?.state).toBe(
      'deployed',
    );
  });

  it('keeps the settled state before the current one, passing over the pulsing state in between', () => {
    let fleet = applyChange(EMPTY_FLEET, deploy('deploy-failed', 1_000, 1_000), 1_000);
    fleet = applyChange(fleet, deploy('deploying', 2_000, 2_000), 2_000);
    expect(fleet.get(PIPELINE)?.previousState).toBe('deploy-failed');
    fleet = applyChange(fleet, deploy('deployed', 2_000, 3_000), 3_000);
    expect(fleet.get(PIPELINE)).toMatchObject({
      state: 'deployed',
      previousState: 'deploy-failed',
      sinceMs: 3_000,
    });
    fleet = applyChange(fleet, deploy('deploying', 4_000, 4_000), 4_000);
    fleet = applyChange(fleet, deploy('deployed', 4_000, 5_000), 5_000);
    expect(fleet.get(PIPELINE)?.previousState).toBe('deployed');
  });
});
