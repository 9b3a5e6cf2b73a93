/** One account that cannot be listed: its instances stay, stale; the other accounts stay live. */
import { describe, expect, it } from 'vitest';
import type { ItemDetails } from '../../../device/fleet/item.ts';
import { initialSyncState, type SyncEvent, type SyncState, step } from '../../../device/fleet/sync.ts';
import { listed } from '../../kit/builders.ts';

const PROD = '111111111111';
const STAGING = '222222222222';

function run(events: readonly [number, SyncEvent][]): SyncState {
  let state = initialSyncState();
  for (const [nowMs, event] of events) state = step(state, event, nowMs, () => 0.5).state;
  return state;
}

const states = (state: SyncState) => Object.fromEntries([...state.fleet].map(([id, i]) => [id, i.state]));
const START: [number, SyncEvent][] = [
  [0, { type: 'connected', rejoined: false, first: true }],
  [20, { type: 'subscribed' }],
  [
    1500,
    {
      type: 'listed',
      snapshot: {
        startedAtMs: 1000,
        items: [
          listed('i-prod1', 'running', undefined, { account: PROD }),
          listed('i-stag1', 'running', undefined, { account: STAGING }),
        ],
      },
    },
  ],
];
const failedStaging = (startedAtMs: number, ...instances: ItemDetails[]): SyncEvent => ({
  type: 'listed',
  snapshot: { startedAtMs, items: instances, failedAccounts: [{ account: STAGING, reason: 'AccessDenied' }] },
});

describe('sync: an account that cannot be listed', () => {
  it("keeps the failed account's instances as they were and marks the account stale", () => {
    const state = run([...START, [600_000, { type: 'resync-due' }], [601_000, failedStaging(600_000)]]);
    expect(states(state)).toEqual({ 'i-stag1': 'running' });
    expect([...state.staleAccounts]).toEqual([[STAGING, 'AccessDenied']]);
    expect(state.synced).toBe(true);
  });

  it('still removes a vanished instance of an account that was listed', () => {
    const state = run([
      ...START,
      [600_000, { type: 'resync-due' }],
      [601_000, failedStaging(600_000, listed('i-prod2', 'pending', undefined, { account: PROD }))],
    ]);
    expect(states(state)).toEqual({ 'i-stag1': 'running', 'i-prod2': 'pending' });
  });

  it('applies live changes for the stale account, even for an instance it never listed', () => {
    const state = run([
      ...START,
      [600_000, { type: 'resync-due' }],
      [601_000, failedStaging(600_000)],
      [
        602_000,
        {
          type: 'message',
          change: {
            id: 'i-stag2',
            state: 'pending',
            timeMs: 500_000,
            region: 'us-east-1',
            account: STAGING,
          },
        },
      ],
    ]);
    expect(states(state)['i-stag2']).toBe('pending');
  });

  it('clears the stale mark when a listing reads the account again', () => {
    const state = run([
      ...START,
      [600_000, { type: 'resync-due' }],
      [601_000, failedStaging(600_000)],
      [1_200_000, { type: 'resync-due' }],
      [
        1_201_000,
        {
          type: 'listed',
          snapshot: {
            startedAtMs: 1_200_000,
            items: [listed('i-prod1', 'stopped', undefined, { account: PROD })],
          },
        },
      ],
    ]);
    expect(states(state)).toEqual({ 'i-prod1': 'stopped' });
    expect(state.staleAccounts.size).toBe(0);
  });
});
