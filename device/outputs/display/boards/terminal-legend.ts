/**
 * The legend under the terminal picture (pure): a status line, then one row per lit pixel: swatch,
 * pixel x,y, kind (with more than one kind), id, name, state, region, account (with more than one
 * account), and how long it has been in that state. Every text cell goes through sanitizeCell:
 * names are user data (sanitize.ts).
 *
 * An acknowledged or snoozed item (picture/attention.ts) says so beside its state: `ALARM ack` (seen:
 * steady at a reduced level instead of flashing), `down snoozed` (no urgency until the snooze ends);
 * a line under the rows explains the marks, and `drawAttention` lists who did it, when and until when.
 *
 * Fitting a width: the name column has priority. Columns are as wide as what they hold (the state
 * column as the longest state of the kinds shown, `INSUFFICIENT_DATA` included); an id that only
 * repeats the name (an alarm's ARN ending in its name, `probe:<name>`) is left blank. When the names
 * do not fit, the legend gives way in this order: the kind column goes (states never collide across
 * kinds, kinds.ts, so the state still tells the kind), then ids are shortened in the middle
 * (`i-09558…6f724e9`), then the id column goes; only then are names cut.
 */

import { displayWidth, fitToWidth, sanitizeCell, sanitizeText } from '../../../base/sanitize.ts';
import { DEFAULT_KIND, KINDS, specOf } from '../../../kinds/kinds.ts';
import type { Legend, LegendEntry, LegendUpdate } from '../../../picture/legend.ts';
import { fg, RESET } from './terminal-picture.ts';

const ID = 19; // "i-" + 17 hex digits
const SHORT_ID = 15; // "i-09558…6f724e9": the head and the tail of an id
const PIXEL = 5; // "15,15"
const ACCOUNT = 14; // a label, or the 12-digit id; "*" marks a stale account
const REGION = 14; // "ap-southeast-2"
const SINCE = 5; // "since", "59m"
const NAME_MIN = 8;
const NAME_MAX = 32;

