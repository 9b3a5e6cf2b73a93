/** The demo's plain-line output: what changed between two board views, one line each. */
import { describe, expect, it } from 'vitest';
import { viewChanges } from '../../../device/demo/lines.ts';
import type { Legend, LegendEntry } from '../../../device/picture/legend.ts';
import type { InstanceState } from '../../../shared/instance-state.ts';

function instance(id: string, name: string, state: InstanceState): LegendEntry {
  return { kind: 'instance', id, name, state, region: 'eu-west-1', account: '123456789012', sinceMs: 0 };
}

function view(instances: readonly LegendEntry[], connected = true, synced = true): Legend {
  return {
    width: 2,
    height: 2,
    connected,
    synced,
    overflow: 0,
    pixels: instances.map((it, index) => ({
      x: index % 2,
      y: Math.floor(index / 2),
      color: '#000000',
      entry: it,
    })),
  };
}

const A = 'i-0aaaaaaaaaaaaaaaa';
const B = 'i-0bbbbbbbbbbbbbbbb';

describe('viewChanges', () => {
  it('starts with the status line and every instance on the board', () => {
    expect(
      viewChanges(undefined, view([instance(A, 'web-1', 'running'), instance(B, '', 'stopped')])),
    ).toEqual([
      'ec2-led · connected · synced with 2 instances',
      `${A} web-1 running`,
      `${B} (no name) stopped`,
    ]);
  });

  it('names each state change, a new instance and one gone, and nothing that stayed', () => {
    const before = view([instance(A, 'web-1', 'pending'), instance(B, 'db-1', 'running')]);
    const after = view([
      instance(A, 'web-1', 'running'),
      instance('i-0ccccccccccccccc0', 'web-2', 'pending'),
    ]);
    expect(viewChanges(before, after)).toEqual([
      `${A} web-1 pending -> running`,
      'i-0ccccccccccccccc0 web-2 pending',
      `${B} db-1 gone from the board`,
    ]);
    expect(viewChanges(after, after)).toEqual([]);
  });

  it('counts each kind in the status line and names an alarm by its name, not its ARN', () => {
    const arn = 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:check-www-example-com';
    const alarm = (state: 'OK' | 'ALARM'): LegendEntry => ({
      kind: 'alarm',
      id: arn,
      name: 'check-www-example-com',
      state,
      region: 'us-east-1',
      account: '123456789012',
      sinceMs: 0,
    });
    const before = view([instance(A, 'web-1', 'running'), alarm('OK')]);
    expect(viewChanges(undefined, before)).toEqual([
      'ec2-led · connected · synced with 1 instances, 1 alarms',
      `${A} web-1 running`,
      'alarm check-www-example-com OK',
    ]);
    expect(viewChanges(before, view([instance(A, 'web-1', 'running'), alarm('ALARM')]))).toEqual([
      'alarm check-www-example-com OK -> ALARM',
    ]);
  });

  it('says when the feed drops, and sanitizes a hostile name', () => {
    const before = view([instance(A, 'web-1', 'running')]);
    const after = view([instance(A, 'x\u001b[2Jy', 'stopping')], false, false);
    const lines = viewChanges(before, after);
    expect(lines[0]).toBe('ec2-led · DISCONNECTED: picture may be stale · syncing');
    expect(lines[1]).not.toContain('\u001b');
    expect(lines[1]).toMatch(/running -> stopping$/);
  });
});
