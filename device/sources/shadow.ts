/**
 * The settings shadow over the agent's MQTT connection (the `ec2led-settings` named shadow of the
 * device's own thing). Level-based, like the fleet: a delta or an accepted update is only a hint to
 * fetch the whole document again, and every document received is resolved in full
 * (config/remote-settings.ts). So a desired key removed by an update (which makes no delta) is undone too.
 *
 * - On every connection, after the SUBACK of the response topics: `get`. A 404 (no shadow yet) reads
 *   as an empty document, and the report creates the shadow.
 * - `update/delta`, or an `update/accepted` that carries `desired`: `get` again (one in flight at a
 *   time; a hint during it asks for one more, however many hints came).
 * - A `get` carries a `clientToken`; only an answer that echoes one of ours is taken (the service
 *   reflects it). An answer that does not come within `getTimeoutMs` (a lost QoS 0 answer), a `get`
 *   that could not be sent and a refused one (other than 404) are retried with full-jitter backoff
 *   (`retry`, capped), so settings never stall until the next reconnection; a hint while a retry
 *   waits changes nothing, since the retry fetches the whole document anyway.
 * - Each document: the effective settings are applied (only when they changed), then `reported` is
 *   brought to the effective values and the errors, within the 8 KB shadow limit, or not sent. The
 *   same report is never published twice in a row (a refused one would be refused again); a new
 *   connection may send it once more.
 * - Nothing received throws. Junk costs a bounded amount: a payload that is not a JSON object (or
 *   is over 128 KB), a delta without a state and an answer to someone else's request are counted
 *   and logged one line a minute at most (drop-report.ts); the log says each transition once (a
 *   new set of refused keys, a report that does not fit), and failed gets at attempts 1, 2, 4, 8...
 */
import { randomUUID } from 'node:crypto';
import { isRecord } from '../../shared/schema.ts';
import { SHADOW_RESPONSES, shadowTopic } from '../../shared/topics.ts';
import type { Clock } from '../base/clock.ts';
import type { Logger } from '../base/log.ts';
import type { Config } from '../config/config.ts';
import {
  fitReport,
  type Pinned,
  REMOTE_KEYS,
  reportedState,
  reportPatch,
  resolveSettings,
} from '../config/remote-settings.ts';
import { createDropReport } from './drop-report.ts';
import type { SideTopics } from './mqtt.ts';
import { backoffMs } from './retry.ts';

/** How long a `get` may go unanswered before it is sent again. The service answers in well under 1 s. */
export const GET_TIMEOUT_MS = 10_000;
/** Retry delays after a failed `get`: full jitter from 1 s, doubling, at most 5 minutes. */
export const GET_RETRY = { minMs: 1_000, maxMs: 300_000 } as const;
/** AWS IoT Core's largest MQTT message; a bigger payload is junk whatever it says. */
const MAX_PAYLOAD_BYTES = 128 * 1024;
/** Tokens of unanswered gets that still count as ours (a late answer to a retried get is taken). */
const TOKENS_KEPT = 8;

export interface ShadowSettingsOptions {
  readonly thingName: string;
  /** The config as loaded on the device (file, environment, flags). */
  readonly local: Config;
  readonly pinned: Pinned;
  readonly publish: (topic: string, payload: string) => Promise<void>;
  /** The effective config, after a document changed any remote key (`changed` names them). */
  readonly apply: (config: Config, changed: readonly string[]) => void;
  readonly log: Logger;
  /** Default REMOTE_KEYS. */
  readonly keys?: readonly string[];
  /** Default GET_TIMEOUT_MS. Shorter answers a lost get sooner, but a slow answer then costs a second get. */
  readonly getTimeoutMs?: number;
  /** Default GET_RETRY. */
  readonly retry?: { readonly minMs: number; readonly maxMs: number };
  /** The timers of the get timeout and retries; default the system's (tests: a fake clock). */
  readonly clock?: Pick<Clock, 'setTimeout' | 'clearTimeout'>;
  /** Jitter source; default Math.random. */
  readonly random?: () => number;
}