/** "42s", "5m", "3h", "12d": age of a state, from epoch milliseconds. */
export function formatAge(sinceMs: number, nowMs: number): string {
  const s = Math.max(0, Math.floor((nowMs - sinceMs) / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 48 * 3600) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86400)}d`;
}

function swatch(color: string): string {
  const hex = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(color);
  if (hex === null) return ' ';
  const [r = 0, g = 0, b = 0] = hex.slice(1).map((pair) => Number.parseInt(pair, 16));
  return `${fg([r, g, b])}■${RESET}`;
}

/** "50%" or "off". */
function levelText(level: number | 'off'): string {
  return level === 'off' ? 'off' : `${Math.round(level * 100)}%`;
}

/**
 * Night mode for the status line: "brightness 10%, off at Sun 23:00". `timeZone` is the one the
 * next change is shown in: by default this process's, which on the Pi is the agent's.
 */
export function drawBrightness(brightness: NonNullable<Legend['brightness']>, timeZone?: string): string {
  const how =
    brightness.manual === true ? ' (set by hand)' : brightness.urgent === true ? ' (urgent pixels lit)' : '';
  const now = `brightness ${levelText(brightness.level)}${how}`;
  if (brightness.next === undefined || !Number.isFinite(brightness.next.atMs)) return now;
  const at = new Intl.DateTimeFormat('en-GB', {
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    ...(timeZone === undefined ? {} : { timeZone }),
  }).format(brightness.next.atMs);
  return `${now}, ${levelText(brightness.next.level)} at ${at}`;
}

export function drawStatus(view: Legend, timeZone?: string): string {
  const parts = [
    'ec2-led',
    view.connected ? 'connected' : 'DISCONNECTED: picture may be stale',
    view.synced ? 'synced' : 'syncing',
  ];
  if (view.clockSynced === false)
    parts.push('CLOCK NOT SYNCHRONIZED: AWS refuses requests from a clock 5 min off');
  if (view.overflow > 0)
    parts.push(`${view.overflow} more instance${view.overflow === 1 ? '' : 's'} than pixels`);
  for (const account of view.accounts ?? []) {
    if (account.stale === undefined) continue;
    parts.push(
      `account ${sanitizeCell(account.label, 32).trimEnd()} (${account.id}) STALE: ${sanitizeCell(account.stale, 160).trimEnd()}`,
    );
  }
  if (view.brightness !== undefined) parts.push(drawBrightness(view.brightness, timeZone));
  if (view.update !== undefined && view.update.phase !== 'idle')
    parts.push(`UPDATING to ${sanitizeCell(view.update.target ?? '?', 32).trimEnd()} (${view.update.phase})`);
  return parts.join(' · ');
}

/** `ec2led status`'s version line: "version 1.0.0, UPDATING to 1.1.0 (installing)", then "last update 1.1.0 FAILED: why". */
export function drawUpdate(update: LegendUpdate): string {
  const version = sanitizeCell(update.version, 32).trimEnd();
  const now =
    update.phase === 'idle'
      ? `version ${version}`
      : `version ${version}, UPDATING to ${sanitizeCell(update.target ?? '?', 32).trimEnd()} (${update.phase})`;
  const last = update.last;
  if (last === undefined) return now;
  const why = last.status === 'SUCCEEDED' ? '' : `: ${sanitizeCell(last.reason, 160).trimEnd()}`;
  return `${now}, last update ${sanitizeCell(last.version, 32).trimEnd()} ${last.status}${why}`;
}

/** The id as the legend shows it: blank when it only repeats the name (ARN ...:alarm:NAME, probe:NAME). */
export function idText(entry: Pick<LegendEntry, 'id' | 'name'>): string {
  const id = sanitizeText(entry.id);
  const name = sanitizeText(entry.name);
  return name !== '' && (id === name || id.endsWith(`:${name}`)) ? '' : id;
}

/** An id cut in the middle to `width` columns, keeping its head and its tail (ids are ASCII). */
export function shortenId(id: string, width: number): string {
  if (id.length <= width) return id;
  const tail = Math.floor((width - 1) / 2);
  return `${id.slice(0, width - 1 - tail)}…${id.slice(id.length - tail)}`;
}

interface Column {
  readonly header: string;
  readonly width: number;
  readonly cell: (entry: LegendEntry) => string;
}

/** The widest of `texts` (and the header), at most `max` columns. */
function widest(header: string, texts: Iterable<string>, max = Number.POSITIVE_INFINITY): number {
  let width = displayWidth(header);
  for (const text of texts) width = Math.max(width, displayWidth(text));
  return Math.min(width, max);
}

/**
 * Header plus one row per lit pixel, fitted to `columns` (see the file comment) and to at most
 * `maxRows` lines, the last saying how many rows were left out. `age` formats the time in state
 * (default formatAge: the demo passes its simulated clock).
 */
export function drawLegend(
  view: Legend,
  nowMs: number,
  columns = 100,
  maxRows = Number.POSITIVE_INFINITY,
  /** Colour swatches (ANSI); false for output that is not a terminal. */
  swatches = true,
  age: (sinceMs: number, nowMs: number) => string = formatAge,
): string[] {
  const shown = view.pixels.flatMap((pixel) => (pixel.entry === null ? [] : [{ pixel, entry: pixel.entry }]));
  const entries = shown.map(({ entry }) => entry);
  // With more than one account, a column names each entry's account (its label).
  const many = (view.accounts?.length ?? 0) > 1;
  const kinds = new Set(entries.map((entry) => entry.kind));
  const ids = entries.map(idText);
  const idWidth = widest('id', ids, ID);
  const names = entries.map((entry) => sanitizeText(entry.name));
  const nameNeed = widest('name', names, NAME_MAX);
  const states = [...kinds].flatMap(
    (kind) => (KINDS[kind] as { states: readonly string[] } | undefined)?.states ?? [],
  );
  const stateWidth = widest('state', [...states, ...entries.map(stateText)]);
  const account = (entry: LegendEntry) => `${entry.accountLabel ?? entry.account}${entry.stale ? '*' : ''}`;

  const layout = (kind: boolean, id: number) => {
    const before: Column[] = [
      ...(kind
        ? [{ header: 'kind', width: widest('kind', kinds), cell: (e: LegendEntry) => sanitizeText(e.kind) }]
        : []),
      ...(id > 0
        ? [
            {
              header: kinds.size > 1 || !kinds.has(DEFAULT_KIND) ? 'id' : specOf(DEFAULT_KIND).label,
              width: id,
              cell: (e: LegendEntry) => shortenId(idText(e), id),
            },
          ]
        : []),
    ];
    const after: Column[] = [
      { header: 'state', width: stateWidth, cell: stateText },
      {
        header: 'region',
        width: widest(
          'region',
          entries.map((e) => sanitizeText(e.region)),
          REGION,
        ),
        cell: (e) => sanitizeText(e.region),
      },
      ...(many
        ? [
            {
              header: 'account',
              width: widest(
                'account',
                entries.map((e) => sanitizeText(account(e))),
                ACCOUNT,
              ),
              cell: (e: LegendEntry) => sanitizeText(account(e)),
            },
          ]
        : []),
      { header: 'since', width: SINCE, cell: (e) => age(e.sinceMs, nowMs) },
    ];
    // Swatch and pixel, then one separator before every other column, the name's included.
    const used = 2 + PIXEL + [...before, ...after].reduce((sum, column) => sum + 1 + column.width, 0) + 1;
    return { before, after, name: columns - used };
  };
  const shortId = Math.min(idWidth, SHORT_ID);
  const hasIds = ids.some((id) => id !== '');
  const candidates = [
    layout(kinds.size > 1, hasIds ? idWidth : 0),
    layout(false, hasIds ? idWidth : 0),
    layout(false, hasIds ? shortId : 0),
    layout(false, 0),
  ];
  const chosen = candidates.find((c) => c.name >= nameNeed) ?? (candidates.at(-1) as (typeof candidates)[0]);
  const nameWidth = Math.max(NAME_MIN, Math.min(nameNeed, chosen.name));
  const name: Column = { header: 'name', width: nameWidth, cell: (e) => e.name };
  const table = [...chosen.before, name, ...chosen.after];
  const last = table.length - 1;
  const header = [
    `  ${fitToWidth('pixel', PIXEL)}`,
    ...table.map((column, i) => (i === last ? column.header : fitToWidth(column.header, column.width))),
  ].join(' ');
  const rows = shown.map(({ pixel, entry }) =>
    [
      `${swatches ? swatch(pixel.color) : ' '} ${fitToWidth(`${pixel.x},${pixel.y}`, PIXEL)}`,
      ...table.map((column, i) => {
        const text = column.cell(entry);
        return i === last ? sanitizeText(text) : sanitizeCell(text, column.width);
      }),
    ].join(' '),
  );
  if (rows.length === 0) return [header, '(no instances yet)'];
  const marks = entries.some((e) => e.attention !== undefined) ? [ATTENTION_KEY] : [];
  const notices = shown.flatMap(({ pixel, entry }) =>
    entry.notice === undefined ? [] : [noticeLine(pixel, entry, entry.notice, columns)],
  );
  if (rows.length + notices.length + 1 + marks.length <= maxRows)
    return [header, ...rows, ...notices, ...marks];
  const keep = Math.max(0, maxRows - 2 - notices.length);
  return [
    header,
    ...rows.slice(0, keep),
    `… ${rows.length - keep} more rows (see the web board)`,
    ...notices,
  ];
}

/** "2026-12-21 09:00Z": a notice's times, to the minute. */
function minute(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')}Z`;
}

