/**
 * One HLS check, for the cloud checker (lambda/hls-checker.ts) and the desk probes
 * (device/sources/probes.ts) alike: the adapter around hls.ts, with fetch, sleep and clock injected. Starts at the master playlist every time (a
 * Wowza chunklist URL carries a session id that expires), follows the first variant, reads the media
 * playlist again every half target duration until its media sequence advances or 3 target durations
 * pass, then fetches the newest segment's first bytes, and hands what it saw to `judgeLive`.
 *
 * Bounded: at most MAX_READINGS playlist reads, each fetch cut off after FETCH_TIMEOUT_MS and
 * MAX_PLAYLIST_BYTES (the body is streamed and the request aborted past the limit: a URL that points
 * at a video file or an endless body costs 512 KiB, not the file), the wait capped at MAX_PATIENCE_MS
 * (a target duration above 15 s is judged on 45 s of readings).
 */
import { describeFetchError } from './fetch-error.ts';
import {
  type Judgement,
  judgeLive,
  type MediaPlaylist,
  type PlaylistReading,
  parsePlaylist,
  patienceMs,
} from './hls.ts';
import { readAtMost } from './read-body.ts';

export const FETCH_TIMEOUT_MS = 5000;
export const MAX_PATIENCE_MS = 45_000;
export const MAX_READINGS = 8;
/** Playlists larger than this are refused, read no further than this: a live playlist is a few KB. */
export const MAX_PLAYLIST_BYTES = 512 * 1024;

export interface CheckDeps {
  readonly fetch: typeof fetch;
  readonly sleep: (ms: number) => Promise<void>;
  readonly now: () => number;
}

type Fetched =
  | { ok: true; text: string; url: string }
  | { ok: false; status: number | undefined; why: string };

async function getPlaylist(deps: CheckDeps, url: string): Promise<Fetched> {
  try {
    const response = await deps.fetch(url, {
      signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
      redirect: 'follow',
    });
    if (!response.ok) {
      await response.body?.cancel();
      return { ok: false, status: response.status, why: `${url} answered ${response.status}` };
    }
    // A declared length over the limit is refused unread; a body without one is cut at the limit.
    const declared = Number(response.headers.get('content-length') ?? 0);
    const body =
      declared > MAX_PLAYLIST_BYTES
        ? await response.body?.cancel().then(() => undefined)
        : await readAtMost(response, MAX_PLAYLIST_BYTES);
    if (body === undefined || !body.complete) {
      return {
        ok: false,
        status: undefined,
        why: `${url} is too large for a playlist: over ${MAX_PLAYLIST_BYTES} bytes, read no further (is it the stream itself rather than its .m3u8?)`,
      };
    }
    return { ok: true, text: new TextDecoder().decode(body.bytes), url: response.url || url };
  } catch (error) {
    return { ok: false, status: undefined, why: `${url} could not be fetched: ${describeFetchError(error)}` };
  }
}

async function segmentStatus(deps: CheckDeps, url: string): Promise<number | undefined> {
  try {
    // The first KB is proof enough that the origin serves it; CloudFront answers a range with 206.
    const response = await deps.fetch(url, {
      headers: { Range: 'bytes=0-1023' },
      signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
      redirect: 'follow',
    });
    await response.body?.cancel();
    return response.status;
  } catch {
    return undefined;
  }
}

function down(reason: string): Judgement {
  return { look: 'down', reason };
}

/** Reads the media playlist at `url`, or says why it cannot be judged. */
async function readMedia(
  deps: CheckDeps,
  url: string,
): Promise<{ media: MediaPlaylist; url: string } | Judgement> {
  const fetched = await getPlaylist(deps, url);
  if (!fetched.ok) return down(fetched.why);
  const parsed = parsePlaylist(fetched.text);
  if (!parsed.ok) return down(`${fetched.url}: ${parsed.reason}`);
  if (parsed.playlist.kind !== 'media')
    return down(`${fetched.url} is a master playlist where a media playlist was expected`);
  return { media: parsed.playlist, url: fetched.url };
}

export async function checkStream(masterUrl: string, deps: CheckDeps): Promise<Judgement> {
  const master = await getPlaylist(deps, masterUrl);
  if (!master.ok) {
    return master.status !== undefined
      ? judgeLive({
          targetDuration: 1,
          readings: [],
          segmentStatus: undefined,
          playlistStatus: master.status,
        })
      : down(master.why);
  }
  const parsed = parsePlaylist(master.text);
  if (!parsed.ok) return down(`${master.url}: ${parsed.reason}`);
  let mediaUrl = master.url;
  if (parsed.playlist.kind === 'master') {
    const first = parsed.playlist.variants[0] as { uri: string };
    mediaUrl = new URL(first.uri, master.url).href;
  }
  const start = deps.now();
  const readings: PlaylistReading[] = [];
  let last: MediaPlaylist | undefined;
  let lastUrl = mediaUrl;
  for (let read = 0; read < MAX_READINGS; read += 1) {
    const got = await readMedia(deps, mediaUrl);
    if ('look' in got) return got;
    last = got.media;
    lastUrl = got.url;
    readings.push({
      atMs: deps.now() - start,
      mediaSequence: got.media.mediaSequence,
      endList: got.media.endList,
    });
    const first = readings[0] as PlaylistReading;
    if (got.media.endList || got.media.mediaSequence > first.mediaSequence) break;
    const patience = Math.min(patienceMs(got.media.targetDuration), MAX_PATIENCE_MS);
    if (deps.now() - start >= patience + 1) break;
    // Half a target duration between reads, as RFC 8216 section 6.3.4 asks of a client whose playlist did not change.
    await deps.sleep(Math.min((got.media.targetDuration * 1000) / 2, patience + 1 - (deps.now() - start)));
  }
  const newest = last?.segments[last.segments.length - 1];
  const status =
    newest === undefined || last?.endList
      ? undefined
      : await segmentStatus(deps, new URL(newest.uri, lastUrl).href);
  return judgeLive({
    targetDuration: (last as MediaPlaylist).targetDuration,
    readings,
    segmentStatus: status,
  });
}
