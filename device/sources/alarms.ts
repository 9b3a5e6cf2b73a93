/**
 * The truth for alarms: CloudWatch DescribeAlarms over every configured alarm region, returned as
 * plain data (a Snapshot of alarm details), the same shape as sources/ec2.ts so the two can be listed
 * together (sources/listing.ts) and moved together. One request series per name prefix (DescribeAlarms
 * takes one `AlarmNamePrefix`; "" lists every alarm), paginated at MaxRecords 100, metric and
 * composite alarms, regions in parallel; an alarm two prefixes match is listed once. `startedAtMs` is
 * taken before the first request.
 *
 * Retries, timeouts and the abort signal as in sources/ec2.ts: the SDK's own retry is off, a throttle
 * or a transient failure is retried here with full-jitter backoff, a timed-out request fails the
 * listing at once (the sync core relists with backoff), an access or validation error fails at once
 * with the fix (alarm-errors.ts).
 *
 * Selection is by name prefix only. CloudWatch cannot filter DescribeAlarms by tag: selecting by tag
 * would take one ListTagsForResource per alarm per listing, so the config offers prefixes (docs/config.md).
 */
import {
  CloudWatchClient,
  type CompositeAlarm,
  DescribeAlarmsCommand,
  type DescribeAlarmsCommandOutput,
  type MetricAlarm,
} from '@aws-sdk/client-cloudwatch';
import { ALARM_KIND, isAlarmState, parseAlarmArn } from '../../shared/alarm-message.ts';
import { type Logger, silentLogger } from '../base/log.ts';
import type { ItemDetails, Snapshot } from '../fleet/item.ts';
import { alarmListingFix } from './alarm-errors.ts';
import { type AwsTimeouts, awsClientConfig, DEFAULT_AWS_TIMEOUTS } from './aws-client.ts';
import type { CredentialProvider } from './credentials.ts';
import { backoffMs, isRetryableAwsError, sleep } from './retry.ts';

export interface AlarmSourceOptions {
  /** Where the alarms live (config alarms.regions, default aws.regions). */
  readonly regions: readonly string[];
  /** Alarm name prefixes; "" selects every alarm. */
  readonly prefixes: readonly string[];
  /** Undefined: the SDK default chain. */
  readonly credentials?: CredentialProvider | undefined;
  /** alarms.endpoint; undefined: the SDK's own, which honours AWS_ENDPOINT_URL_CLOUDWATCH. */
  readonly endpoint?: string | undefined;
  readonly now?: () => number;
  readonly log?: Logger;
  /** Default 6 attempts per request, 500 ms base, 20 s cap. */
  readonly retry?: { readonly attempts: number; readonly baseMs: number; readonly capMs: number };
  /** Default DEFAULT_AWS_TIMEOUTS. */
  readonly timeouts?: AwsTimeouts;
}

export interface AlarmSource {
  /** Lists every region and prefix. Rejects (AlarmListingError) if any fails after its retries. */
  list(signal?: AbortSignal): Promise<Snapshot>;
  close(): void;
}

/** DescribeAlarms' largest page. */
const PAGE_SIZE = 100;
/** A bound on pages per prefix and region: 1,000 pages of 100 alarms. */
const MAX_PAGES = 1000;

/** A DescribeAlarms failure after retries; `throttled` tells the sync core to back off harder. */
export class AlarmListingError extends Error {
  readonly throttled: boolean;
  constructor(message: string, throttled: boolean, cause: unknown) {
    super(message, { cause });
    this.name = 'AlarmListingError';
    this.throttled = throttled;
  }
}

function isThrottle(error: unknown): boolean {
  const name = (error as { name?: string }).name;
  return name === 'Throttling' || name === 'ThrottlingException' || name === 'RequestLimitExceeded';
}

const isRetryable = (error: unknown): boolean => isRetryableAwsError(error, isThrottle(error));

