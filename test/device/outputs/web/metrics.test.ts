/**
 * `/metrics` on the web board's listener, over HTTP on 127.0.0.1: served only when asked for, with
 * the Prometheus content type, behind the same Host guard as the board, and alone on a listener whose
 * board is off.
 */
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { afterEach, describe, expect, it } from 'vitest';
import { renderExposition } from '../../../../device/outputs/metrics/exposition.ts';
import { startWebBoard, type WebBoard } from '../../../../device/outputs/web/server.ts';
import { rawRequest } from './client.ts';
import { boardOf, instance } from './views.ts';

const VIEW = boardOf(4, 2, [instance('i-0123456789abcdef0', 'web-1', 'running', 1_764_000_000_000)]);
let scrapes = 0;
const metrics = (): string => {
  scrapes += 1;
  return renderExposition([
    { name: 'scrapes_total', help: 'Scrapes so far.', type: 'counter', samples: [{ value: scrapes }] },
  ]);
};

let board: WebBoard | undefined;

async function start(options: { board?: boolean; metrics?: () => string } = {}): Promise<WebBoard> {
  board = await startWebBoard({ port: 0, view: () => VIEW, onIdentify: () => undefined, ...options });
  return board;
}

afterEach(async () => {
  await board?.close();
  board = undefined;
});

describe('/metrics on the web board listener', () => {
  it('is 404 when metrics are off (the default), like any unknown path', async () => {
    const b = await start();
    const res = await fetch(new URL('/metrics', b.url));
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: 'no such page: /metrics' });
  });

  it('serves Prometheus text format 0.0.4 on 127.0.0.1, fresh on every scrape', async () => {
    const b = await start({ metrics });
    expect(b.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const first = await fetch(new URL('/metrics', b.url));
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(first.headers.get('cache-control')).toBe('no-store');
    const before = Number(parsePrometheusTextFormat(await first.text())[0]?.metrics[0]?.value);
    const second = parsePrometheusTextFormat(await (await fetch(new URL('/metrics', b.url))).text());
    expect(second).toEqual([
      {
        name: 'scrapes_total',
        help: 'Scrapes so far.',
        type: 'COUNTER',
        metrics: [{ value: String(before + 1) }],
      },
    ]);
  });

  it('answers HEAD without a body, and 405 to another method', async () => {
    const b = await start({ metrics });
    const head = await rawRequest(b.url, '/metrics', { method: 'HEAD', headers: { Host: '127.0.0.1' } });
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
    const post = await fetch(new URL('/metrics', b.url), { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
  });

  it('refuses a foreign Host header on a loopback listener (DNS rebinding), as for the board', async () => {
    const b = await start({ metrics });
    const foreign = await rawRequest(b.url, '/metrics', { headers: { Host: 'attacker.example:80' } });
    expect(foreign.status).toBe(403);
    const local = await rawRequest(b.url, '/metrics', { headers: { Host: 'localhost:9100' } });
    expect(local.status).toBe(200);
  });

  it('with the board off, serves /metrics alone: the page and the API are 404', async () => {
    const b = await start({ board: false, metrics });
    expect((await fetch(new URL('/metrics', b.url))).status).toBe(200);
    for (const path of ['/', '/app.js', '/api/board', '/api/events']) {
      const res = await fetch(new URL(path, b.url));
      expect(res.status, path).toBe(404);
      expect(await res.json(), path).toEqual({
        error: `no such page: ${path}; this listener serves /metrics only`,
      });
    }
    const identify = await fetch(new URL('/api/identify', b.url), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{"x":0,"y":0}',
    });
    expect(identify.status).toBe(404);
  });
});
