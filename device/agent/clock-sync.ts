/**
 * Is the Pi's clock NTP-synchronized? A Pi has no battery clock: it boots with the time it shut down
 * at, and AWS refuses requests signed more than five minutes off. The board and `ec2led status` show
 * an unsynchronized clock (render.ts, `clock-unsynced`).
 *
 * Read from systemd-timesyncd, the Raspberry Pi OS default, at the cost of two stat(2) calls:
 * `/run/systemd/timesync/synchronized` is touched on every successful sync (systemd-timesyncd(8));
 * its directory is timesyncd's RuntimeDirectory, present while it runs. So: the file -> synchronized;
 * the directory without the file -> not yet; neither -> unknown (another NTP client such as chrony,
 * or none), shown as fine rather than as a false alarm. Not timedatectl or D-Bus: a process or a bus
 * client every poll for one bit.
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { type Clock, systemClock } from '../base/clock.ts';
import type { Logger } from '../base/log.ts';

export const TIMESYNC_DIR = '/run/systemd/timesync';
/** How often the clock is looked at: a sync shows on the board within this. */
export const CLOCK_POLL_MS = 30_000;

/** True, false, or undefined when no systemd-timesyncd runs. */
export async function readClockSynced(dir = TIMESYNC_DIR): Promise<boolean | undefined> {
  const exists = (path: string) =>
    stat(path).then(
      () => true,
      () => false,
    );
  if (await exists(join(dir, 'synchronized'))) return true;
  return (await exists(dir)) ? false : undefined;
}

export interface ClockWatch {
  /** The last reading; undefined before the first or when unknown. */
  readonly synced: boolean | undefined;
  stop(): void;
}

/**
 * Reads now and every CLOCK_POLL_MS; calls `changed` when the reading changes (the agent redraws)
 * and logs the transition.
 */
export function watchClockSync(options: {
  readonly changed: () => void;
  readonly log: Logger;
  readonly clock?: Clock;
  readonly read?: () => Promise<boolean | undefined>;
}): ClockWatch {
  const clock = options.clock ?? systemClock;
  const read = options.read ?? (() => readClockSynced());
  let synced: boolean | undefined;
  let stopped = false;
  let timer: unknown;
  const poll = async (): Promise<void> => {
    const next = await read().catch(() => undefined);
    if (stopped) return;
    if (next !== synced) {
      if (next === false)
        log(options.log, 'warn', 'clock not synchronized (NTP): AWS requests may fail; check timedatectl');
      else if (next === true && synced === false) log(options.log, 'info', 'clock synchronized');
      synced = next;
      options.changed();
    }
    timer = clock.setTimeout(() => void poll(), CLOCK_POLL_MS);
  };
  void poll();
  return {
    get synced() {
      return synced;
    },
    stop() {
      stopped = true;
      if (timer !== undefined) clock.clearTimeout(timer);
    },
  };
}

/** The agent's options for `watchClockSync`, without undefined keys. */
export function clockOptions(options: {
  readonly clock?: Clock | undefined;
  readonly readClockSynced?: (() => Promise<boolean | undefined>) | undefined;
}): { clock?: Clock; read?: () => Promise<boolean | undefined> } {
  return {
    ...(options.clock === undefined ? {} : { clock: options.clock }),
    ...(options.readClockSynced === undefined ? {} : { read: options.readClockSynced }),
  };
}

function log(logger: Logger, level: 'info' | 'warn', msg: string): void {
  logger[level](msg);
}
