/**
 * The web board: a page that shows the LED board as it is now, with a live legend (which pixel is
 * which instance) and an identify action that blinks one pixel on the physical board.
 *
 * node:http only (no framework: the Pi install is a budget). Routes:
 *   GET  /, /app.js, /style.css  the page, served from memory (device/outputs/web/public/)
 *   GET  /api/board              the Legend as JSON (picture/legend.ts is the schema)
 *   GET  /api/kinds              the colour key: kinds, their states, colours and looks (key.ts)
 *   GET  /api/events             Server-Sent Events: the board on connect and after every notify()
 *   POST /api/identify           {"x", "y"} -> 202, and onIdentify is called
 *   POST /api/attention          acknowledge / snooze / unsnooze (attention-request.ts) -> 200 with
 *                                what the agent did, 422 with why it did nothing; only with onAttention
 *   GET  /metrics                Prometheus text format, only when `metrics` is given
 * Anything else is 404, a known path with another method 405. With `board: false` the listener
 * serves /metrics alone: the page and /api/* are 404. See docs/web-board.md.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AttentionReply } from '../../picture/attention.ts';
import { type Legend, legendToWire } from '../../picture/legend.ts';
import type { Palette } from '../../picture/palette.ts';
import { METRICS_CONTENT_TYPE } from '../metrics/exposition.ts';
import {
  type AttentionRequest,
  MAX_ATTENTION_REQUEST_BYTES,
  parseAttentionRequest,
} from './attention-request.ts';
import { type LogFn, SseHub } from './events.ts';
import {
  isHostAllowed,
  isSameOrigin,
  readBody,
  readBodyWithin,
  sendError,
  sendJson,
  setSecurityHeaders,
} from './http.ts';
import { type PixelTarget, parseIdentify } from './identify.ts';
import { colourKey } from './key.ts';

export type { LogFn } from './events.ts';
export type { PixelTarget } from './identify.ts';

export interface WebBoardOptions {
  /**
   * Address to listen on. Default '127.0.0.1': only this machine (or an SSH tunnel) can see the
   * board, and the Host header is checked against DNS rebinding. '0.0.0.0' shows it to the whole
   * LAN, with no authentication: anyone there can see instance names and blink pixels.
   */
  readonly host?: string;
  /** TCP port. Default 8080; 0 picks a free one (read it from `url`). */
  readonly port?: number;
  /** The board as it is now; called per request and per broadcast, so it should be cheap. */
  readonly view: () => Legend;
  /** Blink this pixel on the physical board. Called after validation; a rejection is logged. */
  readonly onIdentify: (target: PixelTarget) => void | Promise<void>;
  /** Acknowledge, snooze or unsnooze (the detail panel's buttons); default none: 404. */
  readonly onAttention?: (request: AttentionRequest) => AttentionReply;
  /** How long a POST's body may take to arrive; default REQUEST_TIMEOUT_MS (10 s). */
  readonly requestTimeoutMs?: number;
  /**
   * Serve the page and /api/*. Default true. False leaves a listener for `/metrics` alone, for a
   * scraper that should not see instance names or blink pixels.
   */
  readonly board?: boolean;
  /** The colours of the board, for the colour key (`GET /api/kinds`). Default the default palette. */
  readonly palette?: Palette;
  /** The body of `GET /metrics` (Prometheus text format 0.0.4), called per scrape. Default none: 404. */
  readonly metrics?: () => string;
  readonly log?: LogFn;
}

export interface WebBoard {
  /** Where the board listens, e.g. `http://127.0.0.1:8080/`. */
  readonly url: string;
  /** The board changed: push it to every open page (coalesced, at most 20 events a second). */
  notify(): void;
  /** Ends every stream and stops listening. Idempotent. */
  close(): Promise<void>;
}

/** Largest identify body accepted; `{"x":15,"y":15}` is 15 bytes. */
const MAX_BODY_BYTES = 1024;
/** Open pages at once; each holds a socket and gets every broadcast. */
const MAX_SSE_CLIENTS = 32;
const MIN_EVENT_INTERVAL_MS = 50;
/** How long a client may take to send a whole request (headers and body): a slow POST is cut off. */
export const REQUEST_TIMEOUT_MS = 10_000;
const HEARTBEAT_MS = 15_000;

