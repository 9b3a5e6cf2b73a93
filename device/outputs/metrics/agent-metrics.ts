/**
 * The agent's metrics: counters fed by the places that already count and log (the MQTT source's
 * drops, the runtime's listings and clock-ahead drops, the frames), and gauges read from the sync
 * state when scraped. No I/O and no timer: the web board's `/metrics` asks for `render(state)`.
 *
 * Contract:
 * - Counters only go up, from 0 at start; every label combination they can have is shown from the
 *   start (at 0), so a rate never misses its first increment.
 * - Every label value comes from a fixed list of ours (drop reasons, kinds, states), never from a
 *   message, a topic or a tag: the number of series is bounded whatever arrives. Nothing is labelled
 *   by instance, account or region.
 * - Timestamps are seconds since the epoch on the Pi's clock; Prometheus computes ages
 *   (`time() - ec2led_last_message_timestamp_seconds`). A time that has not happened yet (no message
 *   so far) has no sample.
 * - A listing is timed from the call to the answer; a listing superseded and aborted is counted
 *   started but neither failed nor timed.
 */

import type { SyncEffects } from '../../fleet/effects.ts';
import type { SyncCommand, SyncState } from '../../fleet/sync.ts';
import { KIND_NAMES, specOf } from '../../kinds/kinds.ts';
import type { MessageCounters, MessageDropReason, MqttEvent } from '../../sources/mqtt.ts';
import { createHistogram, type MetricFamily, renderExposition, type Sample } from './exposition.ts';

/** Why a message was dropped: by the MQTT source, or by sync.ts (stamped ahead of the clock). */
export type DropReason = MessageDropReason | Extract<SyncCommand, { type: 'dropped' }>['reason'];

/** Every drop reason, in the order shown (a Record so the compiler holds it to the union). */
const DROP_REASON_SET: Readonly<Record<DropReason, true>> = {
  'bad-topic': true,
  'out-of-scope': true,
  'bad-payload': true,
  'topic-mismatch': true,
  'clock-ahead': true,
};
export const DROP_REASONS = Object.keys(DROP_REASON_SET) as readonly DropReason[];

/**
 * Upper bounds of the listing duration histogram, in seconds: a small fleet lists in well under a
 * second, many regions or accounts in a few, a hanging call runs into its timeout (sources/ec2.ts).
 */
export const LISTING_BUCKETS_S = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60] as const;

export interface AgentMetrics {
  /** For the MQTT source: every message received, and every one it drops. */
  readonly messages: MessageCounters;
  /** Every MQTT event on its way to the runtime: reconnects, and the time of the last message. */
  observe(event: MqttEvent): void;
  /** The runtime's effects, with listings counted and timed and clock-ahead drops counted. */
  effects(inner: SyncEffects): SyncEffects;
  /** `draw`, counting every frame it finished. */
  frames<A extends unknown[], R>(draw: (...args: A) => Promise<R>): (...args: A) => Promise<R>;
  /** The exposition text now; the fleet and connection gauges come from `state`. */
  render(state: SyncState): string;
}

const seconds = (ms: number): number => ms / 1000;

