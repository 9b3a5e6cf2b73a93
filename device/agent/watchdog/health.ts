/**
 * Is the agent healthy enough to ping systemd's watchdog? Pure: the caller passes what it observed.
 * The event loop is checked by the ping timer itself (a blocked loop fires no timer); this decides
 * the rest.
 *
 * Contract: `checkHealth` returns undefined while healthy, else the reason (for the log). Healthy:
 * - the render loop is not stuck: no frame asked for has waited longer than `frameMs` (a board write
 *   that never returns holds every later frame);
 * - the MQTT client is not wedged: while it is disconnected, or connected with a SUBSCRIBE awaiting
 *   its SUBACK, it has reported something (an attempt, a failure, a retry, a message) within
 *   `feedSilentMs`. A client that keeps retrying is healthy however long it fails; one that went
 *   quiet is not (the 3.1.1 client has no operation timeout, so a lost SUBACK waits for ever).
 * A connected, subscribed client with nothing to say is healthy: its keep-alive reports a dead link
 * as a disconnect, and the rule above takes over.
 */
import type { SyncState } from '../../fleet/sync.ts';
import type { MqttSource } from '../../sources/mqtt.ts';
import type { Runtime } from '../runtime.ts';

export interface HealthBounds {
  readonly frameMs: number;
  readonly feedSilentMs: number;
}

/**
 * The longest a frame may wait. A frame takes milliseconds (8.3 ms on the HAT HD); 20 s is far past
 * any real board write, and under the 30 s between two pings.
 */
export const FRAME_STUCK_MS = 20_000;
/**
 * Beyond the slowest reconnect (or resubscribe) backoff: TLS negotiation and a connect timeout on a
 * slow link. IoT Core answers a SUBSCRIBE in well under a second.
 */
export const FEED_SLACK_MS = 90_000;

/** The bounds for an MQTT client whose reconnect backoff ends at `reconnectMaxSeconds`. */
export function healthBounds(reconnectMaxSeconds: number): HealthBounds {
  return { frameMs: FRAME_STUCK_MS, feedSilentMs: reconnectMaxSeconds * 1000 + FEED_SLACK_MS };
}

export interface HealthInput {
  /** Runtime `frameWaitMs`: how long the oldest undrawn frame has waited. */
  readonly frameWaitMs: number;
  readonly sync: Pick<SyncState, 'connected' | 'subscription'>;
  /** Time since the MQTT client last reported anything. */
  readonly feedSilentMs: number;
}

export function checkHealth(input: HealthInput, bounds: HealthBounds): string | undefined {
  const { frameWaitMs, sync, feedSilentMs } = input;
  if (frameWaitMs > bounds.frameMs) {
    return `a frame has waited ${seconds(frameWaitMs)} to be drawn (limit ${seconds(bounds.frameMs)}): the board write hangs`;
  }
  const waiting = !sync.connected
    ? 'disconnected'
    : sync.subscription === 'requested'
      ? 'awaiting a SUBACK'
      : '';
  if (waiting !== '' && feedSilentMs > bounds.feedSilentMs) {
    return `the MQTT client has reported nothing for ${seconds(feedSilentMs)} while ${waiting} (limit ${seconds(bounds.feedSilentMs)}): it is wedged`;
  }
  return undefined;
}

/** The agent's READY and health checks: listing settled; frames, and the MQTT client's signs of life. */
export function agentChecks(
  runtime: Pick<Runtime, 'state' | 'frameWaitMs'>,
  mqtt: Pick<MqttSource, 'lastActivityMs'>,
  reconnectMaxSeconds: number,
  /** The runtime's clock (the MQTT client's is Date.now). */
  now: () => number = Date.now,
): { settled: () => boolean; health: () => string | undefined } {
  const bounds = healthBounds(reconnectMaxSeconds);
  return {
    settled: () => runtime.state().listedAtMs !== undefined || runtime.state().listFailures > 0,
    health: () =>
      checkHealth(
        {
          frameWaitMs: runtime.frameWaitMs(now()),
          sync: runtime.state(),
          feedSilentMs: Date.now() - mqtt.lastActivityMs,
        },
        bounds,
      ),
  };
}

function seconds(ms: number): string {
  return `${Math.round(ms / 1000)} s`;
}
