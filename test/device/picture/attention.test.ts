/**
 * Acknowledge and snooze, the pure core: who can be acknowledged, when an acknowledgement ends by
 * itself, snoozes of an item and of a kind against "worse", expiry on a fake clock, and the quiet
 * look on the frame (bytes), in night mode and in the legend.
 */
import { describe, expect, it } from 'vitest';
import { parseAttention, serializeAttention } from '../../../device/agent/attention-file.ts';
import { parseTimeOfDay } from '../../../device/brightness/schedule.ts';
import type { Item } from '../../../device/fleet/item.ts';
import { type Notice, urgentNoticeOf } from '../../../device/fleet/notices.ts';
import type { Fleet } from '../../../device/fleet/store.ts';
import { isWorse } from '../../../device/kinds/kinds.ts';
import { createLedShim } from '../../../device/outputs/display/boards/ledshim.ts';
import { FLASH_LOW, FLASH_PERIOD_MS, QUIET_LEVEL } from '../../../device/picture/animate.ts';
import {
  type Attention,
  type AttentionResult,
  acknowledge,
  attentionOf,
  NO_ATTENTION,
  nextUrgent,
  reconcileAttention,
  resolveItem,
  snooze,
  unsnooze,
} from '../../../device/picture/attention.ts';
import { getPixel } from '../../../device/picture/frame.ts';
import { URGENT_NOTICE_PERIOD_MS } from '../../../device/picture/notice-look.ts';
import { DEFAULT_PALETTE, scaleColor } from '../../../device/picture/palette.ts';
import { composePicture, type Picture, type PictureInput } from '../../../device/picture/picture.ts';
import { FakeI2cBus } from '../../fakes/display/fake-i2c-bus.ts';
import { instance } from '../../kit/builders.ts';
import { showFrame } from '../outputs/display/is31.ts';

const ARN = 'arn:aws:cloudwatch:us-east-1:111111111111:alarm:cpu-high';
const alarm = (state: 'OK' | 'ALARM' | 'INSUFFICIENT_DATA', sinceMs = 0): Item => ({
  kind: 'alarm',
  id: ARN,
  state,
  timeMs: sinceMs,
  sinceMs,
  region: 'us-east-1',
  account: '111111111111',
  name: 'cpu-high',
  tags: {},
});
const probe = (state: 'up' | 'degraded' | 'down' | 'off-air', name = 'www', sinceMs = 0): Item => ({
  kind: 'probe',
  id: `probe:${name}`,
  state,
  timeMs: sinceMs,
  sinceMs,
  region: 'desk',
  account: 'desk',
  name,
  tags: {},
});
const fleetOf = (...items: Item[]): Fleet => new Map(items.map((i) => [i.id, i]));

function ok(result: AttentionResult): Attention {
  if (!result.ok) throw new Error(result.reason);
  return result.attention;
}

const T0 = 1_800_000_000_000;
const HOUR = 3_600_000;

describe('isWorse', () => {
  it("is the kind's severity: urgent states rank highest", () => {
    expect(isWorse('alarm', 'OK', 'ALARM')).toBe(true);
    expect(isWorse('alarm', 'ALARM', 'OK')).toBe(false);
    expect(isWorse('alarm', 'OK', 'INSUFFICIENT_DATA')).toBe(true);
    expect(isWorse('probe', 'degraded', 'down')).toBe(true);
    expect(isWorse('probe', 'off-air', 'degraded')).toBe(true);
    expect(isWorse('probe', 'down', 'down')).toBe(false);
    // An instance has no urgent state; its severity is the lifecycle rank (kinds/kinds.ts).
    expect(isWorse('instance', 'stopped', 'running')).toBe(false);
  });
});

