/**
 * Pure HLS playlist parser and live-stream judge, shared by the cloud checker and the desk probes
 * (both through hls-check.ts).
 *
 * Contract:
 * - `parsePlaylist` never throws. It reads a master playlist (`#EXT-X-STREAM-INF` + URI lines, in
 *   order) or a media playlist (`#EXT-X-TARGETDURATION`, `#EXT-X-MEDIA-SEQUENCE` (default 0),
 *   `#EXTINF` + URI, `#EXT-X-ENDLIST`), and rejects, with a reason naming the line, anything without
 *   `#EXTM3U` first, a tag with a bad number, a `#EXT-X-STREAM-INF` or `#EXTINF` with no URI after
 *   it, a media playlist without a target duration, or one that mixes variants and segments.
 *   Tags it does not use are skipped, as RFC 8216 section 4 asks of clients.
 * - `judgeLive` applies the live rule of RFC 8216 section 6.2 (a live playlist changes within 1.5 target
 *   durations): healthy while `#EXT-X-MEDIA-SEQUENCE` advances within 1.5 x `#EXT-X-TARGETDURATION`
 *   and the newest segment answers 2xx; degraded past 1.5 x; down past 3 x or on a 4xx/5xx; off-air
 *   (not an error) once the playlist carries `#EXT-X-ENDLIST`.
 */

export type HlsLook = 'healthy' | 'degraded' | 'down' | 'off-air';

export interface Variant {
  /** As written in the playlist: resolve it against the playlist's URL. */
  readonly uri: string;
  readonly bandwidth: number | undefined;
}

export interface MasterPlaylist {
  readonly kind: 'master';
  readonly variants: readonly Variant[];
}

export interface Segment {
  readonly uri: string;
  /** Seconds, from `#EXTINF`. */
  readonly duration: number;
}

export interface MediaPlaylist {
  readonly kind: 'media';
  /** Seconds, from `#EXT-X-TARGETDURATION`. */
  readonly targetDuration: number;
  readonly mediaSequence: number;
  readonly segments: readonly Segment[];
  readonly endList: boolean;
}

export type Playlist = MasterPlaylist | MediaPlaylist;
export type ParseResult = { ok: true; playlist: Playlist } | { ok: false; reason: string };

const INTEGER = /^\d{1,15}$/;
const DECIMAL = /^\d{1,15}(?:\.\d{1,9})?$/;

function cut(text: string): string {
  return JSON.stringify(text.length > 60 ? `${text.slice(0, 57)}...` : text);
}

function attribute(list: string, name: string): string | undefined {
  // Attribute lists are NAME=value pairs separated by commas; quoted values may hold commas.
  const match = new RegExp(`(?:^|,)${name}=("[^"]*"|[^,]*)`).exec(list);
  return match?.[1];
}

export function parsePlaylist(text: string): ParseResult {
  if (typeof text !== 'string') return { ok: false, reason: 'playlist is not text' };
  const lines = text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .map((line) => line.trim());
  const first = lines.findIndex((line) => line !== '');
  if (first === -1 || lines[first] !== '#EXTM3U') {
    return { ok: false, reason: `first line ${cut(lines[first] ?? '')} is not #EXTM3U: not an HLS playlist` };
  }
  const variants: Variant[] = [];
  const segments: Segment[] = [];
  let targetDuration: number | undefined;
  let mediaSequence = 0;
  let endList = false;
  let pending:
    | { kind: 'variant'; bandwidth: number | undefined }
    | { kind: 'segment'; duration: number }
    | undefined;

  for (let index = first + 1; index < lines.length; index += 1) {
    const line = lines[index] as string;
    const at = `line ${index + 1}`;
    if (line === '') continue;
    if (!line.startsWith('#')) {
      if (pending === undefined)
        return { ok: false, reason: `${at}: URI ${cut(line)} follows no #EXTINF or #EXT-X-STREAM-INF` };
      if (pending.kind === 'variant') variants.push({ uri: line, bandwidth: pending.bandwidth });
      else segments.push({ uri: line, duration: pending.duration });
      pending = undefined;
      continue;
    }
    if (pending !== undefined && (line.startsWith('#EXTINF:') || line.startsWith('#EXT-X-STREAM-INF:'))) {
      return { ok: false, reason: `${at}: ${cut(line)} comes before the URI of the tag above it` };
    }
    const colon = line.indexOf(':');
    const tag = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? '' : line.slice(colon + 1);
    switch (tag) {
      case '#EXT-X-STREAM-INF': {
        const raw = attribute(value, 'BANDWIDTH');
        if (raw !== undefined && !INTEGER.test(raw))
          return { ok: false, reason: `${at}: BANDWIDTH ${cut(raw)} is not an integer` };
        pending = { kind: 'variant', bandwidth: raw === undefined ? undefined : Number(raw) };
        break;
      }
      case '#EXTINF': {
        const raw = value.split(',')[0] ?? '';
        if (!DECIMAL.test(raw))
          return { ok: false, reason: `${at}: #EXTINF duration ${cut(raw)} is not a number of seconds` };
        pending = { kind: 'segment', duration: Number(raw) };
        break;
      }
      case '#EXT-X-TARGETDURATION':
        if (!INTEGER.test(value) || Number(value) === 0) {
          return {
            ok: false,
            reason: `${at}: #EXT-X-TARGETDURATION ${cut(value)} is not a positive integer`,
          };
        }
        targetDuration = Number(value);
        break;
      case '#EXT-X-MEDIA-SEQUENCE':
        if (!INTEGER.test(value))
          return { ok: false, reason: `${at}: #EXT-X-MEDIA-SEQUENCE ${cut(value)} is not an integer` };
        mediaSequence = Number(value);
        break;
      case '#EXT-X-ENDLIST':
        endList = true;
        break;
      default:
        break;
    }
  }
  if (pending !== undefined) {
    return {
      ok: false,
      reason: `the playlist ends after a ${pending.kind === 'variant' ? '#EXT-X-STREAM-INF' : '#EXTINF'} with no URI`,
    };
  }
  if (variants.length > 0) {
    if (segments.length > 0) return { ok: false, reason: 'the playlist holds both variants and segments' };
    return { ok: true, playlist: { kind: 'master', variants } };
  }
  if (targetDuration === undefined) {
    return {
      ok: false,
      reason: 'a media playlist without #EXT-X-TARGETDURATION (and no #EXT-X-STREAM-INF variants)',
    };
  }
  return { ok: true, playlist: { kind: 'media', targetDuration, mediaSequence, segments, endList } };
}

