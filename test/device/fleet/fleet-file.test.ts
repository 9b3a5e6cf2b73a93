/** The fleet file's text: round trip, bounds, and every way a file can be corrupt (a reason, never a throw). */
import { describe, expect, it } from 'vitest';
import {
  FLEET_FILE_VERSION,
  MAX_CLOCK_LAG_MS,
  MAX_FLEET_FILE_BYTES,
  MAX_FLEET_FILE_ITEMS,
  parseFleet,
  serializeFleet,
} from '../../../device/fleet/fleet-file.ts';
import type { Item } from '../../../device/fleet/item.ts';
import type { Fleet } from '../../../device/fleet/store.ts';
import { KIND_NAMES, type Kind, specOf } from '../../../device/kinds/kinds.ts';

const WEB: Item = {
  kind: 'instance',
  id: 'i-0123456789abcdef0',
  state: 'running',
  timeMs: 1_764_403_100_000,
  sinceMs: 1_764_400_000_000,
  region: 'eu-west-1',
  account: '123456789012',
  name: 'web-1',
  tags: { Name: 'web-1', 'ec2led:pixel': '3,1', team: 'payments', owner: 'alice' },
  listed: true,
};
const DB: Item = {
  kind: 'instance',
  id: 'i-0fedcba987654321f',
  state: 'stopped',
  timeMs: 1_764_403_000_000,
  sinceMs: 1_764_403_000_000,
  region: 'us-east-1',
  account: '210987654321',
  name: undefined,
  tags: {},
};
/** An alarm and a desk probe (sources/probes.ts): the fleet file keeps every kind. */
const API_5XX: Item = {
  kind: 'alarm',
  id: 'arn:aws:cloudwatch:eu-west-1:123456789012:alarm:api-5xx',
  state: 'ALARM',
  timeMs: 1_764_403_050_000,
  sinceMs: 1_764_403_050_000,
  region: 'eu-west-1',
  account: '123456789012',
  name: 'api-5xx',
  tags: {},
  listed: true,
};
const WWW: Item = {
  kind: 'probe',
  id: 'probe:www',
  state: 'off-air',
  timeMs: 1_764_403_150_000,
  sinceMs: 1_764_403_150_000,
  region: 'desk',
  account: 'desk',
  name: 'www',
  tags: {},
};
const SHOP_PIPELINE: Item = {
  kind: 'deploy',
  id: 'arn:aws:codepipeline:eu-west-1:123456789012:shop',
  state: 'deploy-failed',
  timeMs: 1_764_403_250_000,
  sinceMs: 1_764_403_250_000,
  region: 'eu-west-1',
  account: '123456789012',
  name: 'shop',
  tags: {},
};
/** A member of every kind the agent knows: a new kind fails to compile here until it has one. */
const ONE_OF_EACH: Record<Kind, Item> = {
  instance: { ...WEB, tags: { Name: 'web-1' } },
  alarm: API_5XX,
  probe: WWW,
  deploy: SHOP_PIPELINE,
};
/** The agent's clock in these tests: a day after the fleet's stamps. */
const NOW = 1_764_490_000_000;
const fleetOf = (...instances: Item[]): Fleet => new Map(instances.map((i) => [i.id, i]));

