/**
 * Pure replay: EventBridge events -> translate (the Lambda's own code) -> fleet -> layout -> the
 * board, on the events' own clock. Every registered kind's events count (events.ts: EC2 state
 * changes, CloudWatch Alarm State Changes, CodePipeline execution and ECS deployment state changes,
 * and whatever a registered kind's spec translates), each item ordered by its kind's rule as the
 * agent orders it (a deploy by its run's start, then its state's time; a SUPERSEDED execution,
 * which the Lambda skips, counts as ignored). Events are applied in
 * event-time order (ties: instance id or alarm ARN, then rank, then event id), so the final board
 * does not depend on the order of the lines in the file; the layout follows after every event as the agent's would, and the final board is drawn
 * at the latest event time. Instance notices (a Spot interruption warning, a rebalance
 * recommendation, an AWS Health scheduled change for EC2: lambda/translate-notice.ts) are held beside
 * the fleet as the agent holds them (fleet/notices.ts) and shown on their instance's pixel when the
 * file also has a state change for it (a replay lists nothing, so it knows no other instance), if
 * they have not ended by the latest event time. Events of another kind (an Auto Scaling event) are
 * counted as ignored, not as problems. Nothing here is connected or listed, so the view
 * says `connected: false`, `synced: false`, and instance Names are unknown (EC2 events carry none;
 * an alarm's event carries its name).
 */
import { EC2_SOURCE, EC2_STATE_CHANGE } from '../../../lambda/translate.ts';
import { isNoticeEvent, translateNoticeEvent } from '../../../lambda/translate-notice.ts';
import type { NoticeMessage } from '../../../shared/notice-message.ts';
import type { Change } from '../../fleet/item.ts';
import { applyNoticeMessage, EMPTY_NOTICES, pruneNotices, shownNotices } from '../../fleet/notices.ts';
import { applyChange, EMPTY_FLEET, type Fleet } from '../../fleet/store.ts';
import { specOf } from '../../kinds/kinds.ts';
import type { Legend } from '../../picture/legend.ts';
import { composePicture, type Picture, type PictureSettings } from '../../picture/picture.ts';
import { eventTranslations } from './events.ts';

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
  /** Events that are neither EC2 nor alarm state changes (other source or detail-type): skipped, not bad. */
  readonly ignored: number;
  readonly problems: readonly ReplayProblem[];
  /** The replay's "now": the latest event time, epoch ms (undefined when nothing applied). */
  readonly nowMs: number | undefined;
}

/** The envelope's source and detail-type, when both are strings. */
function envelopeKind(event: unknown): string | undefined {
  if (typeof event !== 'object' || event === null || Array.isArray(event)) return undefined;
  const { source, 'detail-type': detailType } = event as Record<string, unknown>;
  if (typeof source !== 'string' || typeof detailType !== 'string') return undefined;
  return `${source} ${detailType}`;
}

/**
 * The change an event stands for, or why it cannot be read: the translation its envelope names
 * (events.ts, every registered kind's); an envelope no kind claims is read as an EC2 event, whose
 * translation says what is wrong with it.
 */
function changeOfEvent(
  event: unknown,
  translations: ReturnType<typeof eventTranslations>,
): { change: Change } | { reason: string } {
  const kind = envelopeKind(event);
  const translation =
    (kind === undefined ? undefined : translations.get(kind)) ??
    (translations.get(`${EC2_SOURCE} ${EC2_STATE_CHANGE}`) as NonNullable<
      ReturnType<typeof translations.get>
    >);
  return translation.translate(event);
}

/** The tie-break between two states of one item in the same millisecond: its kind's severity. */
function rankOf(change: Change): number {
  return specOf(change.kind).severity[change.state] ?? -1;
}

/** Event time, then id, then rank, then event id: one order for any file order. */
function byEventTime(a: Change, b: Change): number {
  if (a.timeMs !== b.timeMs) return a.timeMs - b.timeMs;
  if (a.id !== b.id) return a.id < b.id ? -1 : 1;
  if (a.state !== b.state) return rankOf(a) - rankOf(b);
  const ae = a.eventId ?? '';
  const be = b.eventId ?? '';
  return ae < be ? -1 : ae > be ? 1 : 0;
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
  const changes: Change[] = [];
  const translations = eventTranslations();
  const noticeMessages: NoticeMessage[] = [];
  for (const { where, event } of inputs) {
    if (isNoticeEvent(event)) {
      const notices = translateNoticeEvent(event);
      if (notices.ok) {
        noticeMessages.push(...notices.messages);
        applied += 1;
      } else problems.push({ where, reason: notices.reason });
      continue;
    }
    const result = changeOfEvent(event, translations);
    const kind = envelopeKind(event);
    if ('change' in result) changes.push(result.change);
    else if (
      (kind !== undefined && !translations.has(kind)) ||
      ('ignored' in result && result.ignored === true)
    )
      ignored += 1;
    else problems.push({ where, reason: result.reason });
  }
  // Array.prototype.sort is stable: exact duplicates keep their (irrelevant) file order.
  changes.sort(byEventTime);
  for (const change of changes) {
    nowMs = Math.max(nowMs ?? change.timeMs, change.timeMs);
    fleet = applyChange(fleet, change, change.timeMs);
    picture = compose(change.timeMs);
    applied += 1;
  }
  let notices = EMPTY_NOTICES;
  noticeMessages.sort((a, b) => a.time - b.time || (a.event < b.event ? -1 : a.event > b.event ? 1 : 0));
  for (const message of noticeMessages) {
    nowMs = Math.max(nowMs ?? message.time, message.time);
    notices = applyNoticeMessage(notices, message, message.time);
  }
  const at = nowMs ?? 0;
  const { legend: view } = composePicture({
    fleet,
    slots: picture?.layout.slots ?? new Map(),
    listed: true,
    settings,
    status: { connected: false, synced: false },
    nowMs: at,
    notices: shownNotices(pruneNotices(notices, fleet, at), at),
  });
  return { view, applied, ignored, problems, nowMs };
}
