import { describe, expect, it } from 'vitest';
import type { Item } from '../../../device/fleet/item.ts';
import { parseBoardPixel, parsePixel, pinOf, quote } from '../../../device/picture/pins.ts';

const web: Item = {
  kind: 'instance',
  id: 'i-00000001',
  state: 'running',
  timeMs: 0,
  sinceMs: 0,
  region: 'us-east-1',
  account: '111111111111',
  name: 'web',
  tags: { 'ec2led:pixel': '3,3' },
};

describe('pins', () => {
  it('pins a Name in one account with "ACCOUNT/Name", before a pin on the Name alone', () => {
    const pins = { web: '0,0', '111111111111/web': '1,1', '222222222222/web': '2,2' };
    expect(pinOf(web, pins, 8, 8).claim).toEqual({
      id: web.id,
      pixel: { x: 1, y: 1 },
      source: 'config name',
    });
    const other = { ...web, id: 'i-00000002', account: '333333333333' };
    expect(pinOf(other, pins, 8, 8).claim?.pixel).toEqual({ x: 0, y: 0 });
  });

  it('reads "x,y" with whole numbers, spaces allowed around them', () => {
    expect(parsePixel('3,0')).toEqual({ ok: true, pixel: { x: 3, y: 0 } });
    expect(parsePixel(' 12 , 7 ')).toEqual({ ok: true, pixel: { x: 12, y: 7 } });
  });

  it('refuses anything else with the fix', () => {
    for (const value of ['3', '3;0', '-1,0', '1e1,0', '3,0,', 3, null, '\t1,1']) {
      const parsed = parsePixel(value);
      expect(parsed.ok, String(value)).toBe(false);
      if (!parsed.ok) expect(parsed.reason).toMatch(/is not "x,y" with whole numbers; write e.g. "0,0"/);
    }
  });

  it('refuses a pixel off the board, naming the ranges', () => {
    expect(parseBoardPixel('8,0', 8, 4)).toEqual({
      ok: false,
      reason: '"8,0" is outside the 8x4 board (x 0-7, y 0-3)',
    });
  });

  it('takes config by id over config by Name over the tag', () => {
    expect(pinOf(web, { web: '1,1', [web.id]: '2,2' }, 8, 8).claim).toEqual({
      id: web.id,
      pixel: { x: 2, y: 2 },
      source: 'config id',
    });
    expect(pinOf(web, { web: '1,1' }, 8, 8).claim?.source).toBe('config name');
    expect(pinOf(web, {}, 8, 8).claim?.source).toBe('tag');
    expect(pinOf({ ...web, tags: {} }, {}, 8, 8)).toEqual({ claim: undefined, warnings: [] });
  });

  it('does not take a config key from the prototype for a hostile Name', () => {
    expect(pinOf({ ...web, name: 'constructor', tags: {} }, {}, 8, 8).claim).toBeUndefined();
  });

  it('quotes values for logs: escaped and cut short', () => {
    expect(quote('\u001b[31mred')).toBe('"\\u001b[31mred"');
    expect(quote('x'.repeat(100))).toHaveLength(40);
  });
});
