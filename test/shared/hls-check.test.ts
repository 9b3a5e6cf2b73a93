import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { metricLine } from '../../lambda/hls-checker.ts';
import { checkStream, MAX_PLAYLIST_BYTES, MAX_READINGS } from '../../shared/hls-check.ts';

/**
 * A loopback origin shaped like Wowza behind CloudFront: the master playlist hands out a chunklist
 * with a fresh session id each time and forgets the old one; the chunklist's media sequence follows
 * a clock the test controls (the checker's fake clock), so no test waits in real time.
 */
interface Origin {
  clock: number;
  /** Milliseconds per new segment; undefined: the stream is stalled. */
  segmentEveryMs: number | undefined;
  endList: boolean;
  masterStatus: number;
  masterBody: string | undefined;
  segmentStatus: number;
  session: number;
  requests: string[];
  /** `/live/video.m3u8`: bytes written before the client hung up, and whether it hung up early. */
  video: { sent: number; hungUp: boolean; done: Promise<void> };
}

const origin: Origin = {
  clock: 0,
  segmentEveryMs: 6000,
  endList: false,
  masterStatus: 200,
  masterBody: undefined,
  segmentStatus: 200,
  session: 0,
  requests: [],
  video: { sent: 0, hungUp: false, done: Promise.resolve() },
};

/** What a user who points the check at the video itself serves: 64 MiB of junk, no Content-Length. */
const VIDEO_BYTES = 64 * 1024 * 1024;

function serveVideo(response: import('node:http').ServerResponse): void {
  const video = { sent: 0, hungUp: false, done: Promise.resolve() };
  origin.video = video;
  response.writeHead(200, { 'content-type': 'video/mp2t' });
  const chunk = Buffer.alloc(64 * 1024, 0x47); // 0x47: an MPEG-TS sync byte, over and over
  video.done = new Promise<void>((resolve) => {
    response.once('close', () => {
      video.hungUp = video.sent < VIDEO_BYTES;
      resolve();
    });
    const write = () => {
      while (video.sent < VIDEO_BYTES && !response.destroyed) {
        video.sent += chunk.length;
        if (!response.write(chunk)) {
          response.once('drain', write);
          return;
        }
      }
      if (!response.destroyed) response.end();
    };
    write();
  });
}

let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer((request, response) => {
    const path = request.url ?? '/';
    origin.requests.push(path);
    if (path === '/live/video.m3u8') {
      serveVideo(response);
      return;
    }
    if (path === '/live/declared.m3u8') {
      response.writeHead(200, { 'content-length': String(VIDEO_BYTES) });
      response.write(Buffer.alloc(1024, 0x47));
      return; // the rest never comes: the checker must not wait for it
    }
    if (path === '/live/playlist.m3u8') {
      origin.session += 1;
      response.writeHead(origin.masterStatus, { 'content-type': 'application/vnd.apple.mpegurl' });
      response.end(
        origin.masterBody ??
          `#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-STREAM-INF:BANDWIDTH=2128000,RESOLUTION=1280x720\nchunklist_w${origin.session}.m3u8\n`,
      );
      return;
    }
    const chunklist = /^\/live\/chunklist_w(\d+)\.m3u8$/.exec(path);
    if (chunklist !== null) {
      if (Number(chunklist[1]) !== origin.session) {
        response.writeHead(404).end('session expired');
        return;
      }
      const sequence =
        1841 + (origin.segmentEveryMs === undefined ? 0 : Math.floor(origin.clock / origin.segmentEveryMs));
      const segments = [0, 1, 2]
        .map((i) => `#EXTINF:6.006,\nmedia_w${origin.session}_${sequence + i}.ts\n`)
        .join('');
      response.writeHead(200, { 'content-type': 'application/vnd.apple.mpegurl' });
      response.end(
        `#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:6\n#EXT-X-MEDIA-SEQUENCE:${sequence}\n${segments}${origin.endList ? '#EXT-X-ENDLIST\n' : ''}`,
      );
      return;
    }
    if (/^\/live\/media_w\d+_\d+\.ts$/.test(path)) {
      expect(request.headers.range).toBe('bytes=0-1023');
      response.writeHead(origin.segmentStatus, { 'content-type': 'video/mp2t' });
      response.end(Buffer.alloc(origin.segmentStatus < 300 ? 1024 : 0));
      return;
    }
    response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  Object.assign(origin, {
    clock: 0,
    segmentEveryMs: 6000,
    endList: false,
    masterStatus: 200,
    masterBody: undefined,
    segmentStatus: 200,
    requests: [],
  });
});

/** The checker's clock and sleep: sleeping moves the origin's clock, instantly. */
const deps = {
  fetch,
  now: () => origin.clock,
  sleep: async (ms: number) => {
    origin.clock += ms;
  },
};
const check = () => checkStream(`${base}/live/playlist.m3u8`, deps);

