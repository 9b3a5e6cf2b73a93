/**
 * The ordering rule per kind: whether a change replaces the stored state of the same thing.
 *
 * Contract:
 * - EC2 instances: `supersedes` (shared/instance-state.ts): (terminated?, time, lifecycle rank).
 * - Alarms (and desk probes, by PROBE_STATE_RANK): the later state time wins (the message's `time`, CloudWatch's `StateUpdatedTimestamp`);
 *   nothing absorbs, an alarm goes back and forth for ever. Two states stamped with the same
 *   millisecond are ordered by ALARM_STATE_RANK, ALARM highest: when the stamps cannot tell, the
 *   board errs on the side of showing the alarm, and the next listing (the truth) heals it.
 * - Deploys: the run's start first (`startMs`: a newer execution or deployment outranks any state of
 *   an older one, however late the older one's event arrives), then the state's time, then
 *   DEPLOY_STATE_RANK (a failure wins a tie). A stored deploy without `startMs` (restored from a
 *   file written before it was kept) is ordered by time alone.
 * - Either way a total preorder, so any set of changes applied in any order, with any duplicates,
 *   ends on the same state per thing. One id never carries two kinds (an alarm's id is its ARN).
 */
import type { AlarmState } from '../../shared/alarm-message.ts';
import type { DeployState } from '../../shared/deploy-message.ts';
import { type InstanceState, supersedes } from '../../shared/instance-state.ts';
import type { Kind, KindState, ProbeState } from '../layout/kinds.ts';

/** Tie-break between alarm states with the same stamp: the more alarming wins. */
export const ALARM_STATE_RANK: Readonly<Record<AlarmState, number>> = {
  OK: 0,
  INSUFFICIENT_DATA: 1,
  ALARM: 2,
};

/** The same for desk probes (sources/probes.ts): the worse look wins a tie. */
export const PROBE_STATE_RANK: Readonly<Record<ProbeState, number>> = {
  up: 0,
  'off-air': 1,
  degraded: 2,
  down: 3,
};

/** The same for deploys: within one run and one stamp, the louder state wins. */
export const DEPLOY_STATE_RANK: Readonly<Record<DeployState, number>> = {
  deploying: 0,
  'deploy-stopped': 1,
  deployed: 2,
  'deploy-failed': 3,
};

const RANKS: Readonly<Record<string, number>> = {
  ...ALARM_STATE_RANK,
  ...PROBE_STATE_RANK,
  ...DEPLOY_STATE_RANK,
};

export interface Ordered {
  readonly kind?: Kind | undefined;
  readonly state: KindState;
  readonly timeMs: number;
  /** When the run the state belongs to started (deploys); compared first when both have it. */
  readonly startMs?: number | undefined;
}

/** True when `next` must replace `current` (see the contract above). */
export function changeSupersedes(next: Ordered, current: Ordered | undefined): boolean {
  if (current === undefined) return true;
  if ((next.kind ?? 'instance') === 'instance') {
    return supersedes(
      { state: next.state as InstanceState, timeMs: next.timeMs },
      { state: current.state as InstanceState, timeMs: current.timeMs },
    );
  }
  if (next.startMs !== undefined && current.startMs !== undefined && next.startMs !== current.startMs) {
    return next.startMs > current.startMs;
  }
  if (next.timeMs !== current.timeMs) return next.timeMs > current.timeMs;
  const rank = (state: KindState) => RANKS[state] ?? -1;
  return rank(next.state) > rank(current.state);
}
