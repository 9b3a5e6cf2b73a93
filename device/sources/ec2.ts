/**
 * The truth: DescribeInstances over every configured region, returned as plain data (a Snapshot of
 * InstanceDetails). Paginated at MaxResults 1000, regions in parallel, with the optional tag filter
 * applied server-side (`tag:KEY`). `startedAtMs` is taken before the first request, so any live
 * change newer than it is replayed over the snapshot by the sync core.
 *
 * Retries: the SDK's own retry is off (maxAttempts 1) so that throttling is visible. A
 * RequestLimitExceeded (EC2 throttles per account and region) or a transient failure (5xx, network)
 * is retried here with full-jitter backoff, reporting `throttled`; an access or validation error is
 * thrown at once with the fix. The abort signal cancels waits and requests.
 *
 * Timeouts: every request gives up after `timeouts.connectMs` to connect and `timeouts.requestMs` for
 * the whole request (DEFAULT_AWS_TIMEOUTS), so an endpoint that accepts and never answers cannot hold
 * a listing for ever. A timed-out request is not retried here: the listing fails at once, and the
 * sync core retries the whole listing with its backoff.
 */
import {
  DescribeInstancesCommand,
  type DescribeInstancesCommandOutput,
  EC2Client,
  type Filter,
} from '@aws-sdk/client-ec2';
import { isInstanceState } from '../../shared/instance-state.ts';
import type { InstanceDetails, Snapshot } from '../fleet/instance.ts';
import { type Logger, silentLogger } from '../log.ts';
import type { CredentialProvider } from './credentials.ts';
import { Ec2Error, listingFix } from './ec2-errors.ts';

// Where it always was, for its importers; it lives in ec2-errors.ts, which loads no SDK.
export { Ec2Error };

import { type AwsTimeouts, awsClientConfig, DEFAULT_AWS_TIMEOUTS } from './aws-client.ts';
import { backoffMs, sleep } from './retry.ts';

export interface Ec2SourceOptions {
  readonly regions: readonly string[];
  /** Undefined: the SDK default chain (env, profile, instance metadata...). */
  readonly credentials?: CredentialProvider | undefined;
  /** aws.ec2Endpoint; undefined: the SDK's own, which honours AWS_ENDPOINT_URL_EC2. */
  readonly endpoint?: string | undefined;
  readonly tagFilter?: { readonly key: string; readonly value: string } | undefined;
  readonly now?: () => number;
  readonly log?: Logger;
  /** Default 6 attempts per request, 500 ms base, 20 s cap. */
  readonly retry?: { readonly attempts: number; readonly baseMs: number; readonly capMs: number };
  readonly onThrottled?: (info: { region: string; attempt: number; delayMs: number }) => void;
  /** Default DEFAULT_AWS_TIMEOUTS. */
  readonly timeouts?: AwsTimeouts;
}

export interface Ec2Source {
  /** Lists every region. Rejects (Ec2Error) if any region fails after its retries. */
  list(signal?: AbortSignal): Promise<Snapshot>;
  /** Details of specific instances (e.g. first seen in a live message); unknown ids are simply absent. */
  describeIds(region: string, ids: readonly string[], signal?: AbortSignal): Promise<InstanceDetails[]>;
  close(): void;
}

const PAGE_SIZE = 1000;
/** EC2 accepts up to 200 values per filter. */
const IDS_PER_REQUEST = 200;

function isThrottle(error: unknown): boolean {
  const name = (error as { name?: string }).name;
  return name === 'RequestLimitExceeded' || name === 'Throttling' || name === 'ThrottlingException';
}

function isTransient(error: unknown): boolean {
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  const code = (error as NodeJS.ErrnoException).code;
  if (status !== undefined) return status >= 500;
  return code !== undefined || (error as Error).name === 'TimeoutError';
}

function isTimeout(error: unknown): boolean {
  return (error as Error).name === 'TimeoutError';
}

function explain(region: string, error: unknown, endpoint?: string): Ec2Error {
  const name = (error as Error).name;
  const fix = listingFix(region, error, endpoint);
  const message = `DescribeInstances failed in ${region}: ${name}: ${(error as Error).message}; ${fix}`;
  return new Ec2Error(message, isThrottle(error), error);
}