describe('acknowledge', () => {
  it('acknowledges an urgent item and refuses one that is not urgent, naming why', () => {
    const fleet = fleetOf(alarm('ALARM'), probe('up'));
    const acked = ok(acknowledge(NO_ATTENTION, fleet, { id: ARN }, 'web', T0));
    expect(attentionOf(acked, alarm('ALARM'), T0)).toEqual({ acknowledged: { by: 'web', atMs: T0 } });
    const refused = acknowledge(NO_ATTENTION, fleet, { id: 'probe:www' }, 'cli', T0);
    expect(refused).toEqual({ ok: false, reason: expect.stringMatching(/is up, which is not urgent/) });
    expect(acknowledge(NO_ATTENTION, fleet, { id: 'i-nope' }, 'cli', T0)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/no item with the id or name "i-nope".*ec2led status/),
    });
    expect(acknowledge(NO_ATTENTION, fleet, { kind: 'alarm' }, 'cli', T0).ok).toBe(false);
  });

  it('acknowledges every urgent item with all, and says when there is nothing to do', () => {
    const fleet = fleetOf(alarm('ALARM'), probe('down'), probe('up', 'api'), instance(1));
    const all = acknowledge(NO_ATTENTION, fleet, { all: true }, 'button', T0);
    expect(all.ok && all.ids).toEqual([ARN, 'probe:www']);
    const again = acknowledge(ok(all), fleet, { all: true }, 'button', T0 + 1);
    expect(again).toMatchObject({ ok: true, ids: [], message: 'nothing urgent to acknowledge' });
  });

  it('ends when the item leaves the urgent state, and a new urgent state flashes again', () => {
    const acked = ok(acknowledge(NO_ATTENTION, fleetOf(alarm('ALARM', 5)), { id: ARN }, 'web', T0));
    const same = reconcileAttention(acked, fleetOf(alarm('ALARM', 5)), T0 + 1, true);
    expect(same.attention).toBe(acked);
    const ok_ = reconcileAttention(acked, fleetOf(alarm('OK', 10)), T0 + 2, true);
    expect(ok_.ended).toEqual([{ what: 'acknowledgement', id: ARN, reason: 'state changed' }]);
    expect(ok_.attention.acknowledged.size).toBe(0);
    // The way out was missed (OK and back between two frames): a new sinceMs, a new ALARM.
    expect(attentionOf(acked, alarm('ALARM', 20), T0 + 3)).toBeUndefined();
    expect(
      reconcileAttention(acked, fleetOf(alarm('ALARM', 20)), T0 + 3, true).attention.acknowledged.size,
    ).toBe(0);
  });

  it('keeps an acknowledgement of an item not seen yet until a listing says it is gone', () => {
    const acked = ok(acknowledge(NO_ATTENTION, fleetOf(alarm('ALARM')), { id: ARN }, 'web', T0));
    expect(reconcileAttention(acked, new Map(), T0 + 1, false).attention).toBe(acked);
    expect(reconcileAttention(acked, new Map(), T0 + 1, true).ended).toEqual([
      { what: 'acknowledgement', id: ARN, reason: 'gone' },
    ]);
  });
});