function toDetails(
  region: string,
  alarms: readonly (MetricAlarm | CompositeAlarm)[],
  log: Logger,
): ItemDetails[] {
  const out: ItemDetails[] = [];
  for (const alarm of alarms) {
    const arn = alarm.AlarmArn;
    const parsed = arn === undefined ? undefined : parseAlarmArn(arn);
    const state = alarm.StateValue;
    if (arn === undefined || parsed === undefined || !isAlarmState(state)) {
      log.warn('skipped an alarm without an ARN or a known state', { region, arn, state });
      continue;
    }
    out.push({
      kind: ALARM_KIND,
      id: arn,
      region: parsed.region,
      account: parsed.account,
      state,
      name: alarm.AlarmName ?? parsed.name,
      tags: {},
    });
  }
  return out;
}

export function createAlarmSource(options: AlarmSourceOptions): AlarmSource {
  const log = (options.log ?? silentLogger).child({ source: 'cloudwatch' });
  const now = options.now ?? Date.now;
  const retry = options.retry ?? { attempts: 6, baseMs: 500, capMs: 20_000 };
  const timeouts = options.timeouts ?? DEFAULT_AWS_TIMEOUTS;
  const prefixes = [...new Set(options.prefixes)];
  const clients = new Map<string, CloudWatchClient>();

  const client = (region: string): CloudWatchClient => {
    let found = clients.get(region);
    if (found === undefined) {
      found = new CloudWatchClient(awsClientConfig(region, timeouts, options.credentials, options.endpoint));
      clients.set(region, found);
    }
    return found;
  };

  const send = async (
    region: string,
    command: DescribeAlarmsCommand,
    signal: AbortSignal | undefined,
  ): Promise<DescribeAlarmsCommandOutput> => {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await client(region).send(command, signal === undefined ? {} : { abortSignal: signal });
      } catch (error) {
        if (signal?.aborted || attempt >= retry.attempts || !isRetryable(error)) {
          const name = (error as Error).name;
          const fix = alarmListingFix(region, error, options.endpoint);
          throw new AlarmListingError(
            `DescribeAlarms failed in ${region}: ${name}: ${(error as Error).message}; ${fix}`,
            isThrottle(error),
            error,
          );
        }
        const delayMs = backoffMs(attempt, retry.baseMs, retry.capMs);
        log.warn(isThrottle(error) ? 'throttled' : 'DescribeAlarms failed; retrying', {
          region,
          attempt,
          delayMs,
          error: (error as Error).message,
        });
        await sleep(delayMs, signal);
      }
    }
  };

  const describePrefix = async (
    region: string,
    prefix: string,
    signal?: AbortSignal,
  ): Promise<ItemDetails[]> => {
    const out: ItemDetails[] = [];
    let token: string | undefined;
    for (let page = 0; page < MAX_PAGES; page += 1) {
      const command = new DescribeAlarmsCommand({
        AlarmTypes: ['MetricAlarm', 'CompositeAlarm'],
        MaxRecords: PAGE_SIZE,
        ...(prefix === '' ? {} : { AlarmNamePrefix: prefix }),
        ...(token === undefined ? {} : { NextToken: token }),
      });
      const output = await send(region, command, signal);
      out.push(
        ...toDetails(region, [...(output.MetricAlarms ?? []), ...(output.CompositeAlarms ?? [])], log),
      );
      token = output.NextToken || undefined;
      if (token === undefined) return out;
    }
    throw new AlarmListingError(
      `DescribeAlarms in ${region} returned over ${MAX_PAGES} pages for prefix ${JSON.stringify(prefix)}; ` +
        'refusing to continue: choose narrower alarms.prefixes',
      false,
      undefined,
    );
  };

  return {
    async list(signal) {
      const startedAtMs = now();
      const lists = await Promise.all(
        options.regions.flatMap((region) => prefixes.map((prefix) => describePrefix(region, prefix, signal))),
      );
      const byArn = new Map<string, ItemDetails>();
      for (const details of lists.flat()) byArn.set(details.id, details);
      return { startedAtMs, items: [...byArn.values()] };
    },
    close() {
      for (const c of clients.values()) c.destroy();
      clients.clear();
    },
  };
}
