/**
 * The six EC2 instance states, their lifecycle rank, and the ordering rule both sides apply.
 *
 * Contract:
 * - `supersedes(next, current)` decides whether a change replaces the stored one. It is a total
 *   preorder on (terminated?, time, rank), so applying any set of changes in any order, with any
 *   duplicates, ends on the same state: the one of the latest change, ties broken by rank.
 * - `terminated` absorbs: once stored it is never replaced, and a terminated change replaces any
 *   other state whatever its time (EC2 never reuses an instance id, so nothing can follow it).
 *   This is the rule between messages. A listing is the truth over them: the agent lets a listing
 *   that shows an instance alive replace a `terminated` message (device/fleet/store.ts `overrides`).
 *
 * Blind spot: EventBridge times have one-second resolution. Two transitions in the same second are
 * ordered by lifecycle rank, which is right for pending -> running and stopping -> stopped but wrong
 * for a stop and a start within one second (stopped -> pending: rank 3 beats rank 0, so `stopped`
 * wins). Nothing in the event can tell these apart; the periodic relist (DescribeInstances is the
 * truth) heals it within one resync interval.
 */

export const INSTANCE_STATES = [
  'pending',
  'running',
  'stopping',
  'stopped',
  'shutting-down',
  'terminated',
] as const;

export type InstanceState = (typeof INSTANCE_STATES)[number];

/** Lifecycle rank: the order in which states follow each other within one start/stop/terminate. */
export const STATE_RANK: Readonly<Record<InstanceState, number>> = {
  pending: 0,
  running: 1,
  stopping: 2,
  stopped: 3,
  'shutting-down': 4,
  terminated: 5,
};

export function isInstanceState(value: unknown): value is InstanceState {
  return typeof value === 'string' && Object.hasOwn(STATE_RANK, value);
}

/** One observed state of one instance at one time (epoch milliseconds). */
export interface StateChange {
  readonly instanceId: string;
  readonly state: InstanceState;
  readonly timeMs: number;
}

/** True when `next` must replace `current` (see the contract above). */
export function supersedes(
  next: Pick<StateChange, 'state' | 'timeMs'>,
  current: Pick<StateChange, 'state' | 'timeMs'> | undefined,
): boolean {
  if (current === undefined) return true;
  if (current.state === 'terminated') return false;
  if (next.state === 'terminated') return true;
  if (next.timeMs !== current.timeMs) return next.timeMs > current.timeMs;
  return STATE_RANK[next.state] > STATE_RANK[current.state];
}
