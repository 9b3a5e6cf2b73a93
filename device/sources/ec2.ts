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
 *
 * A broken answer is not the truth: every page is read into memory up to MAX_PAGE_BYTES (and every
 * page of one listing together up to MAX_LISTING_BYTES), checked to be a DescribeInstancesResponse
 * before the SDK reads it (ec2-page.ts: the SDK returns an empty page, no error, for much that is
 * not one), and the SDK's reading is held to the number of instances the page holds. What one
 * listing may hold is bounded as AWS bounds it (LIMITS: tags, tag keys and values, ids). Any of these
 * fails the listing at once (`MalformedResponse`, not retried here), into the sync core's backoff as
 * for a 500, never a listing taken as the truth.
 *
 * Why a middleware on the command and not a request handler around the SDK's: the middleware stack
 * is the SDK's public way in, keeps the SDK's own handler and its timeouts as they are, and sees the
 * raw response of exactly this call (its budget is the listing's); wrapping the handler would mean
 * building the SDK's Node handler ourselves from a package we do not depend on directly.
 */
import {
  DescribeInstancesCommand,
  type DescribeInstancesCommandOutput,
  EC2Client,
  type Filter,
  type Reservation,
} from '@aws-sdk/client-ec2';
import { isInstanceState } from '../../shared/instance-state.ts';
import { type Logger, silentLogger } from '../base/log.ts';
import type { ItemDetails, Snapshot } from '../fleet/item.ts';
import type { CredentialProvider } from './credentials.ts';
import { Ec2Error, listingFix, malformedResponse } from './ec2-errors.ts';
import {
  checkDescribeInstancesPage,
  MAX_LISTING_BYTES,
  MAX_PAGE_BYTES,
  type RawResponse,
  readBounded,
} from './ec2-page.ts';
import { listScheduledEvents } from './scheduled-events.ts';

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
  describeIds(region: string, ids: readonly string[], signal?: AbortSignal): Promise<ItemDetails[]>;
  close(): void;
}

const PAGE_SIZE = 1000;

/**
 * What EC2 can hold, so anything beyond is a bad response: 50 user tags an instance, keys of 128
 * characters and values of 256 (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/Using_Tags.html,
 * "Tag restrictions"; a few `aws:` tags come on top, hence 60); instance and account ids are under 20.
 */
export const LIMITS = { tags: 60, keyChars: 128, valueChars: 256, idChars: 64 } as const;
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

/** Length in characters (code points), as AWS counts them; a UTF-16 length at most twice that. */
function chars(text: string, max: number): number {
  return text.length <= max ? text.length : [...text].length;
}