/** One reading of the media playlist during a check: when (ms since the first) and what it said. */
export interface PlaylistReading {
  readonly atMs: number;
  readonly mediaSequence: number;
  readonly endList: boolean;
}

export interface LiveEvidence {
  readonly targetDuration: number;
  /** In time order, the first at 0. */
  readonly readings: readonly PlaylistReading[];
  /** HTTP status of the newest segment of the last reading; undefined when it was not fetched. */
  readonly segmentStatus: number | undefined;
  /** A 4xx/5xx from the master or media playlist, which ends the check at once. */
  readonly playlistStatus?: number;
}

export interface Judgement {
  readonly look: HlsLook;
  readonly reason: string;
}

/** How long a check must keep reading before it can say "down": 3 target durations. */
export function patienceMs(targetDuration: number): number {
  return targetDuration * 3000;
}

/** The four looks from what a check saw. Pure. */
export function judgeLive(evidence: LiveEvidence): Judgement {
  const { targetDuration, readings, segmentStatus, playlistStatus } = evidence;
  if (playlistStatus !== undefined && playlistStatus >= 400) {
    return { look: 'down', reason: `the playlist answered ${playlistStatus}` };
  }
  const first = readings[0];
  if (first === undefined) return { look: 'down', reason: 'no playlist was read' };
  if (readings.some((reading) => reading.endList)) {
    return { look: 'off-air', reason: 'the playlist carries #EXT-X-ENDLIST: the event is over or it is VOD' };
  }
  const advanced = readings.find((reading) => reading.mediaSequence > first.mediaSequence);
  const limit = targetDuration * 1000;
  const waited = (readings[readings.length - 1] as PlaylistReading).atMs;
  if (advanced === undefined || advanced.atMs > 3 * limit) {
    if (advanced === undefined && waited < 3 * limit) {
      return {
        look: 'degraded',
        reason: `#EXT-X-MEDIA-SEQUENCE ${first.mediaSequence} unchanged after ${waited} ms, but the check stopped before 3 x ${targetDuration} s`,
      };
    }
    return {
      look: 'down',
      reason: `#EXT-X-MEDIA-SEQUENCE stuck at ${first.mediaSequence} for more than 3 x ${targetDuration} s`,
    };
  }
  if (segmentStatus === undefined || segmentStatus < 200 || segmentStatus >= 300) {
    return {
      look: 'down',
      reason: `the newest segment answered ${segmentStatus ?? 'nothing'}, expected 2xx`,
    };
  }
  if (advanced.atMs > 1.5 * limit) {
    return {
      look: 'degraded',
      reason: `the playlist advanced after ${advanced.atMs} ms, more than 1.5 x ${targetDuration} s`,
    };
  }
  return {
    look: 'healthy',
    reason: `the playlist advanced after ${advanced.atMs} ms and the newest segment answered ${segmentStatus}`,
  };
}