describe('fleet file', () => {
  it('round-trips a fleet, keeping only the tags the layout reads', () => {
    const text = serializeFleet(fleetOf(WEB, DB), 1_764_403_200_000);
    const parsed = parseFleet(text, NOW);
    expect(parsed.reason).toBeUndefined();
    expect(parsed.savedAtMs).toBe(1_764_403_200_000);
    expect(parsed.fleet).toEqual(fleetOf({ ...WEB, tags: { Name: 'web-1', 'ec2led:pixel': '3,1' } }, DB));
    expect(serializeFleet(parsed.fleet, 1_764_403_200_000)).toBe(text);
    expect(JSON.parse(text).version).toBe(FLEET_FILE_VERSION);
  });

  it('round-trips an instance, an alarm, a deploy and a probe, each as its kind', () => {
    const fleet = fleetOf(...Object.values(ONE_OF_EACH));
    const text = serializeFleet(fleet, 1_764_403_200_000);
    expect(JSON.parse(text).items.map((entry: { kind?: string }) => entry.kind)).toEqual([
      'alarm',
      'deploy',
      undefined, // an instance is written without `kind`, as before kinds
      'probe',
    ]);
    const parsed = parseFleet(text, NOW);
    expect(parsed.reason).toBeUndefined();
    expect(parsed.fleet).toEqual(fleet);
  });

  it("holds each kind's id to its own pattern and no other kind's (one id is never two kinds)", () => {
    for (const [kind, sample] of Object.entries(ONE_OF_EACH)) {
      const matching = KIND_NAMES.filter((other) => specOf(other).idPattern.test(sample.id));
      expect(matching, sample.id).toEqual([kind]);
    }
  });

  it('checks each entry against its own kind: an id, a state or a place of another kind is a bad entry', () => {
    const probe = JSON.parse(serializeFleet(fleetOf(WWW), 0)).items[0];
    const bad = [
      { ...probe, kind: 'widget' },
      { ...probe, id: 'i-0123456789abcdef0' },
      { ...probe, state: 'running' },
      { ...probe, id: 'probe:a b' },
      { ...probe, id: 'probe:other', region: 'eu-west-1' },
      { ...probe, id: 'probe:third', account: '123456789012' },
      { ...probe, kind: undefined },
      { ...probe, kind: 'alarm' },
      { ...probe, kind: '__proto__' },
    ];
    const parsed = parseFleet(JSON.stringify({ version: 1, savedAtMs: 0, items: bad }), NOW);
    expect(parsed.fleet.size).toBe(0);
    expect(parsed.reason).toMatch(
      /^fleet file: skipped 9 bad entries \(kind "widget" is not one this agent knows \(instance, alarm, probe, deploy\); id "i-0123456789abcdef0" is not a probe id \("probe:" and its name\); probe:www: state "running" is not a probe state; \.\.\.\)$/,
    );
    const one = (entry: object) =>
      parseFleet(JSON.stringify({ version: 1, savedAtMs: 0, items: [entry] }), NOW).reason;
    expect(bad.slice(3).map(one)).toEqual([
      'fleet file: skipped 1 bad entry (id "probe:a b" is not a probe id ("probe:" and its name))',
      'fleet file: skipped 1 bad entry (probe:other: region "eu-west-1" is not the region of a probe)',
      'fleet file: skipped 1 bad entry (probe:third: account "123456789012" is not the account of a probe)',
      'fleet file: skipped 1 bad entry (id "probe:www" is not an instance id)',
      'fleet file: skipped 1 bad entry (id "probe:www" is not an alarm ARN)',
      'fleet file: skipped 1 bad entry (kind "__proto__" is not one this agent knows (instance, alarm, probe, deploy))',
    ]);
  });

  it('writes the same text for the same fleet whatever the insertion order', () => {
    expect(serializeFleet(fleetOf(DB, WEB), 5)).toBe(serializeFleet(fleetOf(WEB, DB), 5));
  });

  it('keeps at most MAX_FLEET_FILE_ITEMS, those with a pixel first', () => {
    const many = Array.from({ length: MAX_FLEET_FILE_ITEMS + 10 }, (_, n) => ({
      ...DB,
      id: `i-${n.toString(16).padStart(17, '0')}`,
    }));
    const last = many.at(-1) as Item;
    const text = serializeFleet(fleetOf(...many), 0, new Map([[last.id, { x: 0, y: 0 }]]));
    const parsed = parseFleet(text, NOW);
    expect(parsed.fleet.size).toBe(MAX_FLEET_FILE_ITEMS);
    expect(parsed.fleet.has(last.id)).toBe(true);
    expect(text.length).toBeLessThan(MAX_FLEET_FILE_BYTES);
  });

  it('stays under its byte bound with the longest names on the largest board', () => {
    const long = 'n'.repeat(300);
    const many = Array.from({ length: MAX_FLEET_FILE_ITEMS }, (_, n) => ({
      ...WEB,
      id: `i-${n.toString(16).padStart(17, '0')}`,
      name: long,
      tags: { Name: long, 'ec2led:pixel': long },
    }));
    const text = serializeFleet(fleetOf(...many), 0);
    expect(text.length).toBeLessThan(MAX_FLEET_FILE_BYTES);
    expect(parseFleet(text, NOW).fleet.size).toBe(MAX_FLEET_FILE_ITEMS);
  });

  it.each([
    ['not JSON', '{"version": 1, "instan', /fleet file is not JSON/],
    ['not an object', '[1, 2]', /not a JSON object/],
    ['another version', '{"version": 2, "savedAtMs": 0, "items": []}', /version 2 is not 1/],
    ['no time', '{"version": 1, "items": []}', /savedAtMs is missing, expected epoch milliseconds/],
    ['no list', '{"version": 1, "savedAtMs": 0, "items": {}}', /no "items" list/],
    ['too large', ' '.repeat(MAX_FLEET_FILE_BYTES + 1), /too large/],
    [
      'too many instances',
      JSON.stringify({ version: 1, savedAtMs: 0, items: Array(MAX_FLEET_FILE_ITEMS + 1).fill(0) }),
      /more than 4096/,
    ],
  ])('gives an empty fleet and a reason for a file that is %s', (_, text, reason) => {
    const parsed = parseFleet(text, NOW);
    expect(parsed.fleet.size).toBe(0);
    expect(parsed.savedAtMs).toBeUndefined();
    expect(parsed.reason).toMatch(reason);
    expect(parsed.reason).toMatch(/starting with no fleet/);
  });

  it('skips each bad entry, counting it, and keeps the good ones', () => {
    const good = JSON.parse(serializeFleet(fleetOf(WEB), 0)).items[0];
    const bad = [
      'text',
      { ...good, id: 'i-nope' },
      { ...good, id: 'i-00000001', state: 'exploded' },
      { ...good, id: 'i-00000002', timeMs: -1 },
      { ...good, id: 'i-00000003', region: 'Mars' },
      { ...good, id: 'i-00000004', account: '12' },
      { ...good, id: 'i-00000005', name: 7 },
      { ...good, id: 'i-00000006', tags: [] },
      { ...good, id: 'i-00000007', tags: { Name: 5 } },
      good,
    ];
    const parsed = parseFleet(JSON.stringify({ version: 1, savedAtMs: 9, instances: [good, ...bad] }), NOW);
    expect([...parsed.fleet.keys()]).toEqual([WEB.id]);
    expect(parsed.savedAtMs).toBe(9);
    expect(parsed.reason).toMatch(
      /^fleet file: skipped 10 bad entries \(an entry is not an object; id "i-nope" is not an instance id; i-00000001: state "exploded" is not an instance state; \.\.\.\)$/,
    );
  });

  it('writes the list as "items", and still reads a 0.1.0 file whose list is "instances"', () => {
    const text = serializeFleet(fleetOf(WEB), 9);
    expect(Object.keys(JSON.parse(text))).toEqual(['version', 'savedAtMs', 'items']);
    const old = text.replace('"items":', '"instances":');
    expect([...parseFleet(old, NOW).fleet.keys()]).toEqual([WEB.id]);
    expect(parseFleet(old, NOW).reason).toBeUndefined();
  });

  it('names a single skipped entry without an ellipsis', () => {
    const good = JSON.parse(serializeFleet(fleetOf(WEB), 0)).items[0];
    const parsed = parseFleet(
      JSON.stringify({ version: 1, savedAtMs: 0, items: [{ ...good, region: 'x' }] }),
      NOW,
    );
    expect(parsed.reason).toBe(
      `fleet file: skipped 1 bad entry (${WEB.id}: region "x" is not the region of an instance)`,
    );
  });

  it('refuses a file saved in the future of this clock, naming both times, like any other bad value', () => {
    const text = serializeFleet(fleetOf(WEB), NOW + 24 * 3600 * 1000);
    const parsed = parseFleet(text, NOW);
    expect(parsed.fleet.size).toBe(0);
    expect(parsed.savedAtMs).toBeUndefined();
    expect(parsed.reason).toBe(
      'fleet file "savedAtMs" 1764576400000 (2025-12-01T08:06:40.000Z) is in the future of this clock (2025-11-30T08:06:40.000Z); if the clock is right, the file is not one the agent wrote; starting with no fleet (the file is rewritten)',
    );
    const far = parseFleet(serializeFleet(fleetOf(WEB), Number.MAX_SAFE_INTEGER), NOW);
    expect(far.reason).toMatch(
      /^fleet file "savedAtMs" 9007199254740991 \(beyond any date\) is in the future/,
    );
  });

  it('reads a file up to an hour ahead (a Pi that booted with its last saved time), not a minute more', () => {
    expect(parseFleet(serializeFleet(fleetOf(WEB), NOW + MAX_CLOCK_LAG_MS), NOW).fleet.size).toBe(1);
    expect(parseFleet(serializeFleet(fleetOf(WEB), NOW + MAX_CLOCK_LAG_MS + 60_000), NOW).fleet.size).toBe(0);
  });

  it('skips an entry stamped in the future, which would outrank every live change', () => {
    const future = { ...WEB, id: 'i-00000001', timeMs: NOW + 365 * 24 * 3600 * 1000 };
    const parsed = parseFleet(serializeFleet(fleetOf(WEB, future), NOW), NOW);
    expect([...parsed.fleet.keys()]).toEqual([WEB.id]);
    expect(parsed.reason).toBe('fleet file: skipped 1 bad entry (i-00000001: stamped in the future)');
  });
});
