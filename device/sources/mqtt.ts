/**
 * The live feed: one MQTT 3.1.1 connection (aws-iot-device-sdk-v2 / aws-crt) with a persistent
 * session, subscribed at QoS 1 to the topics of the routes the sources add (topic-route.ts: the
 * instances' `{prefix}/v1/{account}/{region}/+`, the alarms' topics), within one subscription budget
 * planned in one place (`planFilters`). A kind-free transport: what a message becomes is the route's
 * business. The same code serves AWS IoT Core, a local
 * mosquitto with its own CA and plain-TCP brokers (MQTT 5 is avoided: aedes speaks only 3.1.1).
 *
 * Contract:
 * - `start()` / `stop()` set the desired state. While started, the source connects and keeps
 *   reconnecting for ever; `stop()` resolves once the connection is disconnected and closed, within
 *   about 2 s: a connect attempt still in TLS negotiation is abandoned and closed when it settles.
 * - Events are plain data: `connected` on every CONNACK (`first` once per process, `rejoined` when the
 *   broker kept the session), `subscribed` once the SUBACK of a `subscribe()` arrived,
 *   `disconnected`, and `message` with the change a route made of a message.
 * - The source never subscribes by itself, and neither does the SDK: the caller's state machine
 *   (fleet/sync.ts) asks with `subscribe()` on the first connection of the process and whenever the
 *   session was not rejoined. A rejoined session may replay QoS 1 messages: apply them idempotently.
 * - Bad payloads and topics (empty, detached, not JSON, ...) are logged, counted and dropped. Every
 *   aws-crt callback runs inside a guard that catches, logs and counts anything thrown: an exception
 *   across the native boundary would abort the process, so nothing received can throw out of here.
 * - A connection config aws-crt refuses to build (AWS_IO_TLS_CTX_ERROR: a key or certificate it
 *   cannot load) is permanent: the source stops and calls `onFatal` instead of idling for ever.
 * - Each message goes to the first route that takes its topic; a topic no route takes is dropped
 *   (`bad-topic`). Only the configured accounts and regions get through: a message a route finds out
 *   of scope (a session that still holds an older, wider subscription, or a broker that ignores
 *   filters) is dropped and counted, one warning line a minute at most (drop-report.ts).
 * - Reconnect rate is capped: the SDK retries after an interruption (reconnectMin..Max seconds); a
 *   connection that dies within `stableMs` of its CONNACK (a duplicate client id, a policy violation)
 *   counts as a flap, and we take over with our own backoff — never two attempts within
 *   `minAttemptIntervalMs` — and log each attempt.
 * - Every attempt after a failed connect uses a fresh connection, and the failed one is released:
 *   a second connect() on a failed aws-crt connection never settled, and without the release each retry leaked
 *   about 13 KB of native memory (measured, 900 attempts).
 */
import { mqtt } from 'aws-iot-device-sdk-v2';
import { MAX_SUBSCRIPTIONS } from '../../shared/topics.ts';
import { type Logger, silentLogger } from '../base/log.ts';
import type { MqttConfig } from '../config/config.ts';
import type { Change } from '../fleet/item.ts';
import type { SyncEvent } from '../fleet/sync.ts';
import { createDropReport } from './drop-report.ts';
import { buildConfig, hintFor } from './mqtt-connection.ts';
import { backoffMs, sleep } from './retry.ts';
import { type MessageDropReason, planFilters, type TopicRoute } from './topic-route.ts';

export type { MessageDropReason, TopicRoute };

export type MqttEvent =
  | { readonly type: 'connected'; readonly rejoined: boolean; readonly first: boolean }
  | { readonly type: 'subscribed'; readonly filters: readonly string[] }
  | { readonly type: 'disconnected'; readonly reason: string }
  /** A message a route took: the change it stands for. */
  | { readonly type: 'message'; readonly topic: string; readonly change: Change };

/** An MQTT event as sync.ts takes it. */
export function toSyncEvent(event: MqttEvent): SyncEvent {
  if (event.type === 'message') return { type: 'message', change: event.change };
  return event;
}

/** Counts for the metrics: every message received, and every one dropped. */
export interface MessageCounters {
  received(): void;
  dropped(reason: MessageDropReason): void;
}

