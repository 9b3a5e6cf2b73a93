/**
 * The HLS checker Lambda's handler end to end against a loopback origin that answers the playlist
 * URL with an endless body: one metric line, `down`, saying the playlist is too large, and the
 * request aborted at the limit rather than read to the end.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { handler } from '../../lambda/hls-checker.ts';

let server: Server;
let base = '';
/** Bytes written before the checker hung up; the body would never end by itself. */
let sent = 0;
let closed = false;

beforeAll(async () => {
  server = createServer((_request, response) => {
    sent = 0;
    closed = false;
    response.once('close', () => {
      closed = true;
    });
    response.writeHead(200, { 'content-type': 'video/mp2t' });
    const chunk = Buffer.alloc(64 * 1024, 0x47);
    // Endless, but bounded here too: 256 MiB is far past anything the checker may read.
    const write = () => {
      while (sent < 256 * 1024 * 1024 && !response.destroyed) {
        sent += chunk.length;
        if (!response.write(chunk)) return void response.once('drain', write);
      }
      if (!response.destroyed) response.end();
    };
    write();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('the HLS checker handler', () => {
  it('writes HlsStatus 2 "too large" for a playlist URL that serves an endless body, and hangs up', async () => {
    const lines: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      lines.push(String(chunk));
      return true;
    });
    try {
      await handler({ check: 'lobby-cam', url: `${base}/live/playlist.m3u8` });
    } finally {
      write.mockRestore();
    }
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0] as string) as { HlsStatus: number; look: string; reason: string };
    expect(line).toMatchObject({ Check: 'lobby-cam', HlsStatus: 2, look: 'down' });
    expect(line.reason).toMatch(
      /playlist\.m3u8 is too large for a playlist: over 524288 bytes, read no further/,
    );
    await vi.waitFor(() => expect(closed).toBe(true), { timeout: 5_000 });
    expect(sent).toBeLessThan(64 * 1024 * 1024);
  });
});