/**
 * One line per instance notice, under the table: `! 3,0 web system-reboot due 2026-12-21 09:00Z,
 * until 2026-12-21 11:00Z` (urgent ones say URGENT). Names are sanitized like the table's.
 */
function noticeLine(
  pixel: { readonly x: number; readonly y: number },
  entry: LegendEntry,
  notice: NonNullable<LegendEntry['notice']>,
  columns: number,
): string {
  const who = sanitizeText(entry.name) || idText(entry);
  const what = `${sanitizeText(notice.code)}${notice.action === undefined ? '' : ` (${sanitizeText(notice.action)})`}`;
  const text = `! ${pixel.x},${pixel.y} ${who} ${what}${notice.urgent ? ' URGENT' : ''} due ${minute(notice.startMs)}, until ${minute(notice.endMs)}`;
  return sanitizeCell(text, Math.max(20, columns)).trimEnd();
}

/** What the marks beside a state mean (under the rows when one shows). */
export const ATTENTION_KEY =
  'ack: acknowledged, steady and dimmed instead of flashing until it leaves that state · snoozed: no urgency until the snooze ends or it gets worse';

/** The state, and `ack` / `snoozed` when someone said "I've seen it". */
function stateText(entry: LegendEntry): string {
  const state = sanitizeText(entry.state);
  if (entry.attention?.acknowledged !== undefined) return `${state} ack`;
  if (entry.attention?.snoozed !== undefined) return `${state} snoozed`;
  return state;
}

/** "16:05" in `timeZone` (default this process's). */
function clock(ms: number, timeZone?: string): string {
  return new Intl.DateTimeFormat('en-GB', {
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    ...(timeZone === undefined ? {} : { timeZone }),
  }).format(ms);
}

/**
 * `ec2led status`: the item blinking on request, then every acknowledgement and snooze, who did it,
 * how long ago, and until when: "snoozed  www (probe:www) by cli 5m ago, until Mon 17:05".
 */
export function drawAttention(view: Legend, nowMs: number, timeZone?: string): string[] {
  const lines: string[] = [];
  if (view.highlight !== undefined && nowMs < view.highlight.untilMs) {
    const name = sanitizeCell(view.highlight.name || view.highlight.id, 64).trimEnd();
    lines.push(`blinking: ${name} (${sanitizeCell(view.highlight.id, 120).trimEnd()})`);
  }
  for (const { entry } of view.pixels) {
    const attention = entry?.attention;
    if (entry === null || entry === undefined || attention === undefined) continue;
    const name = sanitizeCell(entry.name || entry.id, 40).trimEnd();
    const id = sanitizeCell(entry.id, 120).trimEnd();
    const { acknowledged: a, snoozed: z } = attention;
    if (a !== undefined)
      lines.push(`acknowledged  ${name} (${id}) by ${a.by} ${formatAge(a.atMs, nowMs)} ago`);
    if (z !== undefined)
      lines.push(
        `snoozed  ${name} (${id})${z.kind === true ? ` with every ${sanitizeText(entry.kind)}` : ''} by ${z.by} ${formatAge(z.atMs, nowMs)} ago, until ${clock(z.untilMs, timeZone)}`,
      );
  }
  return lines;
}
