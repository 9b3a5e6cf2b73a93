/**
 * The HLS checker's entry point: EventBridge Scheduler invokes it once a minute per stream with
 * `{"check":"<name>","url":"https://.../playlist.m3u8"}`. It runs one check and writes the result as
 * one CloudWatch Embedded Metric Format line: `HlsStatus` in namespace `ec2led/Checks`, dimension
 * `Check`, 0 healthy, 1 degraded, 2 down. Off-air writes `HlsOffAir` 1 and no `HlsStatus`, so the
 * alarm (ALARM at 1 or more) goes to INSUFFICIENT_DATA, not ALARM. No AWS SDK: Lambda ships the log
 * line to CloudWatch, which turns it into the metric.
 */
import type { HlsLook } from '../shared/hls.ts';
import { checkStream } from '../shared/hls-check.ts';

export const METRIC_NAMESPACE = 'ec2led/Checks';
export const STATUS_METRIC = 'HlsStatus';
export const OFF_AIR_METRIC = 'HlsOffAir';
export const STATUS_VALUES: Record<Exclude<HlsLook, 'off-air'>, number> = {
  healthy: 0,
  degraded: 1,
  down: 2,
};

export interface CheckInput {
  readonly check: string;
  readonly url: string;
}

/** The EMF line for one result. Pure. */
export function metricLine(check: string, look: HlsLook, reason: string, timeMs: number): string {
  const metric = look === 'off-air' ? OFF_AIR_METRIC : STATUS_METRIC;
  return JSON.stringify({
    _aws: {
      Timestamp: timeMs,
      CloudWatchMetrics: [
        { Namespace: METRIC_NAMESPACE, Dimensions: [['Check']], Metrics: [{ Name: metric, Unit: 'None' }] },
      ],
    },
    Check: check,
    [metric]: look === 'off-air' ? 1 : STATUS_VALUES[look],
    look,
    reason,
  });
}

function isInput(event: unknown): event is CheckInput {
  const record = event as Record<string, unknown> | null;
  return (
    typeof record === 'object' &&
    record !== null &&
    typeof record.check === 'string' &&
    typeof record.url === 'string' &&
    /^https?:\/\//.test(record.url)
  );
}

export async function handler(event: unknown): Promise<void> {
  if (!isInput(event)) {
    // A schedule's input is fixed at deploy time, so this is a bug in the stack, not a stream problem.
    process.stdout.write(
      `${JSON.stringify({ level: 'error', msg: 'bad check input', event: String(JSON.stringify(event)).slice(0, 200) })}\n`,
    );
    return;
  }
  const result = await checkStream(event.url, {
    fetch,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    now: Date.now,
  });
  process.stdout.write(`${metricLine(event.check, result.look, result.reason, Date.now())}\n`);
}
