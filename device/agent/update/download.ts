/**
 * Downloads an update package over https into a file, bounded in bytes and time: at most `maxBytes`
 * (the document's signed size), within `totalMs` overall and never `idleMs` without a byte. The
 * SHA-256 is computed while writing. No redirect is followed (a pre-signed S3 URL answers itself).
 * On any failure the partial file is removed and the error names what happened and the limit.
 */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { request } from 'node:https';

/** A 28 MB package over a slow Wi-Fi link fits well inside; the job's own timeout is longer. */
export const DOWNLOAD_TOTAL_MS = 10 * 60_000;
/** A link that sends nothing for this long is dead. */
export const DOWNLOAD_IDLE_MS = 30_000;

export interface DownloadOptions {
  readonly url: string;
  readonly file: string;
  readonly maxBytes: number;
  /** Default DOWNLOAD_TOTAL_MS. */
  readonly totalMs?: number;
  /** Default DOWNLOAD_IDLE_MS. */
  readonly idleMs?: number;
  /** Extra trust anchors (tests: a loopback server's CA); default the system's. */
  readonly ca?: string | Buffer;
  readonly signal?: AbortSignal;
}

/** Host and path without the query (a pre-signed URL's query is a credential: never log it). */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return '(not a URL)';
  }
}

export function download(options: DownloadOptions): Promise<{ size: number; sha256: string }> {
  const totalMs = options.totalMs ?? DOWNLOAD_TOTAL_MS;
  const idleMs = options.idleMs ?? DOWNLOAD_IDLE_MS;
  const where = redactUrl(options.url);
  return new Promise((resolve, reject) => {
    const out = createWriteStream(options.file, { mode: 0o600 });
    const hash = createHash('sha256');
    let size = 0;
    let settled = false;
    const fail = (message: string, cause?: unknown): void => {
      if (settled) return;
      settled = true;
      clearTimeout(total);
      req.destroy();
      out.destroy();
      void rm(options.file, { force: true }).finally(() =>
        reject(new Error(`download of ${where} failed: ${message}`, { cause })),
      );
    };
    const total = setTimeout(() => fail(`not done within ${totalMs} ms`), totalMs);
    const req = request(options.url, { ...(options.ca === undefined ? {} : { ca: options.ca }) }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        fail(`HTTP ${res.statusCode}; a pre-signed URL expires: retry the job (ec2led device update)`);
        return;
      }
      const length = Number(res.headers['content-length']);
      if (Number.isFinite(length) && length > options.maxBytes) {
        fail(`Content-Length ${length} is over the signed size ${options.maxBytes}`);
        return;
      }
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > options.maxBytes) {
          fail(`more than the signed size of ${options.maxBytes} bytes`);
          return;
        }
        hash.update(chunk);
        if (!out.write(chunk)) {
          res.pause();
          out.once('drain', () => res.resume());
        }
      });
      res.on('error', (error) => fail(error.message, error));
      res.on('end', () => {
        if (settled) return;
        out.end(() => {
          if (settled) return;
          settled = true;
          clearTimeout(total);
          resolve({ size, sha256: hash.digest('hex') });
        });
      });
    });
    req.setTimeout(idleMs, () => fail(`no byte for ${idleMs} ms`));
    req.on('error', (error) => fail(error.message, error));
    out.on('error', (error) => fail(`cannot write ${options.file}: ${error.message}`, error));
    options.signal?.addEventListener('abort', () => fail('stopped'), { once: true });
    req.end();
  });
}
