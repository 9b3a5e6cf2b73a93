import { describe, expect, it } from 'vitest';
import { parseSlots, serializeSlots } from '../../../device/picture/slot-file.ts';

const slots = new Map([
  ['i-0fedcba987654321f', { x: 1, y: 0 }],
  ['i-0123456789abcdef0', { x: 0, y: 0 }],
]);

const FILE = `{
  "version": 1,
  "slots": {
    "i-0123456789abcdef0": "0,0",
    "i-0fedcba987654321f": "1,0"
  }
}
`;

describe('slot file', () => {
  it('writes ids in order, one "x,y" each', () => {
    expect(serializeSlots(slots)).toBe(FILE);
  });

  it('reads back what it wrote', () => {
    expect(parseSlots(serializeSlots(slots))).toEqual({
      slots: new Map([...slots].reverse()),
      reason: undefined,
    });
  });

  it('starts empty, with a reason, from a corrupt, foreign or oversized file', () => {
    for (const [text, reason] of [
      ['{"version":1,"slots":{', /^slot file is not JSON \(/],
      ['[]', /^slot file is not a JSON object;/],
      ['{"version":2,"slots":{}}', /^slot file: version 2 is not 1;/],
      ['{"version":1}', /^slot file: slots is missing, expected an object of instance id to "x,y";/],
      ['{"version":1,"slots":[]}', /^slot file: slots \[\] is not an object of instance id to "x,y";/],
      [' '.repeat(2_000_000), /^slot file of 2000000 characters is too large;/],
    ] as const) {
      const parsed = parseSlots(text);
      expect(parsed.slots.size).toBe(0);
      expect(parsed.reason).toMatch(reason);
      expect(parsed.reason).toMatch(/starting with no slots \(the file is rewritten\)$/);
    }
  });

  it('skips bad entries and keeps the good ones', () => {
    const parsed = parseSlots(
      JSON.stringify({
        version: 1,
        slots: {
          __proto__: '0,1',
          'i-00000001': '0,0',
          'i-00000002': '0,0',
          'i-00000003': 'left',
          'not-an-id': '2,2',
        },
      }),
    );
    expect(parsed.slots).toEqual(new Map([['i-00000001', { x: 0, y: 0 }]]));
    expect(parsed.reason).toBe(
      'slot file: skipped 3 bad entries (i-00000002: pixel "0,0" used twice; i-00000003: "left" is not "x,y" with whole numbers; write e.g. "0,0" for the top-left pixel; "not-an-id" is not an instance id)',
    );
  });
});
