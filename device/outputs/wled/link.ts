/**
 * Whether a WLED answers, as a pure state machine over check results: the output (output.ts) runs
 * the checks and the timers, this decides what they mean.
 *
 * Contract:
 * - A WLED is `unknown` until the first check answers, then `up` or `down`. Each change between up
 *   and down is one log line: "wled unreachable" once per outage (with the reason), "wled reachable"
 *   once when it answers again. Failures within an outage only count.
 * - While up, the next check is `checkMs` away; while down, after a failure number n it is a full-
 *   jitter backoff (fleet/backoff.ts) of 1 s doubling to 30 s, so an absent device costs a request
 *   every 30 s at most and a returning one is seen within about that.
 * - `resend` is true when WLED may have lost the frame: the first answer, an answer after an outage,
 *   and an uptime lower than the last one seen (it restarted between two checks).
 */
import { type BackoffPolicy, fullJitterDelay } from '../../fleet/backoff.ts';

export const WLED_BACKOFF: BackoffPolicy = { baseMs: 1_000, capMs: 30_000 };

export interface Link {
  readonly status: 'unknown' | 'up' | 'down';
  /** Failed checks in the current outage. */
  readonly failures: number;
  /** The current outage's first failure (for status), and its reason. */
  readonly downSinceMs: number | undefined;
  readonly reason: string | undefined;
  /** WLED's uptime at the last answer, seconds. */
  readonly uptimeS: number | undefined;
  /** Outages so far (for /metrics). */
  readonly outages: number;
}

export const INITIAL_LINK: Link = {
  status: 'unknown',
  failures: 0,
  downSinceMs: undefined,
  reason: undefined,
  uptimeS: undefined,
  outages: 0,
};

export type LinkEvent =
  | { readonly type: 'answered'; readonly uptimeS: number | undefined; readonly nowMs: number }
  | { readonly type: 'failed'; readonly reason: string; readonly nowMs: number };

export interface LinkStep {
  readonly link: Link;
  /** Send the current frame again, whole. */
  readonly resend: boolean;
  /** When to check next. */
  readonly checkInMs: number;
  /** The transition to log, if this event is one. */
  readonly log?: { readonly level: 'info' | 'warn'; readonly msg: string } | undefined;
}

export function stepLink(
  link: Link,
  event: LinkEvent,
  options: { readonly checkMs: number; readonly random: () => number },
): LinkStep {
  if (event.type === 'answered') {
    const restarted =
      link.uptimeS !== undefined && event.uptimeS !== undefined && event.uptimeS < link.uptimeS;
    const next: Link = { ...INITIAL_LINK, status: 'up', uptimeS: event.uptimeS, outages: link.outages };
    return {
      link: next,
      resend: link.status !== 'up' || restarted,
      checkInMs: options.checkMs,
      log:
        link.status === 'down'
          ? { level: 'info', msg: 'wled reachable' }
          : restarted
            ? { level: 'info', msg: 'wled restarted' }
            : undefined,
    };
  }
  const first = link.status !== 'down';
  const next: Link = {
    status: 'down',
    failures: link.failures + 1,
    downSinceMs: first ? event.nowMs : link.downSinceMs,
    reason: event.reason,
    uptimeS: link.uptimeS,
    outages: link.outages + (first ? 1 : 0),
  };
  return {
    link: next,
    resend: false,
    checkInMs: Math.max(100, fullJitterDelay(WLED_BACKOFF, link.failures, options.random)),
    log: first ? { level: 'warn', msg: 'wled unreachable' } : undefined,
  };
}
