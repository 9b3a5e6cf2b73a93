/**
 * HTTP clients for the web board tests, all to 127.0.0.1: a raw request that can set any Host header
 * (fetch cannot), and a Server-Sent Events reader with bounded waits.
 */
import { request } from 'node:http';

export interface RawResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
}

/** One request over node:http to the board at `url`, with exactly the headers given (Host included). */
export function rawRequest(
  url: string,
  path: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<RawResponse> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: options.method ?? 'GET',
        headers: options.headers,
        timeout: 5_000,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          body += chunk;
          // An event stream never ends by itself: the first chunk is enough to judge it.
          if (res.headers['content-type']?.startsWith('text/event-stream')) res.destroy();
        });
        res.on('close', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer from ${url}${path} within 5 s`)));
    req.on('error', reject);
    req.end(options.body);
  });
}

export interface SseEvent {
  readonly event: string;
  readonly data: string;
}

export interface SseStream {
  readonly status: number;
  /** The next event, or an error after `timeoutMs`. */
  next(timeoutMs?: number): Promise<SseEvent>;
  /** The next event, or undefined when none comes within `windowMs`. */
  nextWithin(windowMs: number): Promise<SseEvent | undefined>;
  /** Resolves when the server ends the stream. */
  ended(timeoutMs?: number): Promise<void>;
  close(): void;
}

function parseBlock(block: string): SseEvent | undefined {
  let event = 'message';
  const data: string[] = [];
  for (const line of block.split('\n')) {
    if (line.startsWith('event: ')) event = line.slice(7);
    else if (line.startsWith('data: ')) data.push(line.slice(6));
  }
  return data.length === 0 ? undefined : { event, data: data.join('\n') };
}

export async function openStream(url: string): Promise<SseStream> {
  const abort = new AbortController();
  const res = await fetch(new URL('/api/events', url), { signal: abort.signal });
  const events: SseEvent[] = [];
  const waiters: Array<() => void> = [];
  let done = false;
  const wake = () => {
    for (const waiter of waiters.splice(0)) waiter();
  };
  if (res.ok && res.body !== null) {
    void (async () => {
      const decoder = new TextDecoder();
      let buffer = '';
      try {
        for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
          buffer += decoder.decode(chunk, { stream: true });
          for (let end = buffer.indexOf('\n\n'); end !== -1; end = buffer.indexOf('\n\n')) {
            const parsed = parseBlock(buffer.slice(0, end));
            buffer = buffer.slice(end + 2);
            if (parsed !== undefined) events.push(parsed);
          }
          wake();
        }
      } catch {
        // aborted by close()
      }
      done = true;
      wake();
    })();
  } else {
    await res.body?.cancel();
    done = true;
  }
  const wait = (ms: number) =>
    new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), ms);
      waiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  const nextWithin = async (windowMs: number) => {
    const until = Date.now() + windowMs;
    while (events.length === 0 && !done && Date.now() < until) await wait(until - Date.now());
    return events.shift();
  };
  return {
    status: res.status,
    nextWithin,
    next: async (timeoutMs = 3_000) => {
      const event = await nextWithin(timeoutMs);
      if (event === undefined) throw new Error(`no event within ${timeoutMs} ms (stream ended: ${done})`);
      return event;
    },
    ended: async (timeoutMs = 3_000) => {
      const until = Date.now() + timeoutMs;
      while (!done && Date.now() < until) await wait(until - Date.now());
      if (!done) throw new Error(`stream still open after ${timeoutMs} ms`);
    },
    close: () => abort.abort(),
  };
}
