/**
 * The agent's vocabulary for instances, shared by the pure core (fleet, layout) and the adapters
 * (sources). Plain data only.
 *
 * Kinds (layout/kinds.ts): the fleet holds every thing a pixel can show, not only EC2 instances.
 * A change, a listed item and a fleet member each carry their `kind` (absent on a change or listed
 * item: an EC2 instance, as before kinds) and a state of that kind. `instanceId` is the thing's id
 * whatever its kind: an instance id, or an alarm's ARN (unique across accounts and regions, and
 * never an instance id, so one id is never two kinds).
 */
import type { AlarmMessage, AlarmState } from '../../shared/alarm-message.ts';
import type { DeployMessage, DeployState } from '../../shared/deploy-message.ts';
import type { InstanceState } from '../../shared/instance-state.ts';
import type { StateMessage } from '../../shared/message.ts';
import type { Kind, KindState, ProbeState } from '../layout/kinds.ts';

/** One state change of one instance (or other thing), from a live message or a listing. */
export type Change = InstanceChange | AlarmChange | ProbeChange | DeployChange;

/**
 * A deploy's latest run (sources/deploys.ts): its id is the pipeline's or service's ARN. `startMs`
 * orders it before `timeMs` does (order.ts): a newer run outranks any state of an older one.
 */
export interface DeployChange extends ChangeBase {
  readonly kind: 'deploy';
  readonly state: DeployState;
  readonly name: string;
  /** When the run started, epoch ms. */
  readonly startMs: number;
}

/** A desk probe's result (sources/probes.ts): its id is `probe:{name}`, region and account `desk`. */
export interface ProbeChange extends ChangeBase {
  readonly kind: 'probe';
  readonly state: ProbeState;
  readonly name: string;
}

export interface InstanceChange extends ChangeBase {
  readonly kind?: 'instance';
  readonly state: InstanceState;
}

export interface AlarmChange extends ChangeBase {
  readonly kind: 'alarm';
  readonly state: AlarmState;
  /** The alarm's name (its ARN's last part): an alarm needs no describe to be named. */
  readonly name: string;
}

interface ChangeBase {
  /** The instance id, or the alarm's ARN. */
  readonly instanceId: string;
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

/** The one conversion from an alarm message (shared/alarm-message.ts) to its change. */
export function alarmChangeOf(message: AlarmMessage, region: string, account: string): AlarmChange {
  return {
    kind: 'alarm',
    instanceId: message.arn,
    name: message.name,
    state: message.state,
    timeMs: message.time,
    region,
    account,
    eventId: message.event,
  };
}

/** The one conversion from a deploy message (shared/deploy-message.ts) to its change. */
export function deployChangeOf(message: DeployMessage, region: string, account: string): DeployChange {
  return {
    kind: 'deploy',
    instanceId: message.arn,
    name: message.name,
    state: message.state,
    startMs: message.start,
    timeMs: message.time,
    region,
    account,
    eventId: message.event,
  };
}

/**
 * What a listing (DescribeInstances, DescribeAlarms) tells beyond the state. Tags are raw,
 * untrusted strings. An alarm has its name and no tags.
 */
export type InstanceDetails =
  | (DetailsBase & { readonly kind?: 'instance'; readonly state: InstanceState })
  | (DetailsBase & { readonly kind: 'alarm'; readonly state: AlarmState })
  | (DetailsBase & { readonly kind: 'probe'; readonly state: ProbeState })
  | (DetailsBase & { readonly kind: 'deploy'; readonly state: DeployState; readonly startMs: number });

interface DetailsBase {
  /** The instance id, or the alarm's ARN. */
  readonly instanceId: string;
  readonly region: string;
  readonly account: string;
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
  /** Only this kind could not be listed (its other kinds were); absent: nothing was. */
  readonly kind?: Kind | undefined;
}

/** One instance as the fleet holds it. */
export interface Instance {
  /** What it is (layout/kinds.ts): its colour rules and the legend's word for it. */
  readonly kind: Kind;
  readonly id: string;
  /** A state of `kind` (kinds.ts). */
  readonly state: KindState;
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
  /** When the run the state belongs to started (a deploy's); absent: the kind has no runs. */
  readonly startMs?: number;
  /** The settled (not pulsing, kinds.ts) state held before `state`; absent: none seen. */
  readonly previousState?: KindState;
}
