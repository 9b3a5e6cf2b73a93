/**
 * The ordering rule: whether a change replaces the stored state of the same item. Each kind brings
 * its own (kinds/kinds.ts `supersedes` in its spec; the EC2 instance's is shared/instance-state.ts
 * `supersedes`: terminated absorbs, then time, then lifecycle rank), or takes the default: the later
 * state time wins, and two states stamped with the same millisecond are ordered by the kind's
 * `severity`, the worse one winning, so when the stamps cannot tell the board errs on the side of
 * showing trouble and the next listing (the truth) heals it.
 *
 * Contract: per kind a total preorder, so any set of changes applied in any order, with any
 * duplicates, ends on the same state per item. One id never carries two kinds (each kind's id
 * pattern matches its ids only).
 */
import { type Kind, type KindState, supersedesIn } from '../kinds/kinds.ts';

export interface Ordered {
  readonly kind?: Kind | undefined;
  readonly state: KindState;
  readonly timeMs: number;
  /** When the run the state belongs to started (a kind with runs: a deploy); its `supersedes` reads it. */
  readonly startMs?: number | undefined;
}

/** True when `next` must replace `current` (see the contract above). */
export function changeSupersedes(next: Ordered, current: Ordered | undefined): boolean {
  return supersedesIn(next.kind, next, current);
}
