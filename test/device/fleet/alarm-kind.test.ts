/**
 * Alarms in the fleet: the same store and sync as instances, with their own ordering (order.ts): the
 * later state time wins, a same-millisecond tie goes to the more alarming state, nothing absorbs.
 * A listing is the truth at its start for alarms as for instances, a lost alarm message is healed
 * by the relist, an alarm is never described, and a failure to list only alarms keeps only alarms.
 */
import { describe, expect, it } from 'vitest';
import type { Change as AlarmChange, Change, ItemDetails } from '../../../device/fleet/item.ts';
import { alarmChangeOf } from '../../../device/fleet/item.ts';
import { changeSupersedes } from '../../../device/fleet/order.ts';
import { applyChange, applyChanges, EMPTY_FLEET, replaceWithSnapshot } from '../../../device/fleet/store.ts';
import { initialSyncState, type SyncEvent, type SyncState, step } from '../../../device/fleet/sync.ts';
import type { AlarmState } from '../../../shared/alarm-message.ts';

const ACCOUNT = '111111111111';
const ARN = `arn:aws:cloudwatch:us-east-1:${ACCOUNT}:alarm:web-5xx`;

function alarm(state: AlarmState, timeMs: number, instanceId = ARN): AlarmChange {
  return {
    kind: 'alarm',
    id: instanceId,
    name: 'web-5xx',
    state,
    timeMs,
    region: 'us-east-1',
    account: ACCOUNT,
  };
}

function listedAlarm(state: AlarmState, instanceId = ARN): ItemDetails {
  return {
    kind: 'alarm',
    id: instanceId,
    state,
    region: 'us-east-1',
    account: ACCOUNT,
    name: instanceId.split(':alarm:')[1],
    tags: {},
  };
}

const listedInstance: ItemDetails = {
  id: 'i-00000001',
  state: 'running',
  region: 'us-east-1',
  account: ACCOUNT,
  name: 'web',
  tags: { Name: 'web' },
};

describe('alarm ordering (order.ts)', () => {
  it('takes the later state time, back and forth: nothing absorbs', () => {
    expect(changeSupersedes(alarm('OK', 2000), alarm('ALARM', 1000))).toBe(true);
    expect(changeSupersedes(alarm('ALARM', 3000), alarm('OK', 2000))).toBe(true);
    expect(changeSupersedes(alarm('OK', 1000), alarm('ALARM', 2000))).toBe(false);
  });

  it('breaks a same-millisecond tie towards the more alarming state', () => {
    expect(changeSupersedes(alarm('ALARM', 1000), alarm('OK', 1000))).toBe(true);
    expect(changeSupersedes(alarm('ALARM', 1000), alarm('INSUFFICIENT_DATA', 1000))).toBe(true);
    expect(changeSupersedes(alarm('INSUFFICIENT_DATA', 1000), alarm('OK', 1000))).toBe(true);
    expect(changeSupersedes(alarm('OK', 1000), alarm('ALARM', 1000))).toBe(false);
    expect(changeSupersedes(alarm('ALARM', 1000), alarm('ALARM', 1000))).toBe(false);
  });

  it('ends on the same state whatever order the changes come in', () => {
    const changes: Change[] = [alarm('ALARM', 1000), alarm('OK', 3000), alarm('INSUFFICIENT_DATA', 2000)];
    const orders = [changes, [...changes].reverse(), [changes[1], changes[0], changes[2], changes[1]]];
    for (const order of orders) {
      const fleet = applyChanges(EMPTY_FLEET, order as Change[], 5000);
      expect(fleet.get(ARN)).toMatchObject({ kind: 'alarm', state: 'OK', timeMs: 3000, name: 'web-5xx' });
    }
  });
});

describe('alarms in the store', () => {
  it('adds an alarm from its message, named at once, kind alarm', () => {
    const change = alarmChangeOf(
      {
        v: 1,
        kind: 'alarm',
        name: 'web-5xx',
        state: 'ALARM',
        time: 1_570_036_848_551,
        arn: ARN,
        event: 'c4c1c1c9-0000-0000-0000-000000000000',
      },
      'us-east-1',
      ACCOUNT,
    );
    const fleet = applyChange(EMPTY_FLEET, change, 1_570_036_849_000);
    expect(fleet.get(ARN)).toMatchObject({
      kind: 'alarm',
      id: ARN,
      name: 'web-5xx',
      state: 'ALARM',
      timeMs: 1_570_036_848_551,
      tags: {},
    });
  });

  it('a listing replaces an alarm state set by a message, and drops an alarm it lacks', () => {
    const other = `arn:aws:cloudwatch:us-east-1:${ACCOUNT}:alarm:deleted`;
    const before = applyChanges(EMPTY_FLEET, [alarm('ALARM', 9000), alarm('ALARM', 1000, other)], 9000);
    const after = replaceWithSnapshot(
      before,
      { startedAtMs: 5000, items: [listedAlarm('OK'), listedInstance] },
      10_000,
    );
    expect(after.get(ARN)).toMatchObject({ state: 'OK', listed: true, kind: 'alarm' });
    expect(after.has(other)).toBe(false);
    expect(after.get('i-00000001')).toMatchObject({ kind: 'instance', state: 'running' });
  });

  it('a failure to list alarms in one account keeps its alarms, stale, and still lists its instances', () => {
    const before = applyChanges(
      EMPTY_FLEET,
      [
        alarm('ALARM', 1000),
        { id: 'i-0000000f', state: 'running', timeMs: 1000, region: 'us-east-1', account: ACCOUNT },
      ],
      1000,
    );
    const after = replaceWithSnapshot(
      before,
      {
        startedAtMs: 5000,
        items: [listedInstance],
        failedAccounts: [{ account: ACCOUNT, kind: 'alarm', reason: 'AccessDenied' }],
      },
      6000,
    );
    expect(after.get(ARN)?.state).toBe('ALARM');
    expect(after.has('i-0000000f')).toBe(false);
    expect(after.get('i-00000001')?.state).toBe('running');
  });
});

