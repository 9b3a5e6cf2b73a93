/**
 * The Server-Sent Events feed of the web board.
 *
 * Contract:
 * - A client gets the whole board as one `board` event when it connects, and again after every
 *   `notify()`. Notifications are coalesced: at most one broadcast per `minIntervalMs` (default
 *   50 ms, so at most 20 events a second), always carrying the board as it is when sent, so the
 *   last notification of a burst is never lost.
 * - A client that does not keep up (its socket buffer is full) skips broadcasts and gets the latest
 *   board once it has drained: it may miss pictures, never the final one.
 * - At most `maxClients` clients; `add` refuses the next one. A `ping` event every `heartbeatMs`
 *   keeps proxies from closing a quiet stream and lets the page notice a dead one.
 * - No timer runs while no client is connected; `notify()` then costs nothing.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { LogContext, LogLevel } from '../../base/log.ts';

/**
 * A named event, not a comment: the page's EventSource never sees comments, and it needs the pings
 * to notice a stream that died silently (a suspended laptop, a dropped Wi-Fi) and reconnect.
 */
export const PING = 'event: ping\ndata: {}\n\n';

/** One log line; the agent passes `(level, msg, context) => logger[level](msg, context)`. */
export type LogFn = (level: LogLevel, msg: string, context?: LogContext) => void;

export interface SseHubOptions {
  /** The board as JSON; called once per broadcast, not once per client. May throw (logged, skipped). */
  readonly snapshot: () => string;
  readonly maxClients: number;
  readonly minIntervalMs: number;
  readonly heartbeatMs: number;
  readonly log: LogFn;
}

interface Client {
  readonly res: ServerResponse;
  /** True while the socket buffer is full; broadcasts are skipped until 'drain'. */
  blocked: boolean;
  /** A broadcast was skipped while blocked. */
  behind: boolean;
}

/** How long a browser waits before reconnecting after the stream drops (the SSE `retry` field). */
const RETRY_MS = 2000;

export class SseHub {
  readonly #options: SseHubOptions;
  readonly #clients = new Set<Client>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #heartbeat: ReturnType<typeof setInterval> | undefined;
  #lastBroadcastMs = Number.NEGATIVE_INFINITY;

  constructor(options: SseHubOptions) {
    this.#options = options;
  }

  get size(): number {
    return this.#clients.size;
  }

  /** Starts a stream on `res`, sends the board, and returns true; false (nothing written) when full. */
  add(req: IncomingMessage, res: ServerResponse): boolean {
    if (this.#clients.size >= this.#options.maxClients) return false;
    const data = this.#snapshot();
    if (data === undefined) return false;
    const client: Client = { res, blocked: false, behind: false };
    this.#clients.add(client);
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.on('drain', () => {
      client.blocked = false;
      if (client.behind) {
        client.behind = false;
        const latest = this.#snapshot();
        if (latest !== undefined) this.#send(client, latest);
      }
    });
    const remove = () => this.#remove(client);
    req.on('close', remove);
    res.on('close', remove);
    res.on('error', remove);
    this.#write(client, `retry: ${RETRY_MS}\n\n`);
    this.#send(client, data);
    this.#heartbeat ??= setInterval(() => this.#beat(), this.#options.heartbeatMs);
    return true;
  }

  /** The board changed: broadcast it, coalesced (see the contract above). */
  notify(): void {
    if (this.#clients.size === 0 || this.#timer !== undefined) return;
    const wait = Math.max(0, this.#lastBroadcastMs + this.#options.minIntervalMs - Date.now());
    this.#timer = setTimeout(() => this.#broadcast(), wait);
  }

  /** Ends every stream and stops every timer. Browsers will try to reconnect (and find nothing). */
  close(): void {
    for (const client of [...this.#clients]) {
      client.res.end();
      this.#remove(client);
    }
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #broadcast(): void {
    this.#timer = undefined;
    this.#lastBroadcastMs = Date.now();
    if (this.#clients.size === 0) return;
    const data = this.#snapshot();
    if (data === undefined) return;
    for (const client of this.#clients) {
      if (client.blocked) client.behind = true;
      else this.#send(client, data);
    }
  }

  #beat(): void {
    for (const client of this.#clients) if (!client.blocked) this.#write(client, PING);
  }

  #send(client: Client, json: string): void {
    this.#write(client, `event: board\ndata: ${json}\n\n`);
  }

  #write(client: Client, text: string): void {
    if (!client.res.writable) return;
    if (!client.res.write(text)) client.blocked = true;
  }

  #snapshot(): string | undefined {
    try {
      return this.#options.snapshot();
    } catch (error) {
      this.#options.log('error', 'web board: the board view failed; event not sent', {
        error: (error as Error).message,
      });
      return undefined;
    }
  }

  #remove(client: Client): void {
    if (!this.#clients.delete(client)) return;
    if (this.#clients.size === 0) {
      if (this.#heartbeat !== undefined) clearInterval(this.#heartbeat);
      this.#heartbeat = undefined;
      if (this.#timer !== undefined) clearTimeout(this.#timer);
      this.#timer = undefined;
    }
  }
}
