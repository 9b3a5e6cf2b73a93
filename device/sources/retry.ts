/**
 * Backoff with full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter") and an abortable
 * sleep, shared by the sources. The shutdown signal cancels every wait: `sleep` resolves early on
 * abort instead of rejecting, and callers re-check their desired state.
 */

import { fullJitterDelay } from '../fleet/backoff.ts';

/**
 * Delay before retry number `attempt` (1-based): fleet/backoff.ts's full jitter, uniform in
 * [0, min(cap, base * 2^(attempt-1))), never below `floorMs`.
 */
export function backoffMs(
  attempt: number,
  baseMs: number,
  capMs: number,
  floorMs = 0,
  random: () => number = Math.random,
): number {
  return Math.max(floorMs, fullJitterDelay({ baseMs, capMs }, attempt - 1, random));
}

/** Resolves after `ms`, or at once when `signal` aborts. Never rejects. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0 || signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/**
 * Whether an AWS SDK call is worth another attempt: not a timeout (the call already used its time),
 * yes when `throttled` (each source knows its service's throttling error names), yes for a 5xx, and
 * yes for a network error (a Node error code); a 4xx answer is final.
 */
export function isRetryableAwsError(error: unknown, throttled: boolean): boolean {
  if ((error as Error).name === 'TimeoutError') return false;
  if (throttled) return true;
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  if (status !== undefined) return status >= 500;
  return (error as NodeJS.ErrnoException).code !== undefined;
}