describe('checkStream against a loopback origin', () => {
  it('is healthy on a live stream whose sequence advances every target duration', async () => {
    origin.clock = 1000;
    const result = await check();
    expect(result.look).toBe('healthy');
    expect(origin.requests[0]).toBe('/live/playlist.m3u8');
    expect(origin.requests.at(-1)).toMatch(/^\/live\/media_w\d+_1844\.ts$/);
  });

  it('starts at the master playlist every time: a second check follows the new session id', async () => {
    await check();
    const firstSession = origin.session;
    const second = await check();
    expect(second.look).toBe('healthy');
    expect(origin.session).toBe(firstSession + 1);
    expect(origin.requests.filter((path) => path === '/live/playlist.m3u8')).toHaveLength(2);
  });

  it('is degraded when the sequence advances only after 1.5 target durations', async () => {
    origin.segmentEveryMs = 12_000;
    origin.clock = 1;
    const result = await check();
    expect(result.look).toBe('degraded');
  });

  it('is down when the sequence stalls for 3 target durations, after a bounded number of reads', async () => {
    origin.segmentEveryMs = undefined;
    const result = await check();
    expect(result).toEqual({
      look: 'down',
      reason: '#EXT-X-MEDIA-SEQUENCE stuck at 1841 for more than 3 x 6 s',
    });
    const reads = origin.requests.filter((path) => path.includes('chunklist')).length;
    expect(reads).toBeLessThanOrEqual(MAX_READINGS);
    expect(origin.clock).toBeGreaterThan(18_000);
    expect(origin.clock).toBeLessThan(20_000);
  });

  it('is down when the newest segment answers 404, though the playlist still advances', async () => {
    origin.segmentStatus = 404;
    expect((await check()).look).toBe('down');
  });

  it('is down when the master playlist answers 503', async () => {
    origin.masterStatus = 503;
    expect(await check()).toEqual({ look: 'down', reason: 'the playlist answered 503' });
  });

  it('is down, naming the reason, when the master playlist is an HTML error page', async () => {
    origin.masterBody = '<html>502</html>';
    const result = await check();
    expect(result.look).toBe('down');
    expect(result.reason).toMatch(/is not #EXTM3U/);
  });

  it('is off-air, after one read, when the playlist carries #EXT-X-ENDLIST', async () => {
    origin.endList = true;
    expect((await check()).look).toBe('off-air');
    expect(origin.requests.filter((path) => path.includes('chunklist'))).toHaveLength(1);
    expect(origin.clock).toBe(0);
  });

  it('reads a body of 64 MiB no further than its 512 KiB limit, aborts the request and says the playlist is too large', async () => {
    let read = 0;
    const counting: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      const reader = response.body?.getReader();
      if (reader === undefined) return response;
      const body = new ReadableStream<Uint8Array>(
        {
          async pull(controller) {
            const { done, value } = await reader.read();
            if (done) controller.close();
            else {
              read += value.byteLength;
              controller.enqueue(value);
            }
          },
          cancel: (reason) => reader.cancel(reason),
        },
        { highWaterMark: 0 },
      );
      return new Response(body, { status: response.status, headers: response.headers });
    };
    const result = await checkStream(`${base}/live/video.m3u8`, { ...deps, fetch: counting });
    // What the checker pulled: the limit and at most one more chunk, not the 64 MiB.
    expect(read).toBeGreaterThan(MAX_PLAYLIST_BYTES);
    expect(read).toBeLessThan(MAX_PLAYLIST_BYTES + 256 * 1024);
    expect(result.look).toBe('down');
    expect(result.reason).toMatch(
      /video\.m3u8 is too large for a playlist: over 524288 bytes, read no further/,
    );
    // The connection was closed long before the end: the server wrote little more than the socket buffers hold.
    await origin.video.done;
    expect(origin.video.hungUp).toBe(true);
    expect(origin.video.sent).toBeLessThan(VIDEO_BYTES / 2);
  });

  it('refuses a declared Content-Length over the limit without reading the body', async () => {
    const result = await checkStream(`${base}/live/declared.m3u8`, deps);
    expect(result.look).toBe('down');
    expect(result.reason).toMatch(/declared\.m3u8 is too large for a playlist/);
  });

  it('is down when nothing listens at the URL', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const result = await checkStream(`http://127.0.0.1:${port}/live/playlist.m3u8`, deps);
    expect(result.look).toBe('down');
    expect(result.reason).toMatch(/could not be fetched/);
  });
});

describe('metricLine', () => {
  it('writes HlsStatus as an Embedded Metric Format line', () => {
    expect(JSON.parse(metricLine('lobby-cam', 'degraded', 'slow', 1_700_000_000_000))).toEqual({
      _aws: {
        Timestamp: 1_700_000_000_000,
        CloudWatchMetrics: [
          {
            Namespace: 'ec2led/Checks',
            Dimensions: [['Check']],
            Metrics: [{ Name: 'HlsStatus', Unit: 'None' }],
          },
        ],
      },
      Check: 'lobby-cam',
      HlsStatus: 1,
      look: 'degraded',
      reason: 'slow',
    });
  });

  it('writes no HlsStatus when off-air, so the alarm goes to INSUFFICIENT_DATA instead of ALARM', () => {
    const line = JSON.parse(metricLine('lobby-cam', 'off-air', 'ended', 0));
    expect(line.HlsStatus).toBeUndefined();
    expect(line.HlsOffAir).toBe(1);
    expect(line._aws.CloudWatchMetrics[0].Metrics).toEqual([{ Name: 'HlsOffAir', Unit: 'None' }]);
  });
});