function toDetails(region: string, output: DescribeInstancesCommandOutput, log: Logger): InstanceDetails[] {
  const out: InstanceDetails[] = [];
  for (const reservation of output.Reservations ?? []) {
    for (const instance of reservation.Instances ?? []) {
      const state = instance.State?.Name;
      if (instance.InstanceId === undefined || !isInstanceState(state)) {
        log.warn('skipped an instance without id or known state', { region, id: instance.InstanceId, state });
        continue;
      }
      const tags: Record<string, string> = {};
      for (const tag of instance.Tags ?? []) if (tag.Key !== undefined) tags[tag.Key] = tag.Value ?? '';
      out.push({
        instanceId: instance.InstanceId,
        region,
        account: reservation.OwnerId ?? '',
        state,
        name: tags.Name,
        tags,
      });
    }
  }
  return out;
}

export function createEc2Source(options: Ec2SourceOptions): Ec2Source {
  const log = (options.log ?? silentLogger).child({ source: 'ec2' });
  const now = options.now ?? Date.now;
  const retry = options.retry ?? { attempts: 6, baseMs: 500, capMs: 20_000 };
  const timeouts = options.timeouts ?? DEFAULT_AWS_TIMEOUTS;
  const clients = new Map<string, EC2Client>();
  const tagFilters: Filter[] = options.tagFilter
    ? [{ Name: `tag:${options.tagFilter.key}`, Values: [options.tagFilter.value] }]
    : [];

  const client = (region: string): EC2Client => {
    let found = clients.get(region);
    if (found === undefined) {
      found = new EC2Client(awsClientConfig(region, timeouts, options.credentials, options.endpoint));
      clients.set(region, found);
    }
    return found;
  };

  const send = async (
    region: string,
    command: DescribeInstancesCommand,
    signal: AbortSignal | undefined,
  ): Promise<DescribeInstancesCommandOutput> => {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await client(region).send(command, signal === undefined ? {} : { abortSignal: signal });
      } catch (error) {
        const throttled = isThrottle(error);
        const retryable = throttled || (isTransient(error) && !isTimeout(error));
        if (signal?.aborted || attempt >= retry.attempts || !retryable) {
          throw explain(region, error, options.endpoint);
        }
        const delayMs = backoffMs(attempt, retry.baseMs, retry.capMs);
        if (throttled) {
          log.warn('throttled', { region, attempt, delayMs });
          options.onThrottled?.({ region, attempt, delayMs });
        } else log.warn('DescribeInstances failed; retrying', { region, attempt, delayMs, error });
        await sleep(delayMs, signal);
      }
    }
  };

  const describeAll = async (
    region: string,
    filters: Filter[],
    signal?: AbortSignal,
  ): Promise<InstanceDetails[]> => {
    const out: InstanceDetails[] = [];
    let token: string | undefined;
    for (let page = 0; page < 10_000; page += 1) {
      const input = { MaxResults: PAGE_SIZE, ...(filters.length > 0 ? { Filters: filters } : {}) };
      const command = new DescribeInstancesCommand(
        token === undefined ? input : { ...input, NextToken: token },
      );
      const output = await send(region, command, signal);
      out.push(...toDetails(region, output, log));
      token = output.NextToken || undefined;
      if (token === undefined) return out;
    }
    throw new Error(`DescribeInstances in ${region} returned over 10,000 pages; refusing to continue`);
  };

  return {
    async list(signal) {
      const startedAtMs = now();
      const perRegion = await Promise.all(
        options.regions.map((region) => describeAll(region, tagFilters, signal)),
      );
      return { startedAtMs, instances: perRegion.flat() };
    },
    async describeIds(region, ids, signal) {
      // Never call AWS outside the configured regions, whatever a message claimed.
      if (!options.regions.includes(region)) {
        throw new Ec2Error(
          `refusing DescribeInstances in ${region}: not in aws.regions (${options.regions.join(', ')})`,
          false,
          undefined,
        );
      }
      const out: InstanceDetails[] = [];
      for (let i = 0; i < ids.length; i += IDS_PER_REQUEST) {
        const chunk = ids.slice(i, i + IDS_PER_REQUEST);
        out.push(
          ...(await describeAll(region, [{ Name: 'instance-id', Values: chunk }, ...tagFilters], signal)),
        );
      }
      return out;
    },
    close() {
      for (const c of clients.values()) c.destroy();
      clients.clear();
    },
  };
}
