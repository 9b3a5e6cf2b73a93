/**
 * The agent's vocabulary for instances, shared by the pure core (fleet, layout) and the adapters
 * (sources). Plain data only.
 */
import type { InstanceState } from '../../shared/instance-state.ts';
import type { StateMessage } from '../../shared/message.ts';
import type { Kind } from '../layout/kinds.ts';

/** One state change of one instance, from a live message or a listing. */
export interface Change {
  readonly instanceId: string;
  readonly state: InstanceState;
  /** Event time (epoch ms) for a live change; the listing's start time for a listed instance. */
  readonly timeMs: number;
  readonly region: string;
  readonly account: string;
  /** EventBridge event id of a live change; undefined for a listed one. */
  readonly eventId?: string | undefined;
}

/**
 * The one conversion from the wire message (shared/message.ts, whose short field names are the wire
 * format) to the change the store applies. The MQTT source and replay both go through it.
 */
export function changeOf(message: StateMessage): Change {
  return {
    instanceId: message.id,
    state: message.state,
    timeMs: message.time,
    region: message.region,
    account: message.account,
    eventId: message.event,
  };
}

/** What DescribeInstances tells beyond the state. Tags are raw, untrusted strings. */
export interface InstanceDetails {
  readonly instanceId: string;
  readonly region: string;
  readonly account: string;
  readonly state: InstanceState;
  /** The `Name` tag, or undefined. */
  readonly name: string | undefined;
  /** All tags, key -> value (includes `Name` and `ec2led:pixel` when present). */
  readonly tags: Readonly<Record<string, string>>;
}

/** The result of one complete listing of every configured region. */
export interface Snapshot {
  /** When the listing started (agent clock, epoch ms): changes newer than this are replayed over it. */
  readonly startedAtMs: number;
  readonly instances: readonly InstanceDetails[];
  /**
   * Accounts that could not be listed (role missing, throttled...), with the reason. Their instances
   * are absent from `instances`, which says nothing about them: the fleet keeps what it had, stale.
   */
  readonly failedAccounts?: readonly AccountFailure[] | undefined;
}

export interface AccountFailure {
  readonly account: string;
  readonly reason: string;
}

/** One instance as the fleet holds it. */
export interface Instance {
  /** What it is (layout/kinds.ts): its colour rules and the legend's word for it. */
  readonly kind: Kind;
  readonly id: string;
  readonly state: InstanceState;
  /** Time of the change that set `state` (ordering key, with the state's rank). */
  readonly timeMs: number;
  /** When the agent first saw this instance in this state (for the legend's "since"). */
  readonly sinceMs: number;
  readonly region: string;
  readonly account: string;
  readonly name: string | undefined;
  readonly tags: Readonly<Record<string, string>>;
  /** The state came from a listing (the truth at `timeMs`), not from a message. Absent: a message. */
  readonly listed?: boolean;
}
