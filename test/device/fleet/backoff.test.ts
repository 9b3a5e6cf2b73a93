import { describe, expect, it } from 'vitest';
import { fullJitterDelay, LIST_BACKOFF, THROTTLED_LIST_BACKOFF } from '../../../device/fleet/backoff.ts';

describe('full-jitter backoff', () => {
  it('draws uniformly below base * 2^attempt', () => {
    expect([0, 1, 2, 3].map((attempt) => fullJitterDelay(LIST_BACKOFF, attempt, () => 0.5))).toEqual([
      500, 1000, 2000, 4000,
    ]);
  });

  it('never exceeds the cap, however many attempts', () => {
    expect(fullJitterDelay(LIST_BACKOFF, 50, () => 0.999_999)).toBe(59_999);
    expect(fullJitterDelay(LIST_BACKOFF, 5000, () => 0.5)).toBe(30_000);
  });

  it('can retry at once (full jitter), and stays below the ceiling for a random of 1', () => {
    expect(fullJitterDelay(LIST_BACKOFF, 0, () => 0)).toBe(0);
    expect(fullJitterDelay(LIST_BACKOFF, 0, () => 1)).toBe(999);
  });

  it('starts slower and caps higher when throttled', () => {
    expect(fullJitterDelay(THROTTLED_LIST_BACKOFF, 0, () => 0.5)).toBe(5000);
    expect(fullJitterDelay(THROTTLED_LIST_BACKOFF, 40, () => 0.5)).toBe(150_000);
  });
});
