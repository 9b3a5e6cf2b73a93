/**
 * The sync machine's port to the world: what the runtime (agent/runtime.ts) calls to carry out
 * sync.ts's commands. Sources implement it (sources/feed.ts); the core only names it.
 */
import type { ItemDetails, Snapshot } from './item.ts';
import type { SyncCommand } from './sync.ts';

export interface SyncEffects {
  subscribe(): void;
  /** Every configured region; rejects with `throttled: true` on RequestLimitExceeded. */
  list(signal: AbortSignal): Promise<Snapshot>;
  describe(region: string, ids: readonly string[], signal: AbortSignal): Promise<readonly ItemDetails[]>;
  /** A change sync.ts dropped (for a rate-limited log line). */
  dropped(command: Extract<SyncCommand, { type: 'dropped' }>): void;
}