export interface ShadowSettings extends SideTopics {
  /** The effective config: local until the first document, then local with the shadow's settings. */
  current(): Config;
  /** Stops the timers and logs what the drop counters still hold. Idempotent. */
  close(): void;
}

type Obj = Record<string, unknown>;

const systemTimers: Pick<Clock, 'setTimeout' | 'clearTimeout'> = {
  setTimeout: (callback, ms) => {
    const timer = setTimeout(callback, ms);
    timer.unref();
    return timer;
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

function parse(payload: ArrayBuffer): Obj | undefined {
  if (payload.byteLength > MAX_PAYLOAD_BYTES) return undefined;
  try {
    const value: unknown = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payload));
    return isRecord(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** Remembers the last `size` tokens handed out. */
function tokenRing(size: number) {
  const tokens: string[] = [];
  return {
    add(token: string): void {
      tokens.push(token);
      if (tokens.length > size) tokens.shift();
    },
    has: (token: unknown): boolean => typeof token === 'string' && tokens.includes(token),
    /** True once for a token handed out: its answer. */
    take(token: unknown): boolean {
      const at = typeof token === 'string' ? tokens.indexOf(token) : -1;
      if (at >= 0) tokens.splice(at, 1);
      return at >= 0;
    },
    clear: (): void => void tokens.splice(0),
  };
}

export function createShadowSettings(options: ShadowSettingsOptions): ShadowSettings {
  const log = options.log.child({ source: 'shadow' });
  const keys = options.keys ?? REMOTE_KEYS;
  const timers = options.clock ?? systemTimers;
  const getTimeoutMs = options.getTimeoutMs ?? GET_TIMEOUT_MS;
  const retry = options.retry ?? GET_RETRY;
  const random = options.random ?? Math.random;
  const topic = (operation: Parameters<typeof shadowTopic>[1]) => shadowTopic(options.thingName, operation);
  const filters = SHADOW_RESPONSES.map(topic);
  const suffix = (received: string): string =>
    received.slice(received.lastIndexOf('/', received.lastIndexOf('/') - 1) + 1);
  const junk = createDropReport({
    log,
    message: 'dropped shadow messages',
    context: { fix: 'only the Device Shadow service should publish on these topics' },
  });
  /** One process's tokens never match another's (an admin's `get` answered on the same topic). */
  const nonce = randomUUID().slice(0, 8);
  let sequence = 0;
  const nextToken = (kind: 'get' | 'update'): string => `ec2led-${nonce}-${kind}-${++sequence}`;
  const getTokens = tokenRing(TOKENS_KEPT);
  const updateTokens = tokenRing(TOKENS_KEPT);

  let effective = options.local;
  let errorsShown = '';
  let reportNote = '';
  let lastReport: string | undefined;
  /** idle: no get wanted; getting: one in flight (timed); waiting: a retry is armed. */
  let phase: 'idle' | 'getting' | 'waiting' = 'idle';
  let again = false;
  let attempt = 0;
  let timer: unknown;
  /** The token of the latest get sent. */
  let latestGet: string | undefined;
  let closed = false;

  const stopTimer = (): void => {
    if (timer !== undefined) timers.clearTimeout(timer);
    timer = undefined;
  };

  const failed = (reason: string): void => {
    stopTimer();
    attempt += 1;
    const retryMs = backoffMs(attempt, retry.minMs, retry.maxMs, 0, random);
    phase = 'waiting';
    again = false;
    // A transition, then less and less often while it lasts: attempts 1, 2, 4, 8...
    if ((attempt & (attempt - 1)) === 0)
      log.warn('shadow get failed; retrying', { reason, attempt, retryMs });
    timer = timers.setTimeout(() => {
      timer = undefined;
      sendGet();
    }, retryMs);
  };

  const sendGet = (): void => {
    if (closed) return;
    stopTimer();
    phase = 'getting';
    again = false;
    const token = nextToken('get');
    getTokens.add(token);
    latestGet = token;
    timer = timers.setTimeout(() => {
      timer = undefined;
      failed(`no answer within ${getTimeoutMs} ms`);
    }, getTimeoutMs);
    options.publish(topic('get'), JSON.stringify({ clientToken: token })).catch((error: unknown) => {
      // Only the latest get's failure counts: an older one was already given up on.
      if (!closed && phase === 'getting' && latestGet === token)
        failed(`not sent: ${(error as Error).message}`);
    });
  };

  /** A hint that the document changed. */
  const hint = (): void => {
    if (closed) return;
    if (phase === 'getting') again = true;
    else if (phase === 'idle') sendGet();
  };

  const answered = (): void => {
    stopTimer();
    getTokens.clear();
    attempt = 0;
    phase = 'idle';
    if (again) sendGet();
  };

  const note = (text: string, line: () => void): void => {
    if (text !== reportNote) line();
    reportNote = text;
  };

  const onDocument = (state: Obj): void => {
    const desired = isRecord(state.desired) ? state.desired : {};
    const resolved = resolveSettings({
      local: options.local,
      desired,
      pinned: options.pinned,
      previous: effective,
      keys,
    });
    effective = resolved.config;
    const errorsText = JSON.stringify(resolved.errors);
    if (errorsText !== errorsShown) {
      if (errorsText !== '{}') log.warn('shadow settings refused', { errors: resolved.errors });
      errorsShown = errorsText;
    }
    if (resolved.changed.length > 0) {
      log.info('settings from the shadow', { changed: resolved.changed });
      options.apply(effective, resolved.changed);
    }
    const fitted = fitReport(desired, reportedState(effective, resolved.errors, keys));
    if (!fitted.ok) {
      note(`not sent ${fitted.reason}`, () => log.warn('shadow report not sent', { reason: fitted.reason }));
      return;
    }
    note(`omitted ${fitted.omitted.join()}`, () => {
      if (fitted.omitted.length > 0)
        log.warn('shadow report trimmed to fit 8 KB', { omitted: fitted.omitted });
    });
    const patch = reportPatch(state.reported, fitted.reported);
    if (patch === undefined) return;
    const text = JSON.stringify(patch);
    if (text === lastReport) return;
    lastReport = text;
    const token = nextToken('update');
    updateTokens.add(token);
    options
      .publish(topic('update'), JSON.stringify({ state: { reported: patch }, clientToken: token }))
      .catch((error: unknown) => {
        // Not sent at all: the next document may send it again.
        if (lastReport === text) lastReport = undefined;
        log.warn('shadow update not sent', { error: (error as Error).message });
      });
  };

  const onMessage = (received: string, payload: ArrayBuffer): void => {
    const where = suffix(received);
    const body = parse(payload);
    if (body === undefined) {
      junk.drop(`${where}: not a JSON object of at most 128 KB`);
      return;
    }
    if (received === topic('get/accepted') || received === topic('get/rejected')) {
      if (!getTokens.has(body.clientToken)) {
        junk.drop(`${where}: not an answer to our get`);
        return;
      }
      if (received === topic('get/accepted')) {
        answered();
        onDocument(isRecord(body.state) ? body.state : {});
      } else if (body.code === 404) {
        // The shadow does not exist yet; the report creates it.
        answered();
        onDocument({});
      } else {
        failed(`refused: ${String(body.code)} ${String(body.message)}`);
      }
    } else if (received === topic('update/delta')) {
      if (!isRecord(body.state)) junk.drop(`${where}: no state`);
      else hint();
    } else if (received === topic('update/accepted')) {
      // Our own reports come back here too; only a change of desired is news.
      if (isRecord(body.state) && body.state.desired !== undefined) hint();
    } else if (received === topic('update/rejected')) {
      if (!updateTokens.take(body.clientToken)) junk.drop(`${where}: not an answer to our update`);
      else log.warn('shadow update refused', { code: body.code, message: body.message });
    }
  };

  return {
    filters,
    onReady() {
      if (closed) return;
      // A new connection: whatever was in flight is gone, and the last report may not have landed.
      getTokens.clear();
      attempt = 0;
      lastReport = undefined;
      sendGet();
    },
    onMessage(received, payload) {
      try {
        onMessage(received, payload);
      } catch (error) {
        log.error('shadow message failed; dropped', { topic: received, error: (error as Error).message });
      }
    },
    current: () => effective,
    close() {
      if (closed) return;
      closed = true;
      stopTimer();
      junk.close();
    },
  };
}
