/**
 * HTTP plumbing for the web board: the security headers every response carries, the DNS-rebinding
 * guard on the Host header, JSON replies and a bounded request-body reader. No decisions about the
 * board live here.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * Only our own script, style and API: no inline script or style, no framing, no forms, no foreign
 * connections. `img-src data:` is for the empty favicon (`<link rel="icon" href="data:,">`).
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export function setSecurityHeaders(res: ServerResponse): void {
  res.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
}

/** True for 127.0.0.0/8, ::1 and localhost: addresses only this machine can reach. */
export function isLoopback(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/** The hostname part of a Host header, lowercased: `[::1]:8080` -> `[::1]`, `localhost:9000` -> `localhost`. */
export function hostnameOf(hostHeader: string): string {
  const h = hostHeader.trim().toLowerCase();
  if (h.startsWith('[')) {
    const end = h.indexOf(']');
    return end === -1 ? h : h.slice(0, end + 1);
  }
  const colon = h.indexOf(':');
  return colon === -1 ? h : h.slice(0, colon);
}

/**
 * DNS-rebinding guard. A page on evil.example whose name is re-pointed at 127.0.0.1 reaches a
 * loopback server as same-origin, but its requests still carry `Host: evil.example`. When the board
 * is bound to loopback, only loopback names are accepted. The port is not compared, so an SSH tunnel
 * (`ssh -L 9000:127.0.0.1:8080 pi`, browsing http://localhost:9000) works. Bound to any other address
 * the board is meant to be reached by LAN names and addresses, and every Host is accepted.
 */
export function isHostAllowed(hostHeader: string | undefined, boundHost: string): boolean {
  if (!isLoopback(boundHost)) return true;
  if (hostHeader === undefined || hostHeader === '') return false;
  const name = hostnameOf(hostHeader);
  const bound = boundHost.includes(':') ? `[${boundHost.toLowerCase()}]` : boundHost.toLowerCase();
  return name === bound || name === 'localhost' || name === '127.0.0.1' || name === '[::1]';
}

/**
 * Cross-site request guard for POST: a browser sends Origin on every cross-origin POST. When it is
 * present it must name the same host the request was sent to. (A JSON content type is required too,
 * which a cross-origin page cannot send without a CORS preflight we never answer.)
 */
export function isSameOrigin(originHeader: string | undefined, hostHeader: string | undefined): boolean {
  if (originHeader === undefined) return true;
  if (hostHeader === undefined) return false;
  return originHeader.toLowerCase() === `http://${hostHeader.trim().toLowerCase()}`;
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Readonly<Record<string, string>> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
    ...headers,
  });
  res.end(text);
}

export function sendError(
  res: ServerResponse,
  status: number,
  reason: string,
  headers: Readonly<Record<string, string>> = {},
): void {
  sendJson(res, status, { error: reason }, headers);
}

export type BodyResult = { readonly ok: true; readonly text: string } | { readonly ok: false };

/**
 * Reads the request body as UTF-8, or gives up as soon as it exceeds `limit` bytes (by the declared
 * Content-Length or by what arrived). The caller then answers 413 and the connection is closed.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<BodyResult> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) return Promise.resolve({ ok: false });
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.off('data', onData);
        req.off('end', onEnd);
        resolve({ ok: false });
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => resolve({ ok: true, text: Buffer.concat(chunks).toString('utf8') });
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', reject);
  });
}

/**
 * `readBody`, given at most `timeoutMs` from now: a client that sends its body slower than that
 * (a slowloris) gets `{ ok: false, timedOut: true }`, and the caller answers 408 and closes.
 */
export async function readBodyWithin(
  req: IncomingMessage,
  limit: number,
  timeoutMs: number,
): Promise<BodyResult | { readonly ok: false; readonly timedOut: true }> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<{ ok: false; timedOut: true }>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, timedOut: true }), timeoutMs);
  });
  try {
    return await Promise.race([readBody(req, limit), late]);
  } finally {
    clearTimeout(timer);
  }
}
