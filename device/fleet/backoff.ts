/**
 * Retry delays for a failed listing: exponential backoff with full jitter (the delay is uniform in
 * [0, min(cap, base * 2^attempt)), as in the AWS Architecture Blog's "Exponential Backoff And
 * Jitter"). Full jitter spreads the retries of many boards that lost the same network at the same
 * moment, at the cost of an occasional retry right away.
 *
 * Pure: the caller passes the random source, so tests give `() => 0.5` and read exact delays.
 */

export interface BackoffPolicy {
  /** Upper bound of the first retry's delay. */
  readonly baseMs: number;
  /** No delay ever exceeds this. */
  readonly capMs: number;
}

/**
 * A listing that failed for any reason but throttling (network, credentials, a 5xx): first retry
 * within 1 s, doubling up to 1 minute, so a board heals quickly after a Wi-Fi outage.
 */
export const LIST_BACKOFF: BackoffPolicy = { baseMs: 1000, capMs: 60_000 };

/**
 * A listing refused with RequestLimitExceeded: EC2 throttles the whole account, and other tools
 * share that budget, so start at 10 s and back off to 5 minutes instead of adding to the pressure.
 */
export const THROTTLED_LIST_BACKOFF: BackoffPolicy = { baseMs: 10_000, capMs: 300_000 };

/**
 * The delay before retry number `attempt` (0 for the first retry). `random` returns [0, 1), like
 * Math.random; the result is a whole number of milliseconds in [0, min(cap, base * 2^attempt)).
 */
export function fullJitterDelay(policy: BackoffPolicy, attempt: number, random: () => number): number {
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** Math.min(Math.max(attempt, 0), 30));
  const unit = Math.min(Math.max(random(), 0), 1);
  return Math.min(Math.floor(unit * ceiling), Math.max(ceiling - 1, 0));
}
