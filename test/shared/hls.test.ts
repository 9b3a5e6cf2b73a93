import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { judgeLive, type MediaPlaylist, parsePlaylist, patienceMs } from '../../shared/hls.ts';

const playlist = (name: string) =>
  readFileSync(new URL(`../fixtures/hls/${name}.m3u8`, import.meta.url), 'utf8');

function media(name: string): MediaPlaylist {
  const result = parsePlaylist(playlist(name));
  if (!result.ok || result.playlist.kind !== 'media') throw new Error(`${name} is not a media playlist`);
  return result.playlist;
}

describe('parsePlaylist', () => {
  it('reads a Wowza master playlist: one variant, the chunklist with its session id', () => {
    expect(parsePlaylist(playlist('wowza-master'))).toEqual({
      ok: true,
      playlist: { kind: 'master', variants: [{ uri: 'chunklist_w1076493465.m3u8', bandwidth: 2128000 }] },
    });
  });

  it('reads a master with several variants in order, skipping renditions and I-frame playlists', () => {
    const result = parsePlaylist(playlist('master-variants'));
    expect(result.ok && result.playlist).toEqual({
      kind: 'master',
      variants: [
        { uri: '1080p/index.m3u8', bandwidth: 5000000 },
        { uri: '720p/index.m3u8', bandwidth: 2500000 },
      ],
    });
  });

  it('reads a live Wowza chunklist: target duration, media sequence, segments, no end', () => {
    expect(media('wowza-chunklist')).toEqual({
      kind: 'media',
      targetDuration: 6,
      mediaSequence: 1841,
      segments: [
        { uri: 'media_w1076493465_1841.ts', duration: 6.006 },
        { uri: 'media_w1076493465_1842.ts', duration: 6.006 },
        { uri: 'media_w1076493465_1843.ts', duration: 6.006 },
      ],
      endList: false,
    });
    expect(media('wowza-chunklist-next').mediaSequence).toBe(1842);
  });

  it('reads a VOD playlist with #EXT-X-ENDLIST', () => {
    expect(media('vod-endlist')).toMatchObject({ targetDuration: 10, mediaSequence: 0, endList: true });
  });

  it('defaults the media sequence to 0 and accepts CRLF line ends and a byte-order mark', () => {
    const result = parsePlaylist('\uFEFF#EXTM3U\r\n#EXT-X-TARGETDURATION:2\r\n#EXTINF:2,\r\na.ts\r\n');
    expect(result.ok && result.playlist).toMatchObject({
      kind: 'media',
      mediaSequence: 0,
      targetDuration: 2,
    });
  });

  it.each([
    ['malformed-no-header', /first line "<html><body><h1>502 Bad Gateway.*is not #EXTM3U/],
    ['malformed-extinf-no-uri', /line 5: "#EXTINF:6.0," comes before the URI of the tag above it/],
    ['malformed-no-target-duration', /without #EXT-X-TARGETDURATION/],
    ['malformed-sequence', /line 3: #EXT-X-MEDIA-SEQUENCE "abc" is not an integer/],
  ])('rejects %s, naming the line', (name, reason) => {
    const result = parsePlaylist(playlist(name));
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toMatch(reason);
  });

  it.each([
    ['', /is not #EXTM3U/],
    ['#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\n', /ends after a #EXT-X-STREAM-INF with no URI/],
    ['#EXTM3U\n#EXT-X-TARGETDURATION:0\n', /TARGETDURATION "0" is not a positive integer/],
    ['#EXTM3U\n#EXT-X-TARGETDURATION:6\n#EXTINF:six,\na.ts\n', /#EXTINF duration "six"/],
    ['#EXTM3U\nstray.ts\n', /URI "stray.ts" follows no #EXTINF/],
    [
      '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\nv.m3u8\n#EXT-X-TARGETDURATION:6\n#EXTINF:6,\na.ts\n',
      /both variants and segments/,
    ],
  ])('rejects %j', (text, reason) => {
    const result = parsePlaylist(text);
    expect(!result.ok && result.reason).toMatch(reason);
  });

  it('never throws, whatever the text', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.constantFrom('#EXTM3U', '#EXTINF:1,', '#EXT-X-TARGETDURATION:x', '#EXT-X-STREAM-INF:'),
            fc.string(),
          ),
        ),
        (lines) => {
          expect(typeof parsePlaylist(lines.join('\n')).ok).toBe('boolean');
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('judgeLive (RFC 8216 live rule)', () => {
  const first = media('wowza-chunklist');
  const next = media('wowza-chunklist-next');
  const at = (atMs: number, p: MediaPlaylist) => ({
    atMs,
    mediaSequence: p.mediaSequence,
    endList: p.endList,
  });

  it('is healthy when the sequence advances within 1.5 target durations and the newest segment answers 2xx', () => {
    expect(
      judgeLive({
        targetDuration: 6,
        readings: [at(0, first), at(3000, first), at(6000, next)],
        segmentStatus: 200,
      }),
    ).toEqual({
      look: 'healthy',
      reason: 'the playlist advanced after 6000 ms and the newest segment answered 200',
    });
  });

  it('holds the boundary: 9 s is healthy for a 6 s target, 9.001 s is degraded', () => {
    const judge = (ms: number) =>
      judgeLive({ targetDuration: 6, readings: [at(0, first), at(ms, next)], segmentStatus: 206 }).look;
    expect(judge(9000)).toBe('healthy');
    expect(judge(9001)).toBe('degraded');
    expect(judge(18000)).toBe('degraded');
    expect(judge(18001)).toBe('down');
  });

  it('is down when the sequence is stalled for 3 target durations', () => {
    const stalled = [0, 3000, 6000, 9000, 12000, 15000, 18000].map((ms) => at(ms, first));
    expect(judgeLive({ targetDuration: 6, readings: stalled, segmentStatus: 200 })).toEqual({
      look: 'down',
      reason: '#EXT-X-MEDIA-SEQUENCE stuck at 1841 for more than 3 x 6 s',
    });
    expect(patienceMs(6)).toBe(18000);
  });

  it('is down when the newest segment answers 4xx or 5xx, even if the playlist advances', () => {
    for (const status of [403, 404, 500, 503]) {
      expect(
        judgeLive({ targetDuration: 6, readings: [at(0, first), at(6000, next)], segmentStatus: status })
          .look,
      ).toBe('down');
    }
  });

  it('is down when a playlist answers 4xx or 5xx', () => {
    expect(
      judgeLive({ targetDuration: 6, readings: [], segmentStatus: undefined, playlistStatus: 502 }),
    ).toEqual({
      look: 'down',
      reason: 'the playlist answered 502',
    });
  });

  it('is off-air, not down, with #EXT-X-ENDLIST', () => {
    const vod = media('vod-endlist');
    expect(judgeLive({ targetDuration: 10, readings: [at(0, vod)], segmentStatus: undefined }).look).toBe(
      'off-air',
    );
  });

  it('never says down before it has waited 3 target durations', () => {
    expect(
      judgeLive({ targetDuration: 6, readings: [at(0, first), at(12000, first)], segmentStatus: 200 }).look,
    ).toBe('degraded');
  });
});