export function createAgentMetrics(now: () => number): AgentMetrics {
  let received = 0;
  const dropped = new Map<DropReason, number>(DROP_REASONS.map((reason) => [reason, 0]));
  const drop = (reason: DropReason): void => void dropped.set(reason, (dropped.get(reason) ?? 0) + 1);
  let reconnects = 0;
  let lastMessageMs: number | undefined;
  let listings = 0;
  let listingFailures = 0;
  const listingDuration = createHistogram(LISTING_BUCKETS_S);
  let frames = 0;

  const instances = (state: SyncState): Sample[] => {
    const counts = new Map<string, number>();
    for (const instance of state.fleet.values()) {
      const key = `${instance.kind}\n${instance.state}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    // Only the kinds' own states are shown: the series stay bounded even if a state slipped through.
    return KIND_NAMES.flatMap((kind) =>
      specOf(kind).states.map((state) => ({
        labels: { kind, state },
        value: counts.get(`${kind}\n${state}`) ?? 0,
      })),
    );
  };

  const families = (state: SyncState): MetricFamily[] => [
    {
      name: 'ec2led_mqtt_messages_received_total',
      help: 'MQTT messages received on the instance topics, before any check.',
      type: 'counter',
      samples: [{ value: received }],
    },
    {
      name: 'ec2led_mqtt_messages_dropped_total',
      help: 'Messages dropped without changing the board, by reason.',
      type: 'counter',
      samples: DROP_REASONS.map((reason) => ({ labels: { reason }, value: dropped.get(reason) ?? 0 })),
    },
    {
      name: 'ec2led_last_message_timestamp_seconds',
      help: 'When the last well-formed message for a configured account and region arrived (Pi clock).',
      type: 'gauge',
      samples: lastMessageMs === undefined ? [] : [{ value: seconds(lastMessageMs) }],
    },
    {
      name: 'ec2led_mqtt_connected',
      help: '1 while the MQTT connection is up.',
      type: 'gauge',
      samples: [{ value: state.connected ? 1 : 0 }],
    },
    {
      name: 'ec2led_mqtt_reconnects_total',
      help: 'MQTT connections made after the first one of the process.',
      type: 'counter',
      samples: [{ value: reconnects }],
    },
    {
      name: 'ec2led_synced',
      help: '1 once a listing made during the current connection has been applied.',
      type: 'gauge',
      samples: [{ value: state.synced ? 1 : 0 }],
    },
    {
      name: 'ec2led_listings_total',
      help: 'DescribeInstances listings started (every configured account and region).',
      type: 'counter',
      samples: [{ value: listings }],
    },
    {
      name: 'ec2led_listing_failures_total',
      help: 'Listings that failed (they are retried with backoff).',
      type: 'counter',
      samples: [{ value: listingFailures }],
    },
    {
      name: 'ec2led_listing_duration_seconds',
      help: 'Time from the start of a listing to its answer, success or failure.',
      type: 'histogram',
      samples: listingDuration.samples(),
    },
    {
      name: 'ec2led_last_listing_timestamp_seconds',
      help: 'Start of the last listing applied to the board (Pi clock).',
      type: 'gauge',
      samples: state.listedAtMs === undefined ? [] : [{ value: seconds(state.listedAtMs) }],
    },
    {
      name: 'ec2led_stale_accounts',
      help: 'Accounts the last listing could not read; their instances are shown as they were.',
      type: 'gauge',
      samples: [{ value: state.staleAccounts.size }],
    },
    {
      name: 'ec2led_instances',
      help: 'What the board holds, by kind and state.',
      type: 'gauge',
      samples: instances(state),
    },
    {
      name: 'ec2led_frames_total',
      help: 'Frames drawn (pictures composed and shown on every output).',
      type: 'counter',
      samples: [{ value: frames }],
    },
  ];

  return {
    messages: {
      received: () => {
        received += 1;
      },
      dropped: drop,
    },
    observe(event) {
      if (event.type === 'connected' && !event.first) reconnects += 1;
      if (event.type === 'message') lastMessageMs = now();
    },
    effects(inner) {
      return {
        subscribe: () => inner.subscribe(),
        describe: (region, ids, signal) => inner.describe(region, ids, signal),
        dropped(command) {
          drop(command.reason);
          inner.dropped(command);
        },
        list(signal) {
          listings += 1;
          const startedMs = now();
          return inner.list(signal).then(
            (snapshot) => {
              listingDuration.observe(seconds(now() - startedMs));
              return snapshot;
            },
            (error: unknown) => {
              if (!signal.aborted) {
                listingFailures += 1;
                listingDuration.observe(seconds(now() - startedMs));
              }
              throw error;
            },
          );
        },
      };
    },
    frames(draw) {
      return async (...args) => {
        const result = await draw(...args);
        frames += 1;
        return result;
      };
    },
    render: (state) => renderExposition(families(state)),
  };
}
