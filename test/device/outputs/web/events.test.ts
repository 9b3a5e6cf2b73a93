/** The SSE hub on fake streams and a fake clock: coalescing, rate cap, heartbeat, slow clients, cleanup. */
import { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PING, SseHub } from '../../../../device/outputs/web/events.ts';

/** A response stream that records what was written and can pretend its socket buffer is full. */
class FakeStream extends EventEmitter {
  readonly chunks: string[] = [];
  status = 0;
  writable = true;
  full = false;
  writeHead(status: number): this {
    this.status = status;
    return this;
  }
  write(text: string): boolean {
    this.chunks.push(text);
    return !this.full;
  }
  end(): void {
    this.writable = false;
    this.emit('close');
  }
  /** The data of every `board` event so far. */
  boards(): string[] {
    return this.chunks
      .filter((c) => c.startsWith('event: board'))
      .map((c) => c.split('data: ')[1]?.trim() ?? '');
  }
}

let version = 0;
const logs: string[] = [];
let failSnapshot = false;

function hub(maxClients = 3): SseHub {
  return new SseHub({
    snapshot: () => {
      if (failSnapshot) throw new Error('layout broke');
      return JSON.stringify({ version });
    },
    maxClients,
    minIntervalMs: 50,
    heartbeatMs: 15_000,
    log: (level, msg) => logs.push(`${level} ${msg}`),
  });
}

function connect(h: SseHub): FakeStream {
  const stream = new FakeStream();
  const req = new EventEmitter();
  expect(h.add(req as IncomingMessage, stream as unknown as ServerResponse)).toBe(true);
  return stream;
}

beforeEach(() => {
  vi.useFakeTimers();
  version = 0;
  logs.length = 0;
  failSnapshot = false;
});

afterEach(() => {
  vi.useRealTimers();
});

describe('SseHub', () => {
  it('sends the board once on connect, after a retry hint', () => {
    const stream = connect(hub());
    expect(stream.status).toBe(200);
    expect(stream.chunks[0]).toBe('retry: 2000\n\n');
    expect(stream.chunks[1]).toBe('event: board\ndata: {"version":0}\n\n');
  });

  it('sends the latest board once for a burst of notifications', () => {
    const h = hub();
    const stream = connect(h);
    for (let i = 1; i <= 5; i++) {
      version = i;
      h.notify();
    }
    vi.advanceTimersByTime(0);
    expect(stream.boards()).toEqual(['{"version":0}', '{"version":5}']);
  });

  it('sends at most 20 events a second however often notify() is called, and never loses the last', () => {
    const h = hub();
    const stream = connect(h);
    for (let ms = 0; ms < 1_000; ms += 5) {
      version = ms;
      h.notify();
      vi.advanceTimersByTime(5);
    }
    vi.advanceTimersByTime(100);
    const sent = stream.boards().slice(1);
    expect(sent.length).toBeLessThanOrEqual(21);
    expect(sent.length).toBeGreaterThanOrEqual(19);
    expect(sent.at(-1)).toBe('{"version":995}');
  });

  it('sends a ping event every 15 s while a client is connected', () => {
    const stream = connect(hub());
    vi.advanceTimersByTime(14_999);
    expect(stream.chunks).not.toContain(PING);
    vi.advanceTimersByTime(1);
    expect(stream.chunks.filter((c) => c === PING)).toHaveLength(1);
  });

  it('runs no timer while nobody is connected, and forgets a client that went away', () => {
    const h = hub();
    h.notify();
    expect(vi.getTimerCount()).toBe(0);
    const stream = connect(h);
    expect(vi.getTimerCount()).toBe(1); // the heartbeat
    h.notify();
    stream.end();
    expect(h.size).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('refuses a client beyond the cap without writing to it', () => {
    const h = hub(2);
    connect(h);
    connect(h);
    const extra = new FakeStream();
    expect(h.add(new EventEmitter() as IncomingMessage, extra as unknown as ServerResponse)).toBe(false);
    expect(extra.chunks).toEqual([]);
    expect(h.size).toBe(2);
  });

  it('skips a client whose buffer is full and sends it the latest board once it drains', () => {
    const h = hub();
    const slow = connect(h);
    const fast = connect(h);
    slow.full = true;
    version = 1;
    h.notify();
    vi.advanceTimersByTime(50);
    version = 2;
    h.notify();
    vi.advanceTimersByTime(50);
    expect(fast.boards()).toEqual(['{"version":0}', '{"version":1}', '{"version":2}']);
    expect(slow.boards()).toEqual(['{"version":0}', '{"version":1}']);
    slow.full = false;
    version = 3;
    slow.emit('drain');
    expect(slow.boards().at(-1)).toBe('{"version":3}');
  });

  it('logs a failing view and sends nothing instead of crashing', () => {
    const h = hub();
    const stream = connect(h);
    failSnapshot = true;
    h.notify();
    vi.advanceTimersByTime(50);
    expect(stream.boards()).toHaveLength(1);
    expect(logs).toEqual(['error web board: the board view failed; event not sent']);
  });

  it('ends every stream and stops its timers on close()', () => {
    const h = hub();
    const a = connect(h);
    const b = connect(h);
    h.notify();
    h.close();
    expect([a.writable, b.writable]).toEqual([false, false]);
    expect(vi.getTimerCount()).toBe(0);
  });
});
