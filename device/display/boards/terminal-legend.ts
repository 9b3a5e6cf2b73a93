/**
 * The legend under the terminal picture (pure): a status line, then one row per pixel that shows an
 * instance: swatch, pixel x,y, instance id, Name, state, region, and how long it has been in that
 * state (and, with more than one account, the account's label). Every text cell goes through sanitizeCell: Name tags are user data (sanitize.ts).
 */
import type { Legend } from '../../layout/legend.ts';
import { fitToWidth, sanitizeCell } from '../sanitize.ts';
import { fg, RESET } from './terminal-picture.ts';

const ID = 19; // "i-" + 17 hex digits
const STATE = 13; // "shutting-down"
const REGION = 14; // "ap-southeast-2"
const PIXEL = 5; // "15,15"
const ACCOUNT = 14; // a label, or the 12-digit id; "*" marks a stale account
const KIND = 8; // "instance"; another kind (kinds.ts) fits or is cut
const NAME_MIN = 8;
const NAME_MAX = 32;
/** Columns taken by everything but the Name: swatch, pixel, id, state, region, since, separators. */
const FIXED = 2 + PIXEL + ID + STATE + REGION + 5 + 5;

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
  return parts.join(' · ');
}

/**
 * Header plus one row per instance pixel, fitted to `columns` (the Name column gives way) and to at
 * most `maxRows` lines, the last saying how many rows were left out.
 */
export function drawLegend(
  view: Legend,
  nowMs: number,
  columns = 100,
  maxRows = Number.POSITIVE_INFINITY,
  /** Colour swatches (ANSI); false for output that is not a terminal. */
  swatches = true,
): string[] {
  // With more than one account, a column names each instance's account (its label).
  const many = (view.accounts?.length ?? 0) > 1;
  // With more than one kind on the board (kinds.ts), a column says what each pixel is.
  const kinds = new Set(view.pixels.flatMap((pixel) => (pixel.entry === null ? [] : [pixel.entry.kind])));
  const mixed = kinds.size > 1;
  const name = Math.min(
    NAME_MAX,
    Math.max(NAME_MIN, columns - FIXED - (many ? ACCOUNT + 1 : 0) - (mixed ? KIND + 1 : 0)),
  );
  const header = [
    `  ${fitToWidth('pixel', PIXEL)}`,
    ...(mixed ? [fitToWidth('kind', KIND)] : []),
    fitToWidth(mixed ? 'id' : 'instance', ID),
    fitToWidth('name', name),
    fitToWidth('state', STATE),
    fitToWidth('region', REGION),
    ...(many ? [fitToWidth('account', ACCOUNT)] : []),
    'since',
  ].join(' ');
  const rows: string[] = [];
  for (const pixel of view.pixels) {
    const { entry: instance } = pixel;
    if (instance === null) continue;
    rows.push(
      [
        `${swatches ? swatch(pixel.color) : ' '} ${fitToWidth(`${pixel.x},${pixel.y}`, PIXEL)}`,
        ...(mixed ? [sanitizeCell(instance.kind, KIND)] : []),
        sanitizeCell(instance.id, ID),
        sanitizeCell(instance.name, name),
        sanitizeCell(instance.state, STATE),
        sanitizeCell(instance.region, REGION),
        ...(many
          ? [
              sanitizeCell(
                `${instance.accountLabel ?? instance.account}${instance.stale ? '*' : ''}`,
                ACCOUNT,
              ),
            ]
          : []),
        formatAge(instance.sinceMs, nowMs),
      ].join(' '),
    );
  }
  if (rows.length === 0) return [header, '(no instances yet)'];
  if (rows.length + 1 <= maxRows) return [header, ...rows];
  const keep = Math.max(0, maxRows - 2);
  return [header, ...rows.slice(0, keep), `… ${rows.length - keep} more rows (see the web board)`];
}
