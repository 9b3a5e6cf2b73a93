/**
 * Pure replay: EventBridge events -> translate (the Lambda's own code) -> fleet -> layout -> the
 * board, on the events' own clock. Events are applied in event-time order (ties: instance id, then
 * lifecycle rank, then event id), so the final board does not depend on the order of the lines in
 * the file; the layout follows after every event as the agent's would, and the final board is drawn
 * at the latest event time. Events of another kind (a Spot interruption warning, an Auto Scaling
 * event) are counted as ignored, not as problems. Nothing here is connected or listed, so the view
 * says `connected: false`, `synced: false`, and Names are unknown (events carry none).
 */
import { EC2_SOURCE, EC2_STATE_CHANGE, translateEvent } from '../../lambda/translate.ts';
import { STATE_RANK } from '../../shared/instance-state.ts';
import type { StateMessage } from '../../shared/message.ts';
import { changeOf } from '../fleet/instance.ts';
import { applyChange, EMPTY_FLEET, type Fleet } from '../fleet/store.ts';
import type { Legend } from '../layout/legend.ts';
import { composePicture, type Picture, type PictureSettings } from '../layout/picture.ts';

export interface ReplayInput {
  /** Where the event came from, for error messages: "line 3" or "element 3". */
  readonly where: string;
  readonly event: unknown;
}

export interface ReplayProblem {
  readonly where: string;
  readonly reason: string;
}

export interface ParsedInput {
  readonly inputs: readonly ReplayInput[];
  readonly problems: readonly ReplayProblem[];
}

/**
 * A JSON array of events, one event as a JSON document, or one event per line (JSON lines, blank
 * lines ignored). Never throws.
 */
export function parseReplayFile(text: string): ParsedInput {
  const trimmed = text.trim();
  if (trimmed.startsWith('[') || (trimmed.startsWith('{') && trimmed.includes('\n'))) {
    try {
      const parsed: unknown = JSON.parse(trimmed);
      if (Array.isArray(parsed)) {
        return { inputs: parsed.map((event, i) => ({ where: `element ${i + 1}`, event })), problems: [] };
      }
      return { inputs: [{ where: 'element 1', event: parsed }], problems: [] };
    } catch {
      // Not one JSON document: read it as JSON lines below, which names the bad line.
    }
  }
  const inputs: ReplayInput[] = [];
  const problems: ReplayProblem[] = [];
  text.split(/\r?\n/).forEach((line, index) => {
    if (line.trim() === '') return;
    const where = `line ${index + 1}`;
    try {
      inputs.push({ where, event: JSON.parse(line) });
    } catch (error) {
      problems.push({ where, reason: `not JSON: ${(error as Error).message}` });
    }
  });
  return { inputs, problems };
}

export interface ReplayResult {
  readonly view: Legend;
  readonly applied: number;
  /** Events that are not EC2 state changes (other source or detail-type): skipped, not bad. */
  readonly ignored: number;
  readonly problems: readonly ReplayProblem[];
  /** The replay's "now": the latest event time, epoch ms (undefined when nothing applied). */
  readonly nowMs: number | undefined;
}

/** An EventBridge envelope of another kind: a string source and detail-type, not EC2's state change. */
function otherEventKind(event: unknown): string | undefined {
  if (typeof event !== 'object' || event === null || Array.isArray(event)) return undefined;
  const { source, 'detail-type': detailType } = event as Record<string, unknown>;
  if (typeof source !== 'string' || typeof detailType !== 'string') return undefined;
  return source === EC2_SOURCE && detailType === EC2_STATE_CHANGE ? undefined : `${source} ${detailType}`;
}

/** Event time, then instance id, then lifecycle rank, then event id: one order for any file order. */
function byEventTime(a: StateMessage, b: StateMessage): number {
  if (a.time !== b.time) return a.time - b.time;
  if (a.id !== b.id) return a.id < b.id ? -1 : 1;
  if (a.state !== b.state) return STATE_RANK[a.state] - STATE_RANK[b.state];
  return a.event < b.event ? -1 : a.event > b.event ? 1 : 0;
}

/**
 * `settings`: the board size, and the config's pins, grace and colours when there is a config
 * (without one: no pins, the default grace and palette).
 */
export function replay(inputs: readonly ReplayInput[], settings: PictureSettings): ReplayResult {
  const problems: ReplayProblem[] = [];
  let fleet: Fleet = EMPTY_FLEET;
  let picture: Picture | undefined;
  let nowMs: number | undefined;
  let applied = 0;
  let ignored = 0;
  // Nothing here is connected or listed live: the legend says so (the layout still counts as listed).
  const compose = (at: number) =>
    composePicture({
      fleet,
      slots: picture?.layout.slots ?? new Map(),
      listed: true,
      settings,
      status: { connected: false, synced: false },
      nowMs: at,
    });
  const messages: StateMessage[] = [];
  for (const { where, event } of inputs) {
    const result = translateEvent(event);
    if (result.ok) messages.push(result.message);
    else if (otherEventKind(event) !== undefined) ignored += 1;
    else problems.push({ where, reason: result.reason });
  }
  // Array.prototype.sort is stable: exact duplicates keep their (irrelevant) file order.
  messages.sort(byEventTime);
  for (const message of messages) {
    nowMs = Math.max(nowMs ?? message.time, message.time);
    fleet = applyChange(fleet, changeOf(message), message.time);
    picture = compose(message.time);
    applied += 1;
  }
  const { legend: view } = compose(nowMs ?? 0);
  return { view, applied, ignored, problems, nowMs };
}