describe('an urgent notice (a Spot interruption warning)', () => {
  const SPOT_AT = T0 + 120_000;
  const spot = (over: Partial<Notice> = {}): Notice => ({
    id: instance(1).id,
    code: 'spot-interruption',
    action: 'terminate',
    startMs: SPOT_AT,
    endMs: SPOT_AT + 60_000,
    timeMs: T0,
    region: instance(1).region,
    account: instance(1).account,
    source: 'event',
    ...over,
  });
  const showing = (...notices: Notice[]) => urgentNoticeOf(new Map(notices.map((n) => [n.id, n])));
  const web = instance(1, 'running', 'web');
  const fleet = fleetOf(web, instance(2, 'running', 'api'), alarm('OK'));

  it('makes a running instance acknowledgeable, holding the notice since its start', () => {
    const noticeOf = showing(spot());
    expect(acknowledge(NO_ATTENTION, fleet, { id: web.id }, 'cli', T0)).toEqual({
      ok: false,
      reason: expect.stringMatching(/is running, which is not urgent, and shows no urgent notice/),
    });
    const acked = ok(acknowledge(NO_ATTENTION, fleet, { id: 'web' }, 'web', T0, noticeOf));
    expect(acked.acknowledged.get(web.id)).toEqual({
      id: web.id,
      state: 'notice:spot-interruption',
      sinceMs: SPOT_AT,
      by: 'web',
      atMs: T0,
    });
    expect(attentionOf(acked, web, T0, noticeOf)).toEqual({ acknowledged: { by: 'web', atMs: T0 } });
    // A calm notice is not urgent (urgentNoticeOf leaves it out).
    const reboot = showing(spot({ code: 'system-reboot', action: '' }));
    expect(acknowledge(NO_ATTENTION, fleet, { id: web.id }, 'cli', T0, reboot).ok).toBe(false);
  });

  it('is included by all (acknowledge and snooze), once', () => {
    const noticeOf = showing(spot());
    const withAlarm = new Map([...fleet, [ARN, alarm('ALARM')]]);
    const all = acknowledge(NO_ATTENTION, withAlarm, { all: true }, 'cli', T0, noticeOf);
    expect(all.ok && all.ids).toEqual([web.id, ARN]);
    expect(acknowledge(ok(all), withAlarm, { all: true }, 'cli', T0 + 1, noticeOf)).toMatchObject({
      ids: [],
      message: 'nothing urgent to acknowledge',
    });
    const snoozed = snooze(NO_ATTENTION, fleet, { all: true }, HOUR, 'cli', T0, noticeOf);
    expect(snoozed.ok && snoozed.ids).toEqual([web.id]);
  });

  it('ends by itself when the notice no longer shows, or is replaced by a new one', () => {
    const acked = ok(acknowledge(NO_ATTENTION, fleet, { id: web.id }, 'cli', T0, showing(spot())));
    expect(reconcileAttention(acked, fleet, T0 + 1, true, showing(spot())).attention).toBe(acked);
    // Expired, or the instance stopped (notices.ts prunes it): nothing urgent shows.
    const gone = reconcileAttention(acked, fleet, T0 + 2, true, showing());
    expect(gone.ended).toEqual([{ what: 'acknowledgement', id: web.id, reason: 'notice ended' }]);
    expect(gone.attention.acknowledged.size).toBe(0);
    // A new warning (another start) flashes again.
    const later = showing(spot({ startMs: SPOT_AT + HOUR }));
    expect(attentionOf(acked, web, T0 + 3, later)).toBeUndefined();
    expect(reconcileAttention(acked, fleet, T0 + 3, true, later).ended).toEqual([
      { what: 'acknowledgement', id: web.id, reason: 'notice ended' },
    ]);
    // Before the first listing (just restarted, notices not yet back), it is kept, as for a gone item.
    expect(reconcileAttention(acked, fleet, T0 + 4, false, showing()).attention).toBe(acked);
  });

  it('quiets the picture while held, and the picture sees a new notice at once (marks follow the notices)', () => {
    const shown = new Map([[web.id, spot()]]);
    const acked = ok(acknowledge(NO_ATTENTION, fleet, { id: web.id }, 'web', T0, urgentNoticeOf(shown)));
    const input = (
      nowMs: number,
      notices: ReadonlyMap<string, Notice>,
      previous?: Picture,
    ): PictureInput => ({
      fleet,
      slots: new Map([[web.id, { x: 0, y: 0 }]]),
      listed: true,
      settings: { width: 3, height: 1 },
      status: { connected: true, synced: true },
      nowMs,
      attention: acked,
      notices,
      previous,
    });
    const held = composePicture(input(T0 + URGENT_NOTICE_PERIOD_MS / 2, shown));
    expect(held.legend.pixels[0]?.entry?.attention).toEqual({ acknowledged: { by: 'web', atMs: T0 } });
    // Half an urgent breath: the calm breath's 0.2 amber over running's blue, not 0.8.
    expect(getPixel(held.frame, 0, 0)).toEqual([51, 34, 204]);
    // The same attention and fleet, a new warning: the acknowledgement no longer holds.
    const replaced = new Map([[web.id, spot({ startMs: SPOT_AT + HOUR })]]);
    const next = composePicture(input(T0 + URGENT_NOTICE_PERIOD_MS / 2, replaced, held));
    expect(next.legend.pixels[0]?.entry?.attention).toBeUndefined();
    expect(getPixel(next.frame, 0, 0)).toEqual([204, 134, 51]);
  });

  it('survives the attention file, and the pixel is next for highlight', () => {
    const acked = ok(acknowledge(NO_ATTENTION, fleet, { id: web.id }, 'button', T0, showing(spot())));
    const back = parseAttention(serializeAttention(acked), T0 + 1);
    expect(back.reason).toBeUndefined();
    expect(back.attention.acknowledged).toEqual(acked.acknowledged);
    const pixels = [
      { entry: { ...instance(2), notice: undefined } },
      { entry: { ...web, notice: { urgent: true as const } } },
    ];
    expect(nextUrgent(pixels, undefined)).toBe(web.id);
    expect(nextUrgent(pixels, web.id)).toBe(web.id);
  });
});