export interface MqttSourceOptions {
  readonly mqtt: MqttConfig;
  /** For the hint of a refused subscription (the IoT policy's topic filter). */
  readonly topicPrefix: string;
  /**
   * The sources' topics (topic-route.ts), in priority order: the first (the instances) takes what
   * the budget leaves when they do not all fit.
   */
  readonly routes: readonly TopicRoute[];
  readonly onEvent: (event: MqttEvent) => void;
  readonly log?: Logger;
  /** Our own floor between two connect attempts. Default 2000 ms (IoT Core allows 1 CONNECT/s). */
  readonly minAttemptIntervalMs?: number;
  /** A connection that lives shorter than this is a flap. Default 10000 ms. */
  readonly stableMs?: number;
  /**
   * Called once when the source cannot work at all and stops (aws-crt refused to build the TLS
   * context from mqtt.cert, mqtt.key, mqtt.ca). The agent exits 1 on it, so systemd restarts it.
   */
  readonly onFatal?: (error: Error) => void;
  /** Default none. */
  readonly counters?: MessageCounters;
  /** Other topics on the same connection (the settings shadow, sources/shadow.ts; the update jobs, agent/update/jobs.ts). */
  readonly side?: SideTopics | readonly SideTopics[];
}

/**
 * Topics subscribed on every connection, apart from the instance filters, with their messages handed
 * over raw. `onReady` follows their SUBACK, once per connection; each set is subscribed on its own, so
 * a policy that refuses one set (an older stack) leaves the others working. A filter may hold `+`.
 */
export interface SideTopics {
  readonly filters: readonly string[];
  onReady(): void;
  onMessage(topic: string, payload: ArrayBuffer): void;
}

export interface MqttSource {
  start(): void;
  stop(): Promise<void>;
  /** Subscribes on the current connection (retrying while it lasts); `subscribed` follows the SUBACK. */
  subscribe(): void;
  /** QoS 1 on the current connection; rejects while disconnected (the caller acts again on `onReady`). */
  publish(topic: string, payload: string): Promise<void>;
  readonly connected: boolean;
  /**
   * When (Date.now) the client last showed life: an attempt, a failure, a retry, an event, a
   * SUBSCRIBE settled. The watchdog tells a retrying client from a wedged one by it.
   */
  readonly lastActivityMs: number;
}

type Connection = mqtt.MqttClientConnection;

