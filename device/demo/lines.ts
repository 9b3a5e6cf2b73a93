/**
 * The demo's plain-line output, for when stdout is not a terminal (piped to a file or another
 * program): instead of full-screen ANSI frames, one line per thing that changed on the board.
 *
 * Pure: compares two board views and says what changed, in order. The status line comes first when
 * the connection or sync changed, then one line per instance (or alarm, by its name) whose pixel
 * appeared, changed state or disappeared. A state that came and went between two views (a pending that lasted less than a
 * frame) is not seen, exactly as the board would not show it. Names are sanitized (they are tags).
 */

import { sanitizeText } from '../base/sanitize.ts';
import { KIND_NAMES, specOf } from '../kinds/kinds.ts';
import { drawStatus } from '../outputs/display/boards/terminal-legend.ts';
import type { Legend, LegendEntry } from '../picture/legend.ts';

function instances(view: Legend | undefined): Map<string, LegendEntry> {
  const byId = new Map<string, LegendEntry>();
  for (const pixel of view?.pixels ?? []) if (pixel.entry) byId.set(pixel.entry.id, pixel.entry);
  return byId;
}

/** A described kind's item (an instance) by id and Name; any other kind (an alarm: its id is a long ARN) by kind and name. */
function describe(instance: LegendEntry, what: string): string {
  const name = sanitizeText(instance.name);
  const who = specOf(instance.kind).describes === true ? instance.id : instance.kind;
  return `${who} ${name === '' ? '(no name)' : name} ${what}`;
}

/** "40 instances", "40 instances, 4 alarms": the things on the board, per kind. */
function counts(view: Legend): string {
  const perKind = new Map<string, number>();
  for (const entry of instances(view).values()) perKind.set(entry.kind, (perKind.get(entry.kind) ?? 0) + 1);
  if (perKind.size === 0) return '0 instances';
  // In kind order (kinds.ts), not pixel order, so the line reads the same whatever the layout.
  const rank = (kind: string) => (KIND_NAMES as readonly string[]).indexOf(kind);
  return [...perKind]
    .sort(([a], [b]) => rank(a) - rank(b))
    .map(([kind, n]) => `${n} ${kind}s`)
    .join(', ');
}

/** What changed from `before` (undefined: nothing shown yet) to `after`, one line each. */
export function viewChanges(before: Legend | undefined, after: Legend): string[] {
  const lines: string[] = [];
  const status = (view: Legend) => `${drawStatus(view)}${view.synced ? ` with ${counts(view)}` : ''}`;
  if (
    before === undefined ||
    before.connected !== after.connected ||
    before.synced !== after.synced ||
    before.overflow !== after.overflow
  ) {
    lines.push(status(after));
  }
  const old = instances(before);
  const now = instances(after);
  for (const [id, instance] of now) {
    const previous = old.get(id);
    if (previous === undefined) lines.push(describe(instance, instance.state));
    else if (previous.state !== instance.state)
      lines.push(describe(instance, `${previous.state} -> ${instance.state}`));
  }
  for (const [id, instance] of old) if (!now.has(id)) lines.push(describe(instance, 'gone from the board'));
  return lines;
}