describe('snooze', () => {
  it('snoozes an item for an hour by default and drops it when the time is up (fake clock)', () => {
    const fleet = fleetOf(probe('down'));
    const snoozed = ok(snooze(NO_ATTENTION, fleet, { id: 'probe:www' }, HOUR, 'cli', T0));
    expect(attentionOf(snoozed, probe('down'), T0 + HOUR - 1)?.snoozed).toEqual({
      by: 'cli',
      atMs: T0,
      untilMs: T0 + HOUR,
    });
    expect(reconcileAttention(snoozed, fleet, T0 + HOUR - 1, true).attention).toBe(snoozed);
    const expired = reconcileAttention(snoozed, fleet, T0 + HOUR, true);
    expect(expired.ended).toEqual([{ what: 'snooze', id: 'probe:www', reason: 'expired' }]);
    expect(expired.attention.items.size).toBe(0);
  });

  it('ends an item snooze when the state gets worse, and holds through a flap back and forth', () => {
    const snoozed = ok(
      snooze(NO_ATTENTION, fleetOf(probe('degraded')), { id: 'probe:www' }, HOUR, 'web', T0),
    );
    expect(reconcileAttention(snoozed, fleetOf(probe('up')), T0 + 1, true).attention).toBe(snoozed);
    expect(reconcileAttention(snoozed, fleetOf(probe('degraded', 'www', 9)), T0 + 2, true).attention).toBe(
      snoozed,
    );
    const worse = reconcileAttention(snoozed, fleetOf(probe('down')), T0 + 3, true);
    expect(worse.ended).toEqual([{ what: 'snooze', id: 'probe:www', reason: 'worse' }]);
  });

  it('snoozes a whole kind: later items are covered as first seen, a worse one is let go', () => {
    const before = fleetOf(probe('down', 'www'), probe('up', 'api'));
    const snoozed = ok(snooze(NO_ATTENTION, before, { kind: 'probe' }, 2 * HOUR, 'button', T0));
    const later = fleetOf(probe('down', 'www'), probe('up', 'api'), probe('down', 'dns'));
    const seen = reconcileAttention(snoozed, later, T0 + 1, true).attention;
    expect(attentionOf(seen, probe('down', 'dns'), T0 + 1)?.snoozed).toMatchObject({ kind: true });
    const worse = reconcileAttention(seen, fleetOf(probe('down', 'www'), probe('down', 'api')), T0 + 2, true);
    expect(worse.ended).toEqual([{ what: 'snooze', kind: 'probe', id: 'probe:api', reason: 'worse' }]);
    expect(attentionOf(worse.attention, probe('down', 'api'), T0 + 3)).toBeUndefined();
    expect(attentionOf(worse.attention, probe('down', 'www'), T0 + 3)?.snoozed?.untilMs).toBe(T0 + 2 * HOUR);
    expect(snooze(NO_ATTENTION, before, { kind: 'nope' }, HOUR, 'cli', T0).ok).toBe(false);
  });

  it('refuses a duration under a minute or over a week, naming the fix', () => {
    const fleet = fleetOf(probe('down'));
    expect(snooze(NO_ATTENTION, fleet, { id: 'probe:www' }, 5, 'cli', T0)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/at least 1 minute/),
    });
    expect(snooze(NO_ATTENTION, fleet, { id: 'probe:www' }, 8 * 24 * HOUR, 'cli', T0).ok).toBe(false);
  });

  it('unsnoozes an item (letting it go from its kind), a kind, or everything', () => {
    const fleet = fleetOf(probe('down', 'www'), probe('down', 'api'));
    const kindSnoozed = ok(snooze(NO_ATTENTION, fleet, { kind: 'probe' }, HOUR, 'cli', T0));
    const one = ok(unsnooze(kindSnoozed, { id: 'probe:www' }));
    expect(attentionOf(one, probe('down', 'www'), T0 + 1)).toBeUndefined();
    expect(attentionOf(one, probe('down', 'api'), T0 + 1)?.snoozed).toBeDefined();
    expect(unsnooze(one, { id: 'probe:www' }).ok).toBe(false);
    expect(ok(unsnooze(one, { kind: 'probe' })).kinds.size).toBe(0);
    expect(unsnooze(NO_ATTENTION, { all: true })).toMatchObject({ ok: true, message: 'nothing was snoozed' });
  });
});

