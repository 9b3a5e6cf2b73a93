/**
 * The agent's vocabulary for items, shared by the pure core (fleet, picture) and the adapters
 * (sources). Plain data only.
 *
 * An item is the thing a pixel shows, of any kind (kinds/kinds.ts): an EC2 instance, an alarm, a
 * desk probe, any registered kind. A change, a listed item (`ItemDetails`) and a fleet member
 * (`Item`) each carry their `kind` (absent on a change or listed item: an EC2 instance, as before
 * kinds) and a state of that kind. `id` is the item's id whatever its kind: an instance id, an
 * alarm's ARN, `probe:` and a probe's name (one id is never two kinds: the kinds' id patterns do not
 * overlap). "Instance" means an EC2 instance and nothing else.
 */
import type { AlarmMessage } from '../../shared/alarm-message.ts';
import { ALARM_KIND } from '../../shared/alarm-message.ts';
import type { StateMessage } from '../../shared/message.ts';
import type { Kind, KindChange, KindState } from '../kinds/kinds.ts';
import type { ScheduledListing } from './notices.ts';

/**
 * One state change of one item of any kind, from a live message, a listing or a kind's source.
 * `kind` absent: the DEFAULT_KIND (an EC2 instance, as before kinds). `state` is one of the kind's
 * states. `name`: the item's name when the change carries it (an alarm's, a probe's); a kind whose
 * changes carry none says `describes` in its spec, and its name comes from a describe.
 */
export type Change = KindChange;

/**
 * The one conversion from the wire message (shared/message.ts, whose short field names are the wire
 * format) to the change the store applies. The MQTT source and replay both go through it.
 */
export function changeOf(message: StateMessage): Change {
  return {
    id: message.id,
    state: message.state,
    timeMs: message.time,
    region: message.region,
    account: message.account,
    eventId: message.event,
  };
}

/** The one conversion from an alarm message (shared/alarm-message.ts) to its change. */
export function alarmChangeOf(message: AlarmMessage, region: string, account: string): Change {
  return {
    kind: ALARM_KIND,
    id: message.arn,
    name: message.name,
    state: message.state,
    timeMs: message.time,
    region,
    account,
    eventId: message.event,
  };
}

/**
 * What a listing (DescribeInstances, DescribeAlarms, a source's round) tells beyond the state.
 * Tags are raw, untrusted strings. `kind` absent: the DEFAULT_KIND.
 */
export interface ItemDetails {
  readonly kind?: Kind | undefined;
  readonly state: KindState;
  /** The item's id: an instance id, an alarm's ARN, a probe's `probe:` name. */
  readonly id: string;
  readonly region: string;
  readonly account: string;
  /** The `Name` tag (or the item's own name), or undefined. */
  readonly name: string | undefined;
  /** All tags, key -> value (includes `Name` and `ec2led:pixel` when present). */
  readonly tags: Readonly<Record<string, string>>;
  /** When the run the state belongs to started (a deploy's, kinds.ts); absent: the kind has no runs. */
  readonly startMs?: number | undefined;
}

/** The result of one complete listing of every configured region. */
export interface Snapshot {
  /** When the listing started (agent clock, epoch ms): changes newer than this are replayed over it. */
  readonly startedAtMs: number;
  readonly items: readonly ItemDetails[];
  /**
   * Accounts that could not be listed (role missing, throttled...), with the reason. Their items
   * are absent from `items`, which says nothing about them: the fleet keeps what it had, stale.
   */
  readonly failedAccounts?: readonly AccountFailure[] | undefined;
  /**
   * The slice this listing is the truth for: the kinds its source lists. Items of other kinds are
   * left as they are (a probe round never touches instances). Absent: every kind.
   */
  readonly kinds?: readonly Kind[] | undefined;
  /**
   * The scheduled events of each account and region whose DescribeInstanceStatus answered
   * (sources/scheduled-events.ts), for the instance notices (notices.ts); absent: none was read.
   */
  readonly scheduled?: readonly ScheduledListing[] | undefined;
}

export interface AccountFailure {
  readonly account: string;
  readonly reason: string;
  /** Only this kind could not be listed (its other kinds were); absent: nothing was. */
  readonly kind?: Kind | undefined;
}

/** One instance as the fleet holds it. */
export interface Item {
  /** What it is (kinds/kinds.ts): its colour rules and the legend's word for it. */
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
  /** When the run the state belongs to started (a deploy's, kinds.ts); absent: the kind has no runs. */
  readonly startMs?: number;
  /** The settled (not pulsing, kinds.ts) state held before `state`; absent: none seen. */
  readonly previousState?: KindState;
}
