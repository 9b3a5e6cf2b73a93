/**
 * A source of items that lists and watches its own slice of the fleet on its own rhythm (the desk
 * probes; a kind a test registers), beside the EC2 + alarm listing that sync.ts drives. The agent
 * starts every source with a sink that feeds sync.ts: `listed` replaces the source's slice (its
 * `kinds`) and nothing else; `change` is a live change, ordered and deduplicated like any other.
 *
 * Contract: a source only ever reports items of its own `kinds`; `stop()` resolves once it reports
 * nothing more (or after its own bound), and `start()` after `stop()` does nothing.
 */
import type { Change, Snapshot } from '../fleet/item.ts';
import type { Kind } from '../kinds/kinds.ts';

export interface ItemSink {
  /** A whole listing of the source's slice (`snapshot.kinds` is set to the source's kinds). */
  listed(snapshot: Snapshot): void;
  /** One live change of one of its items. */
  change(change: Change): void;
}

export interface ItemSource {
  /** The kinds (kinds/kinds.ts, registered) this source lists: its slice of the fleet. */
  readonly kinds: readonly Kind[];
  start(sink: ItemSink): void;
  stop(): Promise<void>;
}
