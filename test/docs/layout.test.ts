/**
 * Holds docs/layout.md's timings to device/picture/animate.ts: how fast ALARM flashes (and how long
 * each half lasts, at what level), how fast identify blinks, and the acknowledged look's level.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FLASH_LOW, FLASH_PERIOD_MS, IDENTIFY_PERIOD_MS, QUIET_LEVEL } from '../../device/picture/animate.ts';
import { ROOT } from '../source-tree.ts';

const text = readFileSync(`${ROOT}docs/layout.md`, 'utf8');
/** The prose with its line breaks as spaces. */
const prose = text.replace(/\s+/g, ' ');
const WORDS: Readonly<Record<string, number>> = { two: 2, three: 3, four: 4, five: 5, six: 6 };

describe('docs/layout.md', () => {
  it('gives the ALARM flash rate the code has: one on and one low half a period', () => {
    const row = /^\| `ALARM` \(alarm\) .*\*\*flashes\*\*, ([\d.]+) times a second/m.exec(text);
    expect(Number(row?.[1])).toBe(1000 / FLASH_PERIOD_MS);
    const half = FLASH_PERIOD_MS / 2;
    expect(prose).toContain(`**flashes**: ${half} ms full colour, ${half} ms at ${FLASH_LOW * 100}%`);
  });

  it('gives the acknowledged look the level the code has', () => {
    expect(prose).toContain(`acknowledged or snoozed urgent pixel is **steady at ${QUIET_LEVEL * 100}%**`);
  });

  it('gives the identify blink rate the code has', () => {
    const rate = /blinks \*\*white and off (\w+) times a second/.exec(prose)?.[1] ?? '';
    expect(WORDS[rate]).toBe(1000 / IDENTIFY_PERIOD_MS);
  });
});
