/**
 * The agent's side of systemd's watchdog (unit: Type=notify, WatchdogSec=, NotifyAccess=main).
 *
 * Contract:
 * - Without $NOTIFY_SOCKET (not under systemd, or a unit without Type=notify) nothing is opened and
 *   nothing is sent: every method is a no-op.
 * - READY=1 once, when `settled()` first holds (the caller's "display open and the first listing
 *   settled, listed or failed") or READY_WAIT_MS after `start`, whichever comes first: a Pi booting
 *   without network never lists, and must still leave "activating" before systemd's start timeout.
 * - WATCHDOG=1 every half of $WATCHDOG_USEC (sd_watchdog_enabled(3)), only while `health()` says
 *   healthy: a blocked event loop fires no timer, a stuck frame or a wedged MQTT client makes
 *   `health()` return a reason, logged once per transition. systemd kills and restarts the agent
 *   once a whole WatchdogSec passes without a ping. $WATCHDOG_PID naming another process: no pings.
 * - `stop()` sends STOPPING=1, clears its timers and closes the socket. Idempotent.
 * A send that fails is logged (rate-limited by transition), never thrown.
 */

import type { Clock } from '../../base/clock.ts';
import type { Logger } from '../../base/log.ts';
import { type Notifier, notifySocketPath, openNotifier } from './notify.ts';

/** Longest wait for the first listing before READY=1 anyway (well under systemd's 90 s start timeout). */
export const READY_WAIT_MS = 30_000;
/** How often `settled()` is asked before READY=1. */
export const READY_POLL_MS = 250;

export interface WatchdogOptions {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly log: Logger;
  readonly clock: Clock;
  /** Default: notify.ts `openNotifier`. */
  readonly open?: (path: string, onError: (error: Error) => void) => Promise<Notifier>;
  readonly pid?: number;
}

export interface WatchdogChecks {
  /** True once the agent has something true to show (the first listing settled, listed or failed). */
  readonly settled: () => boolean;
  /** Undefined while healthy, else why not (agent/watchdog/health.ts). */
  readonly health: () => string | undefined;
}

export interface Watchdog {
  /** Whether systemd is listening (NOTIFY_SOCKET was set and opened). */
  readonly active: boolean;
  /** Call once the display is open: waits for `settled` (or READY_WAIT_MS), READY=1, then pings. */
  start(checks: WatchdogChecks): void;
  stop(): void;
}

const INACTIVE: Watchdog = { active: false, start: () => undefined, stop: () => undefined };

/** The ping interval from $WATCHDOG_USEC: half of it, in ms; undefined when unset, invalid or not ours. */
export function pingIntervalMs(
  env: Readonly<Record<string, string | undefined>>,
  pid: number,
): number | undefined {
  const usec = env.WATCHDOG_USEC;
  if (usec === undefined || !/^\d+$/.test(usec) || Number(usec) === 0) return undefined;
  if (env.WATCHDOG_PID !== undefined && env.WATCHDOG_PID !== String(pid)) return undefined;
  return Math.max(1, Math.floor(Number(usec) / 2_000));
}

/**
 * Opens the notification socket (before anything else starts: a failure leaves nothing to undo).
 * Rejects, naming the fix, when $NOTIFY_SOCKET is set but cannot be used.
 */
export async function openWatchdog(options: WatchdogOptions): Promise<Watchdog> {
  const { env, log, clock } = options;
  const value = env.NOTIFY_SOCKET;
  if (value === undefined || value === '') return INACTIVE;
  const path = notifySocketPath(value);
  if (path instanceof Error) throw path;
  let sendFailed = false;
  const notifier = await (options.open ?? openNotifier)(path, (error) => {
    if (!sendFailed) log.error('watchdog: notify failed', { socket: path, error: error.message });
    sendFailed = true;
  });
  const send = (message: string): void => {
    notifier.send(message);
  };
  const intervalMs = pingIntervalMs(env, options.pid ?? process.pid);
  let checks: WatchdogChecks | undefined;
  let startedAt = 0;
  let stopped = false;
  let timer: unknown;
  let unhealthy: string | undefined;

  const ping = (): void => {
    if (stopped || intervalMs === undefined || checks === undefined) return;
    const reason = checks.health();
    if (reason === undefined) {
      if (unhealthy !== undefined) log.info('watchdog: healthy again; pinging');
      send('WATCHDOG=1');
    } else if (unhealthy === undefined) {
      log.error('watchdog: unhealthy; not pinging, systemd restarts the agent', { reason });
    }
    unhealthy = reason;
    timer = clock.setTimeout(ping, intervalMs);
  };
  const waitReady = (): void => {
    if (stopped || checks === undefined) return;
    const waitedMs = clock.now() - startedAt;
    const settled = checks.settled();
    if (!settled && waitedMs < READY_WAIT_MS) {
      timer = clock.setTimeout(waitReady, Math.min(READY_POLL_MS, READY_WAIT_MS - waitedMs));
      return;
    }
    send('READY=1');
    log.info('watchdog: ready', {
      ...(intervalMs === undefined ? { pings: 'off' } : { pingEveryMs: intervalMs }),
      ...(settled ? {} : { waitedMs, note: 'first listing not settled yet' }),
    });
    ping();
  };
  return {
    active: true,
    start(given) {
      if (checks !== undefined || stopped) return;
      checks = given;
      startedAt = clock.now();
      waitReady();
    },
    stop() {
      if (stopped) return;
      stopped = true;
      if (timer !== undefined) clock.clearTimeout(timer);
      send('STOPPING=1');
      notifier.close();
    },
  };
}
