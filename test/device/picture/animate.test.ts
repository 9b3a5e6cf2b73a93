import { describe, expect, it } from 'vitest';
import { pulsesAs } from '../../../device/kinds/kinds.ts';
import {
  BLINK_PERIOD_MS,
  blinkOn,
  msToToggle,
  PULSE_MIN,
  PULSE_PERIOD_MS,
  pulseFactor,
} from '../../../device/picture/animate.ts';
import { INSTANCE_STATES } from '../../../shared/instance-state.ts';

describe('animate', () => {
  it('pulses only the in-between states', () => {
    expect(INSTANCE_STATES.filter((state) => pulsesAs('instance', state))).toEqual([
      'pending',
      'stopping',
      'shutting-down',
    ]);
  });

  it('breathes from full brightness down to PULSE_MIN and back every period', () => {
    expect(pulseFactor(0)).toBeCloseTo(1);
    expect(pulseFactor(PULSE_PERIOD_MS / 4)).toBeCloseTo((1 + PULSE_MIN) / 2);
    expect(pulseFactor(PULSE_PERIOD_MS / 2)).toBeCloseTo(PULSE_MIN);
    expect(pulseFactor(PULSE_PERIOD_MS)).toBeCloseTo(1);
    expect(pulseFactor(-PULSE_PERIOD_MS / 2)).toBeCloseTo(PULSE_MIN);
  });

  it('never goes below PULSE_MIN', () => {
    for (let t = 0; t < PULSE_PERIOD_MS; t += 7)
      expect(pulseFactor(t)).toBeGreaterThanOrEqual(PULSE_MIN - 1e-9);
  });

  it('blinks on for the first half of each period', () => {
    expect([0, 499, 500, 999, 1000].map((t) => blinkOn(t, BLINK_PERIOD_MS))).toEqual([
      true,
      true,
      false,
      false,
      true,
    ]);
  });

  it('says how long until the blink changes', () => {
    expect([0, 200, 499, 500, 999].map((t) => msToToggle(t, BLINK_PERIOD_MS))).toEqual([500, 300, 1, 500, 1]);
  });
});