/** MQTT topic matching of a filter whose only wildcard is `+` (one level), as the side topics use. */
export function filterMatches(filter: string, topic: string): boolean {
  if (!filter.includes('+')) return filter === topic;
  const want = filter.split('/');
  const got = topic.split('/');
  return want.length === got.length && want.every((level, i) => level === '+' || level === got[i]);
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function createMqttSource(options: MqttSourceOptions): MqttSource {
  const log = (options.log ?? silentLogger).child({ source: 'mqtt' });
  // The side topics (the settings shadow, the update jobs) share IoT Core's per-connection quota
  // with the routes.
  const sides: readonly SideTopics[] =
    options.side === undefined
      ? []
      : Array.isArray(options.side)
        ? options.side
        : [options.side as SideTopics];
  const sideCount = sides.reduce((count, side) => count + side.filters.length, 0);
  const filters = planFilters(options.routes, MAX_SUBSCRIPTIONS - sideCount);
  const outOfScope = createDropReport({
    log,
    message: 'dropped messages for an account or region not configured',
    context: { fix: 'to show them, add the account to aws.accounts and the region to aws.regions' },
  });
  const minGap = options.minAttemptIntervalMs ?? 2_000;
  const stableMs = options.stableMs ?? 10_000;
  const { reconnectMinSeconds, reconnectMaxSeconds } = options.mqtt;
  let client: mqtt.MqttClient | undefined;
  let config: mqtt.MqttConnectionConfig | undefined;
  let running = false;
  let loop: Promise<void> | undefined;
  let current: Connection | undefined;
  let online = false;
  let everConnected = false;
  let connectedAt = 0;
  let lastAttempt = Number.NEGATIVE_INFINITY;
  let wake: AbortController = new AbortController();
  let endCycle: ((reason: 'flap' | 'stop') => void) | undefined;
  let dropped = 0;
  /** Exceptions caught at the aws-crt callback boundary (a bug of ours, never the sender's). */
  let faults = 0;
  const closed = new WeakSet<Connection>();
  /** Connections in a row that died within stableMs of their CONNACK. */
  let flaps = 0;
  let stopping: Promise<void> = Promise.resolve();
  let activeAt = Date.now();
  const touch = (): void => {
    activeAt = Date.now();
  };

  const emit = (event: MqttEvent): void => {
    touch();
    try {
      options.onEvent(event);
    } catch (error) {
      log.error('event handler threw; event dropped', { event: event.type, error });
    }
  };

  const drop = (reason: MessageDropReason, why: string, topic: string): void => {
    options.counters?.dropped(reason);
    dropped += 1;
    if (dropped <= 10 || dropped % 100 === 0) log.warn('dropped a message', { why, topic, dropped });
  };

  const onMessage = (topic: string, payload: ArrayBuffer): void => {
    const side = sides.find((candidate) => candidate.filters.some((filter) => filterMatches(filter, topic)));
    if (side !== undefined) {
      side.onMessage(topic, payload);
      return;
    }
    options.counters?.received();
    for (const route of options.routes) {
      const routed = route.route(topic, payload);
      if (routed === undefined) continue;
      if ('change' in routed) emit({ type: 'message', topic, change: routed.change });
      else if ('taken' in routed) return;
      else if ('drop' in routed) drop(routed.drop, routed.why, topic);
      else {
        options.counters?.dropped('out-of-scope');
        outOfScope.drop(routed.outOfScope);
      }
      return;
    }
    drop('bad-topic', 'no source takes this topic', topic);
  };

  const subscribe = async (connection: Connection): Promise<void> => {
    for (let attempt = 1; running && current === connection && online; attempt += 1) {
      try {
        // One SUBSCRIBE per filter (aws-crt's MQTT 3.1.1 client takes one at a time), in parallel.
        const granted = await Promise.all(
          filters.map((filter) => connection.subscribe(filter, mqtt.QoS.AtLeastOnce)),
        );
        touch();
        const refused = granted.find((g) => g.qos !== mqtt.QoS.AtLeastOnce && g.qos !== mqtt.QoS.AtMostOnce);
        if (refused !== undefined) {
          throw new Error(
            `broker refused the subscription to ${refused.topic} (granted ${refused.qos}); check the IoT policy allows iot:Subscribe on topicfilter/${options.topicPrefix}/v1/*`,
          );
        }
        if (current === connection && online) emit({ type: 'subscribed', filters });
        return;
      } catch (error) {
        touch();
        // A connection that went away fails its pending SUBSCRIBE; the next CONNACK subscribes again.
        if (!running || current !== connection || !online) return;
        const retryMs = backoffMs(attempt, reconnectMinSeconds * 1000, reconnectMaxSeconds * 1000);
        log.warn('subscribe failed', { filters, error: errorText(error), retryMs });
        await sleep(retryMs, wake.signal);
      }
    }
  };

  const subscribeSide = async (connection: Connection, topics: SideTopics): Promise<void> => {
    for (let attempt = 1; running && current === connection && online; attempt += 1) {
      try {
        const granted = await Promise.all(
          topics.filters.map((topic) => connection.subscribe(topic, mqtt.QoS.AtLeastOnce)),
        );
        const refused = granted.find((g) => g.qos !== mqtt.QoS.AtLeastOnce && g.qos !== mqtt.QoS.AtMostOnce);
        if (refused !== undefined) {
          // Publishing where the policy does not allow it would cost the connection: stay quiet.
          log.warn('subscription refused; not using these topics on this connection', {
            topic: refused.topic,
            fix: 'deploy the stack again (cdk deploy): its device policy allows the settings shadow and the update jobs',
          });
          return;
        }
        if (current === connection && online) topics.onReady();
        return;
      } catch (error) {
        if (!running || current !== connection || !online) return;
        const retryMs = backoffMs(attempt, reconnectMinSeconds * 1000, reconnectMaxSeconds * 1000);
        log.warn('subscribe failed', { filters: topics.filters, error: errorText(error), retryMs });
        await sleep(retryMs, wake.signal);
      }
    }
  };

  /**
   * Every callback aws-crt calls goes through here: an exception thrown into aws-crt's native side
   * aborts the whole process (exit 255), so whatever goes wrong in ours is logged, counted and
   * swallowed. A message callback that throws loses that message; the next listing heals it.
   */
  const guard =
    <A extends unknown[]>(what: string, callback: (...args: A) => void) =>
    (...args: A): void => {
      try {
        callback(...args);
      } catch (error) {
        faults += 1;
        try {
          if (faults <= 10 || faults % 100 === 0) {
            log.error('callback failed; carrying on', { callback: what, error: errorText(error), faults });
          }
        } catch {
          // Not even the report may cross into aws-crt (an error whose toString throws).
        }
      }
    };

  const attach = (connection: Connection): void => {
    connection.on(
      'error',
      guard('error', (error) => log.debug('sdk error', { error: errorText(error) })),
    );
    // The SDK's own reconnects after an interrupt report each failed attempt here: signs of life.
    connection.on('connection_failure', guard('connection_failure', touch));
    connection.on('resume', guard('resume', touch));
    connection.on(
      'message',
      guard('message', (topic: string, payload: ArrayBuffer) => {
        if (current === connection) onMessage(topic, payload);
      }),
    );
    connection.on(
      'connection_success',
      guard('connection_success', ({ session_present: rejoined }: mqtt.OnConnectionSuccessResult) => {
        if (current !== connection) return;
        const first = !everConnected;
        everConnected = true;
        online = true;
        connectedAt = Date.now();
        log.info(first ? 'connected' : 'reconnected', { endpoint: options.mqtt.endpoint, rejoined });
        emit({ type: 'connected', rejoined, first });
        for (const side of sides) void subscribeSide(connection, side);
      }),
    );
    connection.on(
      'interrupt',
      guard('interrupt', (error: unknown) => {
        if (current !== connection) return;
        online = false;
        // The SDK may report the interrupt before the CONNACK it follows (two native queues): a
        // connection that never showed as connected counts as the shortest flap.
        const livedMs = connectedAt === 0 ? 0 : Date.now() - connectedAt;
        const reason = errorText(error);
        emit({ type: 'disconnected', reason });
        if (livedMs < stableMs) {
          flaps += 1;
          log.warn('connection lost soon after connecting; backing off', { reason, livedMs, flaps });
          endCycle?.('flap');
        } else {
          flaps = 0;
          log.warn('connection lost; reconnecting', {
            reason,
            inSeconds: `${reconnectMinSeconds}-${reconnectMaxSeconds}`,
          });
        }
      }),
    );
  };

  /** aws-crt's own (TS-private) `close`, the one call that frees a connection that never connected. */
  const release = (connection: Connection): void => {
    if (current === connection) current = undefined;
    try {
      (connection as unknown as { close(): void }).close();
    } catch (error) {
      log.debug('release failed', { error: errorText(error) });
    }
  };

  const close = async (connection: Connection): Promise<void> => {
    if (current === connection) current = undefined;
    if (closed.has(connection)) return;
    closed.add(connection);
    if (online) emit({ type: 'disconnected', reason: 'stopped' });
    online = false;
    try {
      await Promise.race([connection.disconnect(), sleep(2_000)]);
    } catch (error) {
      log.debug('disconnect failed', { error: errorText(error) });
    }
  };

  const run = async (): Promise<void> => {
    let failures = 0;
    let connection: Connection | undefined;
    while (running) {
      await sleep(Math.max(0, lastAttempt + minGap - Date.now()), wake.signal);
      if (!running) break;
      if (connection === undefined) {
        try {
          client ??= new mqtt.MqttClient();
          config ??= buildConfig(options.mqtt);
          connection = client.new_connection(config);
        } catch (error) {
          // The TLS context (certificate, key, CA) is built here, once: no retry can fix a file
          // aws-crt refuses, so this is fatal for the process (systemd restarts it after a fix).
          running = false;
          const text = errorText(error);
          const failure = new Error(`cannot set up the MQTT connection: ${text}; ${hintFor(text)}`, {
            cause: error,
          });
          log.error('mqtt cannot start', { error: failure.message });
          options.onFatal?.(failure);
          break;
        }
        attach(connection);
      }
      current = connection;
      connectedAt = 0;
      const cycle = new Promise<'flap' | 'stop'>((resolve) => {
        endCycle = resolve;
      });
      lastAttempt = Date.now();
      touch();
      if (failures + flaps > 0) log.info('connecting', { attempt: failures + flaps + 1 });
      try {
        await connection.connect();
        failures = 0;
      } catch (error) {
        touch();
        // A failed connection object cannot connect again (a second connect() never settles), and
        // disconnect() refuses it: release its native half directly, or every retry leaks one.
        release(connection);
        connection = undefined;
        if (!running) break;
        failures += 1;
        const retryMs = backoffMs(failures, reconnectMinSeconds * 1000, reconnectMaxSeconds * 1000, minGap);
        const text = errorText(error);
        log.warn('connect failed', {
          endpoint: options.mqtt.endpoint,
          error: text,
          hint: hintFor(text),
          retryMs,
        });
        await sleep(retryMs, wake.signal);
        continue;
      }
      const reason = await cycle;
      await close(connection);
      connection = undefined;
      if (reason === 'flap') {
        const delayMs = backoffMs(flaps, reconnectMinSeconds * 1000, reconnectMaxSeconds * 1000, minGap);
        await sleep(delayMs, wake.signal);
      }
    }
  };

  return {
    get connected() {
      return online;
    },
    get lastActivityMs() {
      return activeAt;
    },
    subscribe() {
      if (current !== undefined && online) void subscribe(current);
    },
    async publish(topic, payload) {
      const connection = current;
      if (connection === undefined || !online) throw new Error(`not connected; ${topic} not published`);
      await connection.publish(topic, payload, mqtt.QoS.AtLeastOnce);
    },
    start() {
      if (running) return;
      running = true;
      wake = new AbortController();
      const previous = loop ?? Promise.resolve();
      loop = previous.then(run).catch((error) => log.error('mqtt loop failed', { error }));
    },
    stop() {
      if (!running) return stopping;
      running = false;
      wake.abort();
      outOfScope.close();
      endCycle?.('stop');
      const connection = current;
      stopping = (async () => {
        if (connection !== undefined) await close(connection);
        // A connect still in TLS negotiation cannot be cancelled (s2n delays a failed handshake by
        // 10-30 s); the loop closes it when it settles. Do not hold shutdown for it.
        await Promise.race([loop ?? Promise.resolve(), sleep(2_000)]);
      })();
      return stopping;
    },
  };
}
