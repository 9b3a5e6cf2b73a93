import { describe, expect, it } from 'vitest';
import { LED_GAMMA, toneTable } from '../../../../device/outputs/display/gamma.ts';

/** docs/reference/hardware.md §7.1, transcribed row by row (base 0, 16, ..., 240). */
const SECTION_7_1 = `
0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0
0 0 0 0 0 0 1 1 1 1 1 1 1 2 2 2
2 2 2 3 3 3 3 3 4 4 4 4 5 5 5 5
6 6 6 7 7 7 8 8 8 9 9 9 10 10 11 11
11 12 12 13 13 13 14 14 15 15 16 16 17 17 18 18
19 19 20 21 21 22 22 23 23 24 25 25 26 27 27 28
29 29 30 31 31 32 33 34 34 35 36 37 37 38 39 40
40 41 42 43 44 45 46 46 47 48 49 50 51 52 53 54
55 56 57 58 59 60 61 62 63 64 65 66 67 68 69 70
71 72 73 74 76 77 78 79 80 81 83 84 85 86 88 89
90 91 93 94 95 96 98 99 100 102 103 104 106 107 109 110
111 113 114 116 117 119 120 121 123 124 126 128 129 131 132 134
135 137 138 140 142 143 145 146 148 150 151 153 155 157 158 160
162 163 165 167 169 170 172 174 176 178 179 181 183 185 187 189
191 193 194 196 198 200 202 204 206 208 210 212 214 216 218 220
222 224 227 229 231 233 235 237 239 241 244 246 248 250 252 255`
  .trim()
  .split(/\s+/)
  .map(Number);

describe('LED_GAMMA', () => {
  it('equals the 256-entry table of docs/reference/hardware.md §7.1', () => {
    expect(SECTION_7_1).toHaveLength(256);
    expect(Array.from(LED_GAMMA)).toEqual(SECTION_7_1);
  });

  it('maps every input up to 21 to zero, which is the pitfall the tone table works around', () => {
    expect(Array.from(LED_GAMMA.subarray(0, 22))).toEqual(new Array(22).fill(0));
    expect(LED_GAMMA[22]).toBe(1);
  });
});

describe('toneTable', () => {
  it('is the identity at full brightness without gamma', () => {
    expect(Array.from(toneTable(255, false))).toEqual(Array.from({ length: 256 }, (_, i) => i));
  });

  it('is the gamma table at full brightness with gamma, except that lit inputs stay at least 1', () => {
    const tone = toneTable(255, true);
    for (let v = 0; v < 256; v++) expect(tone[v]).toBe(v === 0 ? 0 : Math.max(1, SECTION_7_1[v] ?? -1));
  });

  it('applies brightness before gamma: level 128 sends gamma[floor(v * 128 / 255)]', () => {
    const tone = toneTable(128, true);
    expect(tone[255]).toBe(SECTION_7_1[128]);
    expect(tone[200]).toBe(SECTION_7_1[100]);
  });

  it('keeps every lit channel lit at the lowest brightness instead of switching it off', () => {
    const tone = toneTable(1, true);
    expect(tone[0]).toBe(0);
    for (let v = 1; v < 256; v++) expect(tone[v]).toBe(1);
  });

  it('turns everything off at brightness 0', () => {
    expect(Array.from(toneTable(0, true))).toEqual(new Array(256).fill(0));
    expect(Array.from(toneTable(0, false))).toEqual(new Array(256).fill(0));
  });

  it('never exceeds the level it is given', () => {
    for (const level of [1, 64, 128, 200]) {
      expect(Math.max(...toneTable(level, false))).toBe(level);
    }
  });

  it('rejects a level outside 0-255, naming it', () => {
    expect(() => toneTable(256, true)).toThrow('brightness level 256 out of range 0-255');
  });
});