function quoted(text: string): string {
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}...` : text);
}

/** Why this instance cannot have come from EC2, or undefined. */
function beyondLimits(
  instance: NonNullable<Reservation['Instances']>[number],
  ownerId: string,
): string | undefined {
  const id = instance.InstanceId ?? '';
  if (id.length > LIMITS.idChars) return `an instance id of ${id.length} characters (${quoted(id)})`;
  if (ownerId.length > LIMITS.idChars) return `an owner id of ${ownerId.length} characters`;
  const tags = instance.Tags ?? [];
  if (tags.length > LIMITS.tags) return `${id} with ${tags.length} tags (EC2 allows 50)`;
  for (const tag of tags) {
    const key = tag.Key ?? '';
    const value = tag.Value ?? '';
    if (chars(key, LIMITS.keyChars) > LIMITS.keyChars) {
      return `${id} with a tag key of ${chars(key, LIMITS.keyChars)} characters (EC2 allows ${LIMITS.keyChars}): ${quoted(key)}`;
    }
    if (chars(value, LIMITS.valueChars) > LIMITS.valueChars) {
      return `${id} with a tag ${quoted(key)} of ${chars(value, LIMITS.valueChars)} characters (EC2 allows ${LIMITS.valueChars})`;
    }
  }
  return undefined;
}

function toDetails(
  region: string,
  output: DescribeInstancesCommandOutput,
  expected: number | undefined,
  log: Logger,
): ItemDetails[] {
  const out: ItemDetails[] = [];
  const reservations = output.Reservations;
  if (reservations === undefined) throw malformedResponse('the SDK read no reservationSet from the page');
  const read = reservations.reduce((sum, r) => sum + (r.Instances?.length ?? 0), 0);
  if (expected !== undefined && read !== expected) {
    throw malformedResponse(`the page holds ${expected} instances and the SDK read ${read}`);
  }
  for (const reservation of reservations) {
    for (const instance of reservation.Instances ?? []) {
      const bad = beyondLimits(instance, reservation.OwnerId ?? '');
      if (bad !== undefined) throw malformedResponse(`the page holds ${bad}`);
      const state = instance.State?.Name;
      if (instance.InstanceId === undefined || !isInstanceState(state)) {
        log.warn('skipped an instance without id or known state', { region, id: instance.InstanceId, state });
        continue;
      }
      const tags: Record<string, string> = {};
      for (const tag of instance.Tags ?? []) if (tag.Key !== undefined) tags[tag.Key] = tag.Value ?? '';
      out.push({
        id: instance.InstanceId,
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

/** The bytes one listing (or describe) has read so far, across its regions and pages. */
interface ListingBudget {
  bytes: number;
}

function newBudget(): ListingBudget {
  return { bytes: 0 };
}

/** What the page guard found in the last attempt of one page: how many instances it holds. */
interface CheckedPage {
  instances?: number;
}

const MIB = 1024 * 1024;

/**
 * A deserialize-step middleware just inside the SDK's deserializer: it reads the raw body (bounded by
 * the page and the listing budget), refuses a 2xx page that is not a DescribeInstancesResponse, notes
 * how many instances the page holds, and hands the SDK the bytes it read.
 */
function pageGuard(budget: ListingBudget, checked: CheckedPage) {
  return <Args, Output>(next: (args: Args) => Promise<Output>) =>
    async (args: Args): Promise<Output> => {
      const result = await next(args);
      const response = (result as { response?: RawResponse }).response;
      if (response === undefined) return result;
      const pageLimit = Math.min(MAX_PAGE_BYTES, MAX_LISTING_BYTES - budget.bytes);
      const bytes = await readBounded(response, pageLimit);
      if (bytes === 'over') {
        throw malformedResponse(
          pageLimit < MAX_PAGE_BYTES
            ? `the listing's pages together ran over ${MAX_LISTING_BYTES / MIB} MiB`
            : `a page ran over ${MAX_PAGE_BYTES / MIB} MiB`,
        );
      }
      budget.bytes += bytes.byteLength;
      response.body = bytes;
      const status = response.statusCode ?? 0;
      if (status < 200 || status >= 300) return result; // the SDK reads the error, as before
      let text: string;
      try {
        text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
      } catch {
        throw malformedResponse(`HTTP ${status}, a body that is not UTF-8 text`);
      }
      const check = checkDescribeInstancesPage(text);
      if (!check.ok) throw malformedResponse(`HTTP ${status}, ${check.problem}`);
      checked.instances = check.instances;
      return result;
    };
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
    budget: ListingBudget,
    signal?: AbortSignal,
  ): Promise<ItemDetails[]> => {
    const out: ItemDetails[] = [];
    let token: string | undefined;
    for (let page = 0; page < 10_000; page += 1) {
      const input = { MaxResults: PAGE_SIZE, ...(filters.length > 0 ? { Filters: filters } : {}) };
      const command = new DescribeInstancesCommand(
        token === undefined ? input : { ...input, NextToken: token },
      );
      const checked: CheckedPage = {};
      command.middlewareStack.addRelativeTo(pageGuard(budget, checked), {
        relation: 'after',
        toMiddleware: 'deserializerMiddleware',
        name: 'ec2ledPageGuard',
      });
      const output = await send(region, command, signal);
      try {
        out.push(...toDetails(region, output, checked.instances, log));
      } catch (error) {
        throw explain(region, error, options.endpoint);
      }
      token = output.NextToken || undefined;
      if (token === undefined) return out;
    }
    throw new Error(`DescribeInstances in ${region} returned over 10,000 pages; refusing to continue`);
  };

  // Scheduled events (instance notices): a failure is logged when its reason changes, never fatal.
  const scheduledFailures = new Map<string, string>();
  const scheduledIn = async (region: string, signal: AbortSignal | undefined) => {
    const read = await listScheduledEvents(client(region), signal);
    if ('reason' in read) {
      if (scheduledFailures.get(region) !== read.reason)
        log.warn('scheduled events not listed; their notices stay as they were', {
          region,
          error: read.reason,
        });
      scheduledFailures.set(region, read.reason);
      return undefined;
    }
    scheduledFailures.delete(region);
    return { region, account: '', events: read.events };
  };

  return {
    async list(signal) {
      const startedAtMs = now();
      const budget = newBudget();
      // Scheduled events after the region's instances: nothing more is asked of a region that failed.
      const perRegion = await Promise.all(
        options.regions.map(async (region) => {
          const instances = await describeAll(region, tagFilters, budget, signal);
          return { instances, scheduled: await scheduledIn(region, signal) };
        }),
      );
      const scheduled = perRegion.flatMap((r) => (r.scheduled === undefined ? [] : [r.scheduled]));
      return {
        startedAtMs,
        items: perRegion.flatMap((r) => r.instances),
        ...(scheduled.length > 0 ? { scheduled } : {}),
      };
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
      const out: ItemDetails[] = [];
      const budget = newBudget();
      for (let i = 0; i < ids.length; i += IDS_PER_REQUEST) {
        const chunk = ids.slice(i, i + IDS_PER_REQUEST);
        out.push(
          ...(await describeAll(
            region,
            [{ Name: 'instance-id', Values: chunk }, ...tagFilters],
            budget,
            signal,
          )),
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
