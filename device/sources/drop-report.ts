/**
 * Counted, rate-limited warnings for input that is dropped on purpose. The first drop is logged at
 * once; later ones are counted per key and logged as one line per interval, so a flood of messages
 * for another account costs one log line a minute, not one a message. Keys are capped (a hostile
 * sender cannot grow the map) and cut short; the rest is counted under "(other)". `close()` logs
 * what is still counted and stops the timer.
 */
import type { LogContext, Logger } from '../base/log.ts';

/** One line a minute at most while drops keep coming. */
export const DROP_REPORT_INTERVAL_MS = 60_000;
const MAX_KEYS = 20;
const MAX_KEY_LENGTH = 80;

export interface DropReportOptions {
  readonly log: Logger;
  /** The log line, e.g. "dropped messages for an account or region not configured". */
  readonly message: string;
  /** Added to every line, e.g. the fix. */
  readonly context?: LogContext;
  readonly intervalMs?: number;
  /** Default "warn". "info" counts what is accepted, e.g. Home Assistant's commands obeyed. */
  readonly level?: 'warn' | 'info';
  /** The name of the count since the last line; default "dropped". */
  readonly countName?: string;
}

export interface DropReport {
  /** Counts one dropped item under `key` (e.g. "123456789012/eu-west-1"). */
  drop(key: string): void;
  /** Items dropped since the start. */
  readonly total: number;
  close(): void;
}

export function createDropReport(options: DropReportOptions): DropReport {
  const intervalMs = options.intervalMs ?? DROP_REPORT_INTERVAL_MS;
  const counts = new Map<string, number>();
  let total = 0;
  let timer: NodeJS.Timeout | undefined;

  const flush = (): void => {
    if (counts.size === 0) return;
    let dropped = 0;
    for (const count of counts.values()) dropped += count;
    options.log[options.level ?? 'warn'](options.message, {
      ...options.context,
      [options.countName ?? 'dropped']: dropped,
      total,
      counts: Object.fromEntries(counts),
    });
    counts.clear();
  };
  const tick = (): void => {
    if (counts.size === 0) {
      timer = undefined;
      return;
    }
    flush();
    timer = setTimeout(tick, intervalMs);
    timer.unref();
  };

  return {
    drop(key) {
      total += 1;
      const short = key.length > MAX_KEY_LENGTH ? `${key.slice(0, MAX_KEY_LENGTH)}...` : key;
      const at = counts.has(short) || counts.size < MAX_KEYS ? short : '(other)';
      counts.set(at, (counts.get(at) ?? 0) + 1);
      if (timer === undefined) tick();
    },
    get total() {
      return total;
    },
    close() {
      clearTimeout(timer);
      timer = undefined;
      flush();
    },
  };
}
