import { describe, expect, it } from 'vitest';
import { wledStatusLines } from '../../../../device/outputs/wled/status.ts';

const up = {
  host: 'wled-desk.local',
  port: 4048,
  protocol: 'ddp',
  link: 'up',
  leds: 256,
  frames: 42,
  outages: 0,
  failures: 0,
};

describe('wledStatusLines', () => {
  it('says one line per device: mirroring, not checked yet, or unreachable for how long and why', () => {
    const down = {
      ...up,
      host: '192.168.1.9',
      protocol: 'json',
      port: 80,
      link: 'down',
      downSinceMs: 1_000,
      reason: 'GET http://192.168.1.9:80/json/si failed (EHOSTUNREACH)',
    };
    expect(wledStatusLines([up, { ...up, link: 'unknown' }, down], 43_000)).toEqual([
      'wled wled-desk.local:4048 (ddp, 256 LEDs): mirroring, 42 frames sent',
      'wled wled-desk.local:4048 (ddp, 256 LEDs): not checked yet',
      'wled 192.168.1.9:80 (json, 256 LEDs): UNREACHABLE for 42 s, retrying: GET http://192.168.1.9:80/json/si failed (EHOSTUNREACH)',
    ]);
  });

  it('shows nothing for an agent without WLED or an answer of another shape, and no control characters', () => {
    expect(wledStatusLines(undefined, 0)).toEqual([]);
    expect(wledStatusLines([{ host: 1 }], 0)).toEqual([]);
    const [line] = wledStatusLines([{ ...up, link: 'down', reason: 'bad\u001b[2Jthing' }], 0);
    expect(line).toContain('bad [2Jthing');
  });
});