describe('alarms in the sync', () => {
  const connected: SyncEvent = { type: 'connected', rejoined: false, first: true };
  function feed(events: readonly [number, SyncEvent][]) {
    let state: SyncState = initialSyncState();
    const commands: string[] = [];
    for (const [nowMs, event] of events) {
      const out = step(state, event, nowMs, () => 0.5);
      state = out.state;
      commands.push(...out.commands.map((c) => c.type));
    }
    return { state, commands };
  }

  it('never describes an alarm first seen in a message', () => {
    const { state, commands } = feed([
      [0, connected],
      [10, { type: 'subscribed' }],
      [20, { type: 'listed', snapshot: { startedAtMs: 10, items: [] } }],
      [5000, { type: 'message', change: alarm('ALARM', 4000) }],
    ]);
    expect(state.fleet.get(ARN)?.state).toBe('ALARM');
    expect(commands).not.toContain('schedule-describe');
    expect(commands).not.toContain('describe');
  });

  it('heals a lost alarm message at the relist', () => {
    // The alarm went OK at 30 s; that message was lost. The resync listing at 60 s shows OK.
    const { state } = feed([
      [0, connected],
      [10, { type: 'subscribed' }],
      [20, { type: 'listed', snapshot: { startedAtMs: 10, items: [listedAlarm('ALARM')] } }],
      [60_000, { type: 'resync-due' }],
      [60_100, { type: 'listed', snapshot: { startedAtMs: 60_000, items: [listedAlarm('OK')] } }],
    ]);
    expect(state.fleet.get(ARN)).toMatchObject({ state: 'OK', listed: true });
  });

  it('replays an alarm change that came while the listing ran over it', () => {
    const { state } = feed([
      [0, connected],
      [10, { type: 'subscribed' }],
      [1500, { type: 'message', change: alarm('ALARM', 1400) }],
      [2000, { type: 'listed', snapshot: { startedAtMs: 10, items: [listedAlarm('OK')] } }],
    ]);
    expect(state.fleet.get(ARN)?.state).toBe('ALARM');
  });
});

describe('desk probes in the store', () => {
  const probe = (state: 'up' | 'down' | 'degraded', timeMs: number) =>
    ({
      kind: 'probe',
      id: 'probe:www',
      name: 'www',
      state,
      timeMs,
      region: 'desk',
      account: 'desk',
    }) as const;

  it('orders by time, the worse look winning a tie, and a listing keeps the probe as listed', () => {
    expect(changeSupersedes(probe('down', 1000), probe('up', 1000))).toBe(true);
    expect(changeSupersedes(probe('up', 1000), probe('degraded', 1000))).toBe(false);
    expect(changeSupersedes(probe('up', 2000), probe('down', 1000))).toBe(true);
    const fleet = applyChanges(EMPTY_FLEET, [probe('up', 1000)], 1000);
    expect(fleet.get('probe:www')).toMatchObject({ kind: 'probe', name: 'www', state: 'up' });
    const listed = replaceWithSnapshot(
      fleet,
      {
        startedAtMs: 5000,
        items: [
          {
            kind: 'probe',
            id: 'probe:www',
            name: 'www',
            state: 'down',
            region: 'desk',
            account: 'desk',
            tags: {},
          },
          {
            kind: 'alarm',
            id: ARN,
            name: undefined,
            state: 'OK',
            region: 'us-east-1',
            account: ACCOUNT,
            tags: {},
          },
        ],
      },
      6000,
    );
    expect(listed.get('probe:www')).toMatchObject({ state: 'down', listed: true });
    // A listed alarm without a name (none in the listing) is still shown, unnamed.
    expect(listed.get(ARN)).toMatchObject({ kind: 'alarm', state: 'OK' });
  });
});