describe('resolveItem and nextUrgent', () => {
  it('takes an id, or a name held by exactly one item', () => {
    const fleet = fleetOf(instance(1, 'running', 'web'), instance(2, 'running', 'web'), probe('down', 'dns'));
    expect(resolveItem(fleet, 'probe:dns')).toEqual({ id: 'probe:dns' });
    expect(resolveItem(fleet, 'dns')).toEqual({ id: 'probe:dns' });
    expect(resolveItem(fleet, 'web')).toEqual({
      reason: expect.stringMatching(/2 items are named "web".*give the id/),
    });
    expect(resolveItem(fleet, 'x')).toEqual({
      reason: expect.stringMatching(/no item with the id or name "x"/),
    });
  });

  it('cycles through the urgent pixels in pixel order', () => {
    const pixels = [alarm('ALARM'), probe('up'), probe('down')].map((entry) => ({ entry }));
    expect(nextUrgent(pixels, undefined)).toBe(ARN);
    expect(nextUrgent(pixels, ARN)).toBe('probe:www');
    expect(nextUrgent(pixels, 'probe:www')).toBe(ARN);
    expect(nextUrgent([{ entry: null }], undefined)).toBeUndefined();
  });
});

describe('the attention file', () => {
  it('round-trips, and drops a snooze that expired while the agent was down', () => {
    const fleet = fleetOf(alarm('ALARM', 7), probe('down'), probe('up', 'api'));
    let attention = ok(acknowledge(NO_ATTENTION, fleet, { id: ARN }, 'web', T0));
    attention = ok(snooze(attention, fleet, { id: 'probe:www' }, HOUR, 'cli', T0));
    attention = ok(snooze(attention, fleet, { kind: 'probe' }, 2 * HOUR, 'home-assistant', T0));
    const text = serializeAttention(attention);
    const back = parseAttention(text, T0 + 1);
    expect(back.reason).toBeUndefined();
    expect(serializeAttention(back.attention)).toBe(text);
    const later = parseAttention(text, T0 + HOUR);
    expect(later.attention.items.size).toBe(0);
    expect(later.attention.kinds.size).toBe(1);
    expect(later.attention.acknowledged.size).toBe(1);
  });

  it('refuses a corrupt or foreign file with a reason, never throwing', () => {
    expect(parseAttention('{', T0).reason).toMatch(/not JSON.*starting with no acknowledgements/);
    expect(parseAttention('{"version":2,"acknowledged":[],"snoozes":[]}', T0).reason).toMatch(/version/);
    const bad =
      '{"version":1,"acknowledged":[{"id":"x","state":"ALARM","sinceMs":0,"by":"me","atMs":0}],"snoozes":[]}';
    expect(parseAttention(bad, T0).reason).toMatch(/acknowledged\.0\.by/);
    expect(parseAttention('x'.repeat(2_000_000), T0).reason).toMatch(/too large/);
  });
});

