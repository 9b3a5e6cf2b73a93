/** The web board over HTTP on 127.0.0.1: routes, headers, the Host guard, identify and the event stream. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { KIND_NAMES } from '../../../../device/kinds/kinds.ts';
import { CONTENT_SECURITY_POLICY } from '../../../../device/outputs/web/http.ts';
import { type ColourKey, colourKey } from '../../../../device/outputs/web/key.ts';
import { startWebBoard, type WebBoard } from '../../../../device/outputs/web/server.ts';
import type { Legend } from '../../../../device/picture/legend.ts';
import { parsePalette } from '../../../../device/picture/palette.ts';
import { openStream, rawRequest, type SseStream } from './client.ts';
import { boardOf, COLORS, instance, ViewHolder } from './views.ts';

const SINCE = 1_764_000_000_000;
const first = instance('i-0123456789abcdef0', 'web-1', 'running', SINCE);
const second = instance('i-0fedcba9876543210', 'db-1', 'stopped', SINCE - 60_000, 'us-east-1');
const views = new ViewHolder(boardOf(8, 4, [first, second], { overflow: 2 }));
const identified: Array<{ x: number; y: number }> = [];
const logged: string[] = [];
let board: WebBoard;
let failIdentify = false;

beforeAll(async () => {
  board = await startWebBoard({
    port: 0,
    view: views.view,
    onIdentify: async (target) => {
      identified.push(target);
      if (failIdentify) throw new Error('display closed');
    },
    log: (level, msg) => logged.push(`${level} ${msg}`),
  });
});

afterAll(() => board?.close());

beforeEach(() => {
  views.current = boardOf(8, 4, [first, second], { overflow: 2 });
  identified.length = 0;
  failIdentify = false;
});

const get = (path: string, init?: RequestInit) => fetch(new URL(path, board.url), init);
const identify = (body: string, headers: Record<string, string> = {}) =>
  get('/api/identify', { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body });

describe('web board HTTP API', () => {
  it('listens on 127.0.0.1 by default and reports its url', () => {
    expect(board.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
  });

  it('serves the board as exactly the Legend schema, leaving out fields the core may add', async () => {
    const extra = { ...views.current, secret: 1 } as Legend;
    views.current = {
      ...extra,
      pixels: extra.pixels.map((p) => (p.entry ? { ...p, entry: { ...p.entry, tags: { a: 'b' } } } : p)),
    };
    const res = await get('/api/board');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = (await res.json()) as Legend;
    expect(Object.keys(body)).toEqual(['width', 'height', 'connected', 'synced', 'overflow', 'pixels']);
    expect(body).toMatchObject({ width: 8, height: 4, connected: true, synced: true, overflow: 2 });
    expect(body.pixels).toHaveLength(32);
    expect(body.pixels[0]).toEqual({ x: 0, y: 0, color: COLORS.running, entry: first });
    expect(body.pixels[1]).toEqual({ x: 1, y: 0, color: COLORS.stopped, entry: second });
    expect(body.pixels[9]).toEqual({ x: 1, y: 1, color: '#000000', entry: null });
  });

  it('serves the colour key: every kind of kinds.ts, its states, colours and looks', async () => {
    const res = await get('/api/kinds');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const key = (await res.json()) as ColourKey;
    expect(key).toEqual(colourKey());
    expect(key.kinds.map((k) => k.kind)).toEqual(KIND_NAMES);
    const alarm = key.kinds.find((k) => k.kind === 'alarm');
    expect(alarm?.states).toEqual([
      { state: 'OK', color: '#008060', look: 'steady' },
      // Acknowledged or snoozed: steady at 40% (picture/animate.ts QUIET_LEVEL).
      { state: 'ALARM', color: '#ff0080', look: 'flashing', urgent: true, quietColor: '#660033' },
      { state: 'INSUFFICIENT_DATA', color: '#8000ff', look: 'steady' },
    ]);
    expect(key.kinds[0]?.states.find((s) => s.state === 'pending')?.look).toBe('pulsing');
  });

  it("shows the agent's own colours in the key (config colors)", async () => {
    const parsed = parsePalette({ running: '#123456' });
    if (!parsed.ok) throw new Error('fixture: palette');
    const own = await startWebBoard({
      port: 0,
      view: views.view,
      onIdentify: () => {},
      palette: parsed.palette,
    });
    try {
      const key = (await (await fetch(new URL('/api/kinds', own.url))).json()) as ColourKey;
      expect(key.kinds[0]?.states.find((s) => s.state === 'running')?.color).toBe('#123456');
    } finally {
      await own.close();
    }
  });

  it('serves the page, script and style from memory with their content types', async () => {
    const expected = [
      ['/', 'text/html; charset=utf-8', '<script src="/app.js" defer></script>'],
      ['/app.js', 'text/javascript; charset=utf-8', "new EventSource('/api/events')"],
      ['/style.css', 'text/css; charset=utf-8', '.pixel'],
    ] as const;
    for (const [path, type, excerpt] of expected) {
      const res = await get(path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type'), path).toBe(type);
      expect(await res.text(), path).toContain(excerpt);
    }
    const head = await get('/app.js', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });

  it('sends the CSP and nosniff on every response, errors included', async () => {
    for (const [path, method] of [
      ['/', 'GET'],
      ['/app.js', 'GET'],
      ['/api/board', 'GET'],
      ['/nowhere', 'GET'],
      ['/api/board', 'DELETE'],
    ] as const) {
      const res = await get(path, { method });
      await res.body?.cancel();
      expect(res.headers.get('content-security-policy'), `${method} ${path}`).toBe(CONTENT_SECURITY_POLICY);
      expect(res.headers.get('x-content-type-options'), `${method} ${path}`).toBe('nosniff');
    }
    const events = await rawRequest(board.url, '/api/events', { headers: { Host: '127.0.0.1' } });
    expect(events.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(events.headers['cache-control']).toBe('no-store');
    expect(events.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
    expect(events.headers['x-content-type-options']).toBe('nosniff');
    expect(CONTENT_SECURITY_POLICY).toBe(
      "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; " +
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    );
  });

  it('answers 404 for unknown paths, public/ internals included', async () => {
    for (const path of ['/nowhere', '/api', '/api/boards', '/index.html', '/public/app.js', '/server.ts']) {
      const res = await get(path);
      expect(res.status, path).toBe(404);
      expect(await res.json(), path).toEqual({ error: `no such page: ${path}` });
    }
  });

  it('answers 405 with Allow for a known path and the wrong method', async () => {
    const cases = [
      ['/', 'POST', 'GET, HEAD'],
      ['/api/board', 'PUT', 'GET, HEAD'],
      ['/api/events', 'POST', 'GET'],
      ['/api/identify', 'GET', 'POST'],
    ] as const;
    for (const [path, method, allow] of cases) {
      const res = await get(path, { method });
      expect(res.status, `${method} ${path}`).toBe(405);
      expect(res.headers.get('allow'), `${method} ${path}`).toBe(allow);
      await res.body?.cancel();
    }
  });

  it('refuses a Host that is not a loopback name (DNS rebinding) and accepts tunnels to localhost', async () => {
    for (const host of [
      'evil.example',
      `evil.example:${new URL(board.url).port}`,
      '127.0.0.1.nip.io',
      '10.0.0.5',
    ]) {
      for (const path of ['/', '/api/board', '/api/events']) {
        const res = await rawRequest(board.url, path, { headers: { Host: host } });
        expect(res.status, `${host} ${path}`).toBe(403);
        expect(res.body).toContain('Host header not allowed');
      }
    }
    for (const host of [
      '127.0.0.1',
      `127.0.0.1:${new URL(board.url).port}`,
      'localhost:9000',
      '[::1]:8080',
    ]) {
      expect((await rawRequest(board.url, '/api/board', { headers: { Host: host } })).status, host).toBe(200);
    }
  });

  it('accepts an identify request for a pixel of the board and passes x,y to the agent', async () => {
    const res = await identify('{"x": 7, "y": 3}');
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ identify: { x: 7, y: 3 } });
    expect(identified).toEqual([{ x: 7, y: 3 }]);
  });

  it('rejects an identify body that is not {x, y} inside the board, with a reason', async () => {
    const cases = [
      ['{"x": 1', 'body is not JSON'],
      ['[1, 2]', 'body must be a JSON object'],
      ['{"x": 8, "y": 0}', 'x must be an integer from 0 to 7, got 8 (the board is 8x4)'],
      ['{"x": 0, "y": 4}', 'y must be an integer from 0 to 3, got 4'],
      ['{"x": -1, "y": 0}', 'x must be an integer from 0 to 7, got -1'],
      ['{"x": 1.5, "y": 0}', 'got 1.5'],
      ['{"x": "1", "y": 0}', 'got "1"'],
      ['{"x": 1}', 'y must be an integer from 0 to 3, got nothing'],
      ['{"x": 1, "y": 1, "blink": 9}', 'unexpected key "blink"'],
    ] as const;
    for (const [body, reason] of cases) {
      const res = await identify(body);
      expect(res.status, body).toBe(400);
      expect(((await res.json()) as { error: string }).error, body).toContain(reason);
    }
    expect(identified).toEqual([]);
  });

  it('refuses an identify body over 1 KB, a non-JSON content type and a cross-origin page', async () => {
    const big = await identify(JSON.stringify({ x: 1, y: 1, pad: 'x'.repeat(2000) }));
    expect(big.status).toBe(413);
    const text = await get('/api/identify', {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain' },
      body: '{"x":1,"y":1}',
    });
    expect(text.status).toBe(415);
    const cross = await identify('{"x":1,"y":1}', { Origin: 'http://evil.example' });
    expect(cross.status).toBe(403);
    const same = await identify('{"x":1,"y":1}', { Origin: new URL(board.url).origin });
    expect(same.status).toBe(202);
    expect(identified).toEqual([{ x: 1, y: 1 }]);
  });

  it('still answers 202 when the agent fails to blink, and logs the failure', async () => {
    failIdentify = true;
    expect((await identify('{"x":0,"y":0}')).status).toBe(202);
    await expect.poll(() => logged).toContain('warn web board: identify failed');
  });

  it('rejects a bad port and a port in use with the fix in the message', async () => {
    await expect(startWebBoard({ port: 70_000, view: views.view, onIdentify: () => {} })).rejects.toThrow(
      /web\.port 70000 is not a TCP port/,
    );
    const port = Number(new URL(board.url).port);
    await expect(startWebBoard({ port, view: views.view, onIdentify: () => {} })).rejects.toThrow(
      /could not listen on 127\.0\.0\.1:\d+ \(EADDRINUSE\); set web\.port/,
    );
  });
});

describe('web board event stream', () => {
  const open: SseStream[] = [];
  const stream = async () => {
    const s = await openStream(board.url);
    open.push(s);
    return s;
  };
  afterAll(() => {
    for (const s of open) s.close();
  });

  it('sends the board on connect and again after notify()', async () => {
    const s = await stream();
    expect(s.status).toBe(200);
    const initial = await s.next();
    expect(initial.event).toBe('board');
    expect(JSON.parse(initial.data)).toEqual(await (await get('/api/board')).json());
    views.current = boardOf(8, 4, [{ ...first, state: 'stopping' }], { connected: false });
    board.notify();
    const changed = JSON.parse((await s.next()).data) as Legend;
    expect(changed.connected).toBe(false);
    expect(changed.pixels[0]?.entry?.state).toBe('stopping');
    s.close();
  });

  it('coalesces a burst of notify() calls into one event with the latest board', async () => {
    const s = await stream();
    await s.next();
    for (let i = 1; i <= 10; i++) {
      views.current = boardOf(8, 4, [first], { overflow: i });
      board.notify();
    }
    expect((JSON.parse((await s.next()).data) as Legend).overflow).toBe(10);
    expect(await s.nextWithin(300)).toBeUndefined();
    s.close();
  });

  it('refuses the 33rd open stream with 503 and frees a slot when a page goes away', async () => {
    for (const s of open) s.close();
    const streams = await Promise.all(Array.from({ length: 32 }, () => stream()));
    await Promise.all(streams.map((s) => s.next()));
    const refused = await openStream(board.url);
    expect(refused.status).toBe(503);
    streams[0]?.close();
    await expect
      .poll(
        async () => {
          const retry = await stream();
          return retry.status;
        },
        { timeout: 3_000, interval: 50 },
      )
      .toBe(200);
  });

  it('ends open streams on close() and stops listening', async () => {
    const own = await startWebBoard({ port: 0, view: views.view, onIdentify: () => {} });
    const s = await openStream(own.url);
    await s.next();
    await own.close();
    await s.ended();
    await expect(fetch(new URL('/api/board', own.url))).rejects.toThrow();
    await own.close(); // idempotent
  });
});
