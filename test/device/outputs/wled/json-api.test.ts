import { describe, expect, it } from 'vitest';
import {
  MAX_BODY_BYTES,
  MAX_ENTRIES,
  parseStateInfo,
  restoreBody,
  segmentBodies,
} from '../../../../device/outputs/wled/json-api.ts';

const leds = (...colours: number[][]) => Uint8Array.from(colours.flat());
const RED = [255, 0, 0];
const OFF = [0, 0, 0];
const BLUE = [0, 0, 0x80];

describe('segmentBodies', () => {
  it('sends every LED of a first frame as hex, runs of three or more as a range, and switches WLED on', () => {
    const bodies = segmentBodies(leds(RED, BLUE, OFF, OFF, OFF, RED), undefined);
    expect(bodies.map((b) => JSON.parse(b))).toEqual([
      { on: true, tt: 0, seg: { id: 0, i: [0, 'FF0000', '000080', 2, 5, '000000', 'FF0000'] } },
    ]);
  });

  it('sends only the LEDs that changed since the frame WLED took', () => {
    const before = leds(RED, RED, RED, RED, RED, RED);
    const after = leds(RED, BLUE, RED, RED, BLUE, BLUE);
    expect(segmentBodies(after, before).map((b) => JSON.parse(b).seg.i)).toEqual([
      [1, '000080', 4, '000080', '000080'],
    ]);
    expect(segmentBodies(after, after)).toEqual([]);
  });

  it('chunks a large frame within the entry and byte limits, each request starting at its index', () => {
    const count = 1_200; // alternating colours: no ranges
    const frame = Uint8Array.from({ length: count * 3 }, (_, i) =>
      Math.floor(i / 3) % 2 === 0 ? 0xff : 0x01,
    );
    const bodies = segmentBodies(frame, undefined);
    expect(bodies.length).toBeGreaterThan(4);
    let led = 0;
    for (const body of bodies) {
      expect(Buffer.byteLength(body)).toBeLessThanOrEqual(MAX_BODY_BYTES);
      const list = JSON.parse(body).seg.i as (number | string)[];
      expect(list.length).toBeLessThanOrEqual(MAX_ENTRIES);
      expect(list[0]).toBe(led);
      led += list.filter((e) => typeof e === 'string').length;
    }
    expect(led).toBe(count);
    expect(JSON.parse(bodies[1] as string)).not.toHaveProperty('on');
  });

  it('keeps a body within a smaller byte limit too', () => {
    const frame = Uint8Array.from({ length: 300 * 3 }, (_, i) => i % 256);
    for (const body of segmentBodies(frame, undefined, 2, { entries: 1_000, bytes: 500 })) {
      expect(Buffer.byteLength(body)).toBeLessThanOrEqual(500);
      expect(JSON.parse(body).seg.id).toBe(2);
    }
  });
});

describe('the state read at start and handed back', () => {
  const si = JSON.stringify({
    state: {
      on: false,
      bri: 40,
      ps: -1,
      seg: [
        { id: 0, frz: false, fx: 9 },
        { id: 1, frz: true },
      ],
    },
    info: { ver: '0.15.0', uptime: 1234, leds: { count: 256 } },
  });

  it('reads on, brightness, segments, uptime and LED count from /json/si', () => {
    expect(parseStateInfo(si)).toMatchObject({ state: { on: false, bri: 40 }, uptimeS: 1234, ledCount: 256 });
  });

  it('refuses what is not WLED: not JSON, another shape', () => {
    expect(parseStateInfo('<html>')).toBeUndefined();
    expect(parseStateInfo('{"state":{"bri":"high"},"info":{}}')).toBeUndefined();
    expect(parseStateInfo('[]')).toBeUndefined();
  });

  it('hands WLED back: live off, then on, brightness and each segment frozen as it was', () => {
    const saved = parseStateInfo(si)?.state;
    expect(JSON.parse(restoreBody(saved))).toEqual({
      live: false,
      on: false,
      bri: 40,
      seg: [
        { id: 0, frz: false },
        { id: 1, frz: true },
      ],
    });
    expect(restoreBody(undefined)).toBe('{"live":false}');
  });
});