describe('the quiet look', () => {
  const night = {
    entries: [{ at: parseTimeOfDay('00:00') as never, level: 'off' as const }],
    timeZone: 'UTC',
    fadeMs: 0,
    brightness: 0.4,
    urgentOverridesOff: true,
  };
  const compose = (attention: Attention | undefined, nowMs: number, over: Partial<PictureInput> = {}) =>
    composePicture({
      fleet: fleetOf(alarm('ALARM')),
      slots: new Map([[ARN, { x: 0, y: 0 }]]),
      listed: true,
      settings: { width: 3, height: 1 },
      status: { connected: true, synced: true },
      nowMs,
      attention,
      ...over,
    });

  it('shows an acknowledged urgent pixel steady at QUIET_LEVEL on a one-row board, where it flashed', () => {
    const pink = DEFAULT_PALETTE.ALARM;
    const loud = compose(undefined, T0 + FLASH_PERIOD_MS / 2);
    expect(getPixel(loud.frame, 0, 0)).toEqual(scaleColor(pink, FLASH_LOW));
    const acked = ok(acknowledge(NO_ATTENTION, fleetOf(alarm('ALARM')), { id: ARN }, 'button', T0));
    for (const nowMs of [T0, T0 + FLASH_PERIOD_MS / 2]) {
      const quiet = compose(acked, nowMs);
      expect(getPixel(quiet.frame, 0, 0)).toEqual(scaleColor(pink, QUIET_LEVEL));
      expect(quiet.animating).toBe(false);
      expect(quiet.wakeInMs).toBeUndefined();
    }
    expect(scaleColor(pink, QUIET_LEVEL)).not.toEqual(scaleColor(pink, FLASH_LOW));
    const entry = compose(acked, T0).legend.pixels[0]?.entry;
    expect(entry?.attention).toEqual({ acknowledged: { by: 'button', atMs: T0 } });
  });

  it("writes the LED SHIM's bus the same quiet bytes at both halves of a flash", async () => {
    const bus = new FakeI2cBus();
    const shim = createLedShim(async () => bus);
    await shim.open();
    const settings = { width: 28, height: 1 };
    const acked = ok(acknowledge(NO_ATTENTION, fleetOf(alarm('ALARM')), { id: ARN }, 'web', T0));
    const written = async (attention: Attention | undefined, nowMs: number) => {
      bus.clear();
      await shim.show(compose(attention, nowMs, { settings }).frame);
      return bus.log();
    };
    const half = FLASH_PERIOD_MS / 2;
    // Unacknowledged: the bytes change with the flash; acknowledged: one steady image.
    expect(await written(undefined, T0)).not.toEqual(await written(undefined, T0 + half));
    const quiet = await written(acked, T0);
    expect(await written(acked, T0 + half)).toEqual(quiet);
    // Pixel 0's red LED is PWM register 118 (docs/reference/hardware.md §5.5): 40% of 0xff.
    const pwm = new Uint8Array(144);
    pwm[118] = 102;
    pwm[69] = 0;
    pwm[85] = 51; // 40% of 0x80
    expect(quiet).toEqual(showFrame(0x75, 0, pwm));
    await shim.close();
  });

  it('works out who acknowledged what once per change, not every animation frame', () => {
    const fleet = fleetOf(alarm('ALARM'), probe('degraded'));
    const slots = new Map([
      [ARN, { x: 0, y: 0 }],
      ['probe:www', { x: 1, y: 0 }],
    ]);
    const acked = ok(acknowledge(NO_ATTENTION, fleet, { id: ARN }, 'web', T0));
    const first = compose(acked, T0, { fleet, slots });
    const next = compose(acked, T0 + 50, { fleet, slots, previous: first });
    expect(next.marks).toBe(first.marks); // the probe pulses: a frame, same marks
    expect(next.legend).toBe(first.legend);
    const other = ok(snooze(acked, fleet, { id: 'probe:www' }, HOUR, 'cli', T0 + 60));
    expect(compose(other, T0 + 100, { fleet, slots, previous: next }).marks).not.toBe(first.marks);
  });

  it('wakes when the next snooze expires, and keeps a snoozed item in the legend', () => {
    const snoozed = ok(snooze(NO_ATTENTION, fleetOf(alarm('ALARM')), { id: ARN }, HOUR, 'cli', T0));
    const picture = compose(snoozed, T0 + 1000);
    expect(picture.wakeInMs).toBe(HOUR - 1000);
    expect(picture.legend.pixels[0]?.entry?.id).toBe(ARN);
  });

  it('leaves an acknowledged pixel dark in night mode: urgent overrides off only for the unseen', () => {
    const settings = { width: 3, height: 1, night };
    const unseen = compose(undefined, T0, { settings });
    expect(unseen.legend.brightness?.urgent).toBe(true);
    const acked = ok(acknowledge(NO_ATTENTION, fleetOf(alarm('ALARM')), { id: ARN }, 'web', T0));
    const seen = compose(acked, T0, { settings });
    expect(seen.legend.brightness?.urgent).toBeUndefined();
    expect(seen.brightness).toBe(0);
  });
});