const STATIC_FILES = [
  { path: '/', file: 'index.html', type: 'text/html; charset=utf-8' },
  { path: '/app.js', file: 'app.js', type: 'text/javascript; charset=utf-8' },
  { path: '/style.css', file: 'style.css', type: 'text/css; charset=utf-8' },
] as const;

interface StaticFile {
  readonly type: string;
  readonly body: Buffer;
}

/**
 * Where the page's files are: beside this module in the sources, and in `dist/public` when this
 * module was bundled into `dist/cli.mjs` or a chunk under `dist/chunks/` (scripts/build.ts).
 */
function publicDir(): URL {
  const candidates = [new URL('./public/', import.meta.url), new URL('../public/', import.meta.url)];
  return candidates.find((dir) => existsSync(new URL('index.html', dir))) ?? (candidates[0] as URL);
}

async function loadStatic(): Promise<Map<string, StaticFile>> {
  const dir = publicDir();
  const entries = await Promise.all(
    STATIC_FILES.map(async ({ path, file, type }) => {
      const body = await readFile(new URL(file, dir));
      return [path, { type, body }] as const;
    }),
  );
  return new Map(entries);
}

function checkOptions(host: string, port: number): void {
  if (host.trim() === '')
    throw new Error('web.host is empty; use 127.0.0.1 (default) or 0.0.0.0 for the LAN');
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new Error(`web.port ${port} is not a TCP port 0-65535; use 8080 (default) or 0 for any free port`);
  }
}

