/**
 * Desk probes against loopback servers: HTTP up, down and string match, TCP open and refused, HLS
 * through the shared checker (an ended stream is off-air, not down); the runner reports transitions
 * only, and hands over its whole slice once every probe has a result; an EC2 relist never touches it.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { type AddressInfo, createServer as createTcpServer } from 'node:net';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Change, Snapshot } from '../../../device/fleet/item.ts';
import { initialSyncState, type SyncState, step } from '../../../device/fleet/sync.ts';
import { createProbeRunner, parseProbeUrl, runProbe } from '../../../device/sources/probes.ts';
import { makeTestPki, type TestPki } from '../../fakes/certs.ts';
import { waitFor } from '../../fakes/wait.ts';
import { ROOT } from '../../source-tree.ts';

let http: Server;
let base = '';
let healthy = true;
/** `/video.m3u8`: bytes written before the probe hung up, and whether the response has closed. */
const video = { sent: 0, closed: false };
const VIDEO_BYTES = 64 * 1024 * 1024;

beforeAll(async () => {
  http = createHttpServer((req, res) => {
    if (req.url === '/health') {
      res.writeHead(healthy ? 200 : 503, { 'content-type': 'text/plain' });
      res.end(healthy ? 'All systems go' : 'down for maintenance');
    } else if (req.url === '/video.m3u8') {
      // An HLS probe pointed at the video rather than its playlist: 64 MiB, no Content-Length.
      Object.assign(video, { sent: 0, closed: false });
      res.once('close', () => {
        video.closed = true;
      });
      res.writeHead(200, { 'content-type': 'video/mp2t' });
      const chunk = Buffer.alloc(64 * 1024, 0x47);
      const write = () => {
        while (video.sent < VIDEO_BYTES && !res.destroyed) {
          video.sent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', write);
        }
        if (!res.destroyed) res.end();
      };
      write();
    } else if (req.url === '/moved') {
      res.writeHead(302, { location: '/elsewhere' });
      res.end();
    } else if (req.url === '/ended.m3u8') {
      res.writeHead(200, { 'content-type': 'application/vnd.apple.mpegurl' });
      res.end(
        '#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:7\n#EXTINF:2.0,\nseg7.ts\n#EXT-X-ENDLIST\n',
      );
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
});

afterAll(async () => {
  http.closeAllConnections();
  await new Promise((resolve) => http.close(resolve));
});

const probe = (url: string, match?: string) => ({ name: 'p', url, intervalSeconds: 60, match });

describe('probe URLs', () => {
  it('reads the four forms and refuses anything else', () => {
    expect(parseProbeUrl('https://www.example.com/health')).toEqual({
      type: 'http',
      url: 'https://www.example.com/health',
    });
    expect(parseProbeUrl('tcp://db.example.com:5432')).toEqual({
      type: 'tcp',
      host: 'db.example.com',
      port: 5432,
    });
    expect(parseProbeUrl('hls:https://cdn.example.com/live.m3u8')).toEqual({
      type: 'hls',
      url: 'https://cdn.example.com/live.m3u8',
    });
    for (const bad of ['ftp://x/', 'tcp://host', 'tcp://host:0', 'hls:ftp://x/', 'not a url'])
      expect(parseProbeUrl(bad), bad).toBeUndefined();
  });
});

describe('runProbe', () => {
  it('HTTP: up on 2xx and 3xx, down on 5xx, with the status as the reason', async () => {
    healthy = true;
    expect(await runProbe(probe(`${base}/health`))).toEqual({ state: 'up', reason: 'answered 200' });
    expect((await runProbe(probe(`${base}/moved`))).state).toBe('up');
    healthy = false;
    expect(await runProbe(probe(`${base}/health`))).toEqual({ state: 'down', reason: 'answered 503' });
    healthy = true;
  });

  it('HTTP with match: down when the page lacks the text', async () => {
    expect((await runProbe(probe(`${base}/health`, 'All systems go'))).state).toBe('up');
    const missing = await runProbe(probe(`${base}/health`, 'Everything is fine'));
    expect(missing.state).toBe('down');
    expect(missing.reason).toMatch(/without "Everything is fine" in its first 5120 bytes/);
  });

  it('TCP: up when a connection opens, down when refused', async () => {
    const tcp = createTcpServer((socket) => socket.end());
    await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', resolve));
    const port = (tcp.address() as AddressInfo).port;
    expect((await runProbe(probe(`tcp://127.0.0.1:${port}`))).state).toBe('up');
    await new Promise((resolve) => tcp.close(resolve));
    const refused = await runProbe(probe(`tcp://127.0.0.1:${port}`));
    expect(refused.state).toBe('down');
    expect(refused.reason).toMatch(/ECONNREFUSED/);
  });

  it('HLS: an ended stream is off-air through the shared checker; a missing playlist is down', async () => {
    expect((await runProbe(probe(`hls:${base}/ended.m3u8`))).state).toBe('off-air');
    expect((await runProbe(probe(`hls:${base}/missing.m3u8`))).state).toBe('down');
  });
});

describe('runProbe against a hostile or broken server', () => {
  it('HLS: a 64 MiB body is refused as too large once 512 KiB are read, and the request is aborted', async () => {
    const result = await runProbe(probe(`hls:${base}/video.m3u8`));
    expect(result.state).toBe('down');
    expect(result.reason).toMatch(
      /video\.m3u8 is too large for a playlist: over 524288 bytes, read no further/,
    );
    await waitFor('the server to see the probe hang up', () => video.closed, 5_000);
    expect(video.sent).toBeLessThan(VIDEO_BYTES / 2);
  });

  describe('HTTPS with a certificate the probe must refuse', () => {
    let pki: TestPki;
    const servers: Server[] = [];
    /** An HTTPS server on 127.0.0.1 with `pair`; its base URL. */
    const serve = async (pair: { cert: string; key: string }): Promise<string> => {
      const server = createHttpsServer(
        { cert: readFileSync(pair.cert), key: readFileSync(pair.key) },
        (_req, res) => res.end('#EXTM3U\n'),
      );
      servers.push(server);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      return `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    };
    beforeAll(() => {
      pki = makeTestPki('probe-tls');
    });
    afterAll(async () => {
      for (const server of servers) {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      }
      pki.remove();
    });

    it('names the untrusted issuer instead of "fetch failed"', async () => {
      const url = await serve(pki.server);
      const result = await runProbe(probe(`${url}/health`));
      expect(result.state).toBe('down');
      expect(result.reason).toMatch(
        /^no answer: TLS certificate rejected \(UNABLE_TO_VERIFY_LEAF_SIGNATURE: .*\): the server's certificate was issued by a CA this machine does not know/,
      );
      const hls = await runProbe(probe(`hls:${url}/live.m3u8`));
      expect(hls.reason).toMatch(
        /could not be fetched: TLS certificate rejected \(UNABLE_TO_VERIFY_LEAF_SIGNATURE/,
      );
    });

    it('names a host name mismatch, in a process that trusts the CA (NODE_EXTRA_CA_CERTS)', async () => {
      const url = await serve(pki.issueServer('elsewhere', 'DNS:elsewhere.test'));
      const code = `
        const { runProbe } = await import(${JSON.stringify(`${ROOT}device/sources/probes.ts`)});
        const http = await runProbe({ name: 'p', url: ${JSON.stringify(`${url}/health`)}, intervalSeconds: 60 });
        const hls = await runProbe({ name: 'p', url: ${JSON.stringify(`hls:${url}/live.m3u8`)}, intervalSeconds: 60 });
        process.stdout.write(JSON.stringify({ http, hls }));`;
      const { stdout } = await promisify(execFile)(
        process.execPath,
        ['--import', 'tsx', '--input-type=module', '-e', code],
        { cwd: ROOT, timeout: 30_000, env: { ...process.env, NODE_EXTRA_CA_CERTS: pki.ca } },
      );
      const { http, hls } = JSON.parse(stdout) as { http: { reason: string }; hls: { reason: string } };
      expect(http.reason).toMatch(
        /^no answer: TLS certificate rejected \(ERR_TLS_CERT_ALTNAME_INVALID: Hostname\/IP does not match certificate's altnames: IP: 127\.0\.0\.1 is not in the cert's list.*\): the server's certificate is not for this host name/,
      );
      expect(hls.reason).toMatch(
        /could not be fetched: TLS certificate rejected \(ERR_TLS_CERT_ALTNAME_INVALID/,
      );
    }, 40_000);
  });
});

describe('the probe runner', () => {
  it('reports transitions only, as probe changes of the desk, and its slice once every probe has a result', async () => {
    healthy = true;
    const changes: Change[] = [];
    const slices: Snapshot[] = [];
    const runner = createProbeRunner({
      probes: [{ name: 'www', url: `${base}/health`, intervalSeconds: 10 }],
      onChange: (change) => changes.push(change),
      onSlice: (snapshot) => slices.push(snapshot),
      now: () => 5000,
    });
    runner.start();
    try {
      await waitFor('the first result', () => changes.length > 0 && slices.length > 0);
      expect(changes).toEqual([
        {
          kind: 'probe',
          id: 'probe:www',
          name: 'www',
          state: 'up',
          timeMs: 5000,
          region: 'desk',
          account: 'desk',
        },
      ]);
      const probe = {
        kind: 'probe',
        id: 'probe:www',
        name: 'www',
        state: 'up',
        region: 'desk',
        account: 'desk',
        tags: {},
      };
      expect(slices).toEqual([{ startedAtMs: 5000, kinds: ['probe'], items: [probe] }]);
      expect(runner.current()).toEqual([probe]);
      // The probe pixel survives an EC2 relist, which lists its own slice only.
      let state: SyncState = initialSyncState();
      state = step(state, { type: 'connected', rejoined: false, first: true }, 4000).state;
      state = step(state, { type: 'subscribed' }, 4010).state;
      state = step(state, { type: 'message', change: changes[0] as Change }, 5000).state;
      const ec2: Snapshot = { startedAtMs: 6000, kinds: ['instance'], items: [] };
      state = step(state, { type: 'listed', snapshot: ec2 }, 6100).state;
      expect(state.fleet.get('probe:www')).toMatchObject({ kind: 'probe', state: 'up', name: 'www' });
      // And the probes' slice replaces the probes only: a probe no longer configured goes.
      state = step(
        state,
        { type: 'message', change: { ...(changes[0] as Change), id: 'probe:old', name: 'old' } },
        6200,
      ).state;
      state = step(state, { type: 'slice', snapshot: slices[0] as Snapshot }, 6300).state;
      expect([...state.fleet.keys()]).toEqual(['probe:www']);
    } finally {
      await runner.stop();
    }
  });
});
