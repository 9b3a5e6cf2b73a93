/**
 * `POST /api/attention` on the web board, without a browser: what reaches the agent, and a body that
 * trickles in is cut off at the request timeout (408, connection closed) instead of holding a socket.
 */
import { connect } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { AttentionRequest } from '../../../../device/outputs/web/attention-request.ts';
import { startWebBoard, type WebBoard } from '../../../../device/outputs/web/server.ts';
import { emptyLegend } from '../../../../device/picture/legend.ts';

let board: WebBoard;
const received: AttentionRequest[] = [];

beforeAll(async () => {
  board = await startWebBoard({
    port: 0,
    view: () => emptyLegend(2, 2),
    onIdentify: () => undefined,
    onAttention: (request) => {
      received.push(request);
      return { ok: true, ids: ['probe:www'], message: 'snoozed "www" (probe:www)' };
    },
    requestTimeoutMs: 300,
  });
});

afterAll(async () => {
  await board?.close();
});

it('hands a well-formed request to the agent and answers with what it did', async () => {
  const res = await fetch(`${board.url}api/attention`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ action: 'snooze', target: { kind: 'probe' }, durationMs: 1_800_000 }),
  });
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual({ message: 'snoozed "www" (probe:www)', ids: ['probe:www'] });
  expect(received).toEqual([{ action: 'snooze', target: { kind: 'probe' }, durationMs: 1_800_000 }]);
  expect((await fetch(`${board.url}api/attention`)).status).toBe(405);
});

it('cuts off a body that trickles in, with 408, and closes the connection', async () => {
  const { port } = new URL(board.url);
  const socket = connect(Number(port), '127.0.0.1');
  const startedAt = Date.now();
  const answer = await new Promise<string>((resolve, reject) => {
    let text = '';
    socket.on('data', (chunk) => {
      text += chunk.toString('utf8');
    });
    socket.on('close', () => resolve(text));
    socket.on('error', reject);
    socket.write(
      `POST /api/attention HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\nContent-Length: 60\r\n\r\n{"act`,
    );
    setTimeout(() => reject(new Error('not cut off within 3 s')), 3_000).unref();
  });
  expect(answer).toMatch(/^HTTP\/1\.1 408 /);
  expect(answer).toContain('did not arrive within 300 ms');
  expect(Date.now() - startedAt).toBeLessThan(2_000);
  expect(received).toHaveLength(1); // nothing more reached the agent
});