export async function startWebBoard(options: WebBoardOptions): Promise<WebBoard> {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 8080;
  const log: LogFn = options.log ?? (() => {});
  const serveBoard = options.board ?? true;
  const { metrics } = options;
  checkOptions(host, port);
  const files = await loadStatic();
  const key = colourKey(options.palette);
  const hub = new SseHub({
    snapshot: () => JSON.stringify(legendToWire(options.view())),
    maxClients: MAX_SSE_CLIENTS,
    minIntervalMs: MIN_EVENT_INTERVAL_MS,
    heartbeatMs: HEARTBEAT_MS,
    log,
  });

  const identify = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (!isSameOrigin(req.headers.origin, req.headers.host)) {
      return sendError(res, 403, 'cross-origin request refused');
    }
    if (!/^application\/json\s*(;|$)/i.test(req.headers['content-type'] ?? '')) {
      return sendError(res, 415, 'send the body as Content-Type: application/json');
    }
    const body = await readBody(req, MAX_BODY_BYTES);
    if (!body.ok) {
      return sendError(res, 413, `body larger than ${MAX_BODY_BYTES} bytes; send {"x": ..., "y": ...}`, {
        Connection: 'close',
      });
    }
    const parsed = parseIdentify(body.text, options.view());
    if (!parsed.ok) return sendError(res, 400, parsed.reason);
    sendJson(res, 202, { identify: parsed.target });
    try {
      await options.onIdentify(parsed.target);
    } catch (error) {
      log('warn', 'web board: identify failed', { ...parsed.target, error: (error as Error).message });
    }
  };

  /** Same checks as identify: same origin, JSON, bounded body; then the agent decides. */
  const attention = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const onAttention = options.onAttention;
    if (onAttention === undefined) return sendError(res, 404, 'no such page: /api/attention');
    if (!isSameOrigin(req.headers.origin, req.headers.host)) {
      return sendError(res, 403, 'cross-origin request refused');
    }
    if (!/^application\/json\s*(;|$)/i.test(req.headers['content-type'] ?? '')) {
      return sendError(res, 415, 'send the body as Content-Type: application/json');
    }
    const timeoutMs = options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS;
    const body = await readBodyWithin(req, MAX_ATTENTION_REQUEST_BYTES, timeoutMs);
    if (!body.ok && 'timedOut' in body) {
      sendError(res, 408, `the body did not arrive within ${timeoutMs} ms; send it at once`, {
        Connection: 'close',
      });
      req.destroy();
      return;
    }
    if (!body.ok) {
      return sendError(res, 413, `body larger than ${MAX_ATTENTION_REQUEST_BYTES} bytes`, {
        Connection: 'close',
      });
    }
    const parsed = parseAttentionRequest(body.text);
    if (!parsed.ok) return sendError(res, 400, parsed.reason);
    const done = onAttention(parsed.request);
    if (!done.ok) return sendError(res, 422, done.reason);
    sendJson(res, 200, { message: done.message, ids: done.ids });
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    setSecurityHeaders(res);
    if (!isHostAllowed(req.headers.host, host)) {
      return sendError(res, 403, 'Host header not allowed: open the board as http://127.0.0.1 or localhost');
    }
    const path = new URL(req.url ?? '/', 'http://board.invalid').pathname;
    const method = req.method ?? 'GET';
    const get = method === 'GET' || method === 'HEAD';
    if (path === '/metrics' && metrics !== undefined) {
      if (!get) return sendError(res, 405, `${method} not allowed on ${path}`, { Allow: 'GET, HEAD' });
      const body = Buffer.from(metrics(), 'utf8');
      res.writeHead(200, {
        'Content-Type': METRICS_CONTENT_TYPE,
        'Content-Length': body.length,
        'Cache-Control': 'no-store',
      });
      res.end(method === 'HEAD' ? undefined : body);
      return;
    }
    if (!serveBoard) return sendError(res, 404, `no such page: ${path}; this listener serves /metrics only`);
    const file = files.get(path);
    if (file !== undefined || path === '/api/board' || path === '/api/kinds') {
      if (!get) return sendError(res, 405, `${method} not allowed on ${path}`, { Allow: 'GET, HEAD' });
      if (path === '/api/kinds') return sendJson(res, 200, key);
      if (file === undefined) return sendJson(res, 200, legendToWire(options.view()));
      res.writeHead(200, {
        'Content-Type': file.type,
        'Content-Length': file.body.length,
        'Cache-Control': 'no-cache',
      });
      res.end(method === 'HEAD' ? undefined : file.body);
      return;
    }
    if (path === '/api/events') {
      if (method !== 'GET') return sendError(res, 405, `${method} not allowed on ${path}`, { Allow: 'GET' });
      if (hub.add(req, res)) return;
      return sendError(res, 503, `too many open boards (${MAX_SSE_CLIENTS}); close a tab and retry`, {
        'Retry-After': '10',
      });
    }
    if (path === '/api/attention') {
      if (method !== 'POST')
        return sendError(res, 405, `${method} not allowed on ${path}`, { Allow: 'POST' });
      return attention(req, res);
    }
    if (path === '/api/identify') {
      if (method !== 'POST')
        return sendError(res, 405, `${method} not allowed on ${path}`, { Allow: 'POST' });
      return identify(req, res);
    }
    sendError(res, 404, `no such page: ${path}`);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      log('error', 'web board: request failed', { path: req.url, error: (error as Error).message });
      if (!res.headersSent) sendError(res, 500, 'internal error; see the agent log');
      else res.destroy();
    });
  });

  // Node's own bound on every request (checked every 30 s); the attention POST has its own, exact one.
  server.requestTimeout = REQUEST_TIMEOUT_MS;
  server.headersTimeout = REQUEST_TIMEOUT_MS;
  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      reject(
        new Error(
          `web board could not listen on ${host}:${port} (${error.code ?? error.message}); ` +
            'set web.port to a free port, or web.host to an address of this machine',
          { cause: error },
        ),
      );
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}/`;
  if (serveBoard) log('info', 'web board listening', { url, metrics: metrics !== undefined });
  else log('info', 'metrics listening', { url: new URL('metrics', url).href });

  let closing: Promise<void> | undefined;
  return {
    url,
    notify: () => hub.notify(),
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        hub.close();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
