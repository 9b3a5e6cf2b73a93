/**
 * WLED's JSON API (github.com/wled/WLED wiki "JSON API"; wled00/json.cpp `deserializeState`,
 * wled00/wled_server.cpp): the request bodies that set LEDs one by one (`seg.i`), the state read at
 * start and the body that hands WLED back, all pure; and the one HTTP call, bounded in bytes and time.
 *
 * `seg.i` (json.cpp, "set individual LEDs"): a list of entries where a number sets the next LED
 * index (two numbers a range start and stop, exclusive) and a colour — "RRGGBB" hex — paints the
 * LED or the range, then the index moves on. The first `seg.i` freezes the segment and clears it; a
 * frozen segment keeps its LEDs until changed (no keep-alive). WLED parses a request into one JSON
 * document of JSON_BUFFER_SIZE (wled00/const.h: 10,240 bytes on an ESP8266) and accepts a body no
 * larger (wled_server.cpp), so a frame goes out as several requests of at most 256 entries and
 * 4,096 bytes each, and only the LEDs that changed since the last frame WLED took.
 */
import { request } from 'node:http';
import { z } from 'zod';

/** Entries of `seg.i` in one request: well inside an ESP8266's 10 KB JSON document. */
export const MAX_ENTRIES = 256;
/** Bytes of one request body (WLED refuses a body above JSON_BUFFER_SIZE). */
export const MAX_BODY_BYTES = 4_096;
/** Bytes read of any answer; /json/state with many segments stays well below. */
export const MAX_ANSWER_BYTES = 64 * 1024;
/** Runs of one colour this long or longer go as a range (3 entries) instead of one entry a LED. */
const RANGE_FROM = 3;

type Entry = number | string;

function hex(leds: Uint8Array, led: number): string {
  let text = '';
  for (let c = 0; c < 3; c++) text += (leds[led * 3 + c] ?? 0).toString(16).padStart(2, '0');
  return text.toUpperCase();
}

function same(a: Uint8Array, b: Uint8Array | undefined, led: number): boolean {
  if (b === undefined || b.length !== a.length) return false;
  const at = led * 3;
  return a[at] === b[at] && a[at + 1] === b[at + 1] && a[at + 2] === b[at + 2];
}

/**
 * The request bodies that bring segment `segment` from `previous` (undefined: unknown, send every
 * LED) to `leds` (RGB, LED 0 first). Empty when nothing changed. The first body also switches WLED
 * on without a transition, so a board that was off shows the frame.
 */
export function segmentBodies(
  leds: Uint8Array,
  previous: Uint8Array | undefined,
  segment = 0,
  limits: { readonly entries: number; readonly bytes: number } = {
    entries: MAX_ENTRIES,
    bytes: MAX_BODY_BYTES,
  },
): string[] {
  const count = Math.floor(leds.length / 3);
  const bodies: string[] = [];
  let entries: Entry[] = [];
  let bytes = 0;
  /** Where WLED's index stands after the entries so far (undefined at the start of a request). */
  let cursor: number | undefined;
  const wrap = (list: Entry[]) =>
    JSON.stringify(
      bodies.length === 0
        ? { on: true, tt: 0, seg: { id: segment, i: list } }
        : { seg: { id: segment, i: list } },
    );
  const flush = () => {
    if (entries.length === 0) return;
    bodies.push(wrap(entries));
    entries = [];
    bytes = 0;
    cursor = undefined;
  };
  const add = (group: Entry[], end: number) => {
    const size = group.reduce<number>((sum, e) => sum + JSON.stringify(e).length + 1, 0);
    // 40 bytes cover the wrapper around the list.
    if (entries.length + group.length > limits.entries || bytes + size + 40 > limits.bytes) {
      flush();
      return false;
    }
    entries.push(...group);
    bytes += size;
    cursor = end;
    return true;
  };
  let led = 0;
  while (led < count) {
    if (same(leds, previous, led)) {
      led += 1;
      continue;
    }
    const colour = hex(leds, led);
    let end = led + 1;
    while (end < count && !same(leds, previous, end) && hex(leds, end) === colour) end += 1;
    const run = end - led;
    if (run >= RANGE_FROM) {
      if (!add([led, end, colour], end)) add([led, end, colour], end);
      led = end;
      continue;
    }
    const group: Entry[] = cursor === led ? [colour] : [led, colour];
    if (!add(group, led + 1)) add([led, colour], led + 1);
    led += 1;
  }
  flush();
  return bodies;
}

/** The part of `/json/state` the agent reads at start to hand WLED back as it was. */
const stateSchema = z.looseObject({
  on: z.boolean().optional(),
  bri: z.int().min(0).max(255).optional(),
  seg: z
    .array(z.looseObject({ id: z.int().min(0).max(255), frz: z.boolean().optional() }))
    .max(64)
    .optional(),
});
export type WledState = z.infer<typeof stateSchema>;

/** The part of `/json/info` the health check reads: uptime (a restart) and the LED count. */
const infoSchema = z.looseObject({
  uptime: z.number().min(0).optional(),
  leds: z.looseObject({ count: z.int().min(0).optional() }).optional(),
});

export interface StateInfo {
  readonly state: WledState;
  /** Seconds since WLED started. */
  readonly uptimeS: number | undefined;
  readonly ledCount: number | undefined;
}

/** `/json/si` (state and info, json.cpp `serveJson`), or undefined when it is not WLED's shape. */
export function parseStateInfo(text: string): StateInfo | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  const answer = z.looseObject({ state: stateSchema, info: infoSchema }).safeParse(parsed);
  if (!answer.success) return undefined;
  const { state, info } = answer.data;
  return { state, uptimeS: info.uptime, ledCount: info.leds?.count };
}

/**
 * The body that hands WLED back: out of realtime mode (`live: false`, json.cpp calls exitRealtime)
 * and, from the state read at start, on/off, brightness and each segment's freeze flag (a `seg.i`
 * froze segment 0; unfreezing lets its effect run again). Without a saved state: `live: false` alone.
 */
export function restoreBody(saved: WledState | undefined): string {
  if (saved === undefined) return JSON.stringify({ live: false });
  return JSON.stringify({
    live: false,
    ...(saved.on === undefined ? {} : { on: saved.on }),
    ...(saved.bri === undefined ? {} : { bri: saved.bri }),
    ...(saved.seg === undefined ? {} : { seg: saved.seg.map((s) => ({ id: s.id, frz: s.frz ?? false })) }),
  });
}

export interface HttpTarget {
  readonly host: string;
  readonly port: number;
}

/**
 * One request to WLED's HTTP server; resolves to the answer's text, rejects with an Error naming
 * the host, what failed and the fix. The whole exchange is bounded by `timeoutMs`, the answer by
 * MAX_ANSWER_BYTES.
 */
export function wledHttp(
  target: HttpTarget,
  method: 'GET' | 'POST',
  path: string,
  body: string | undefined,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<string> {
  const where = `http://${target.host}:${target.port}${path}`;
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: target.host,
        port: target.port,
        method,
        path,
        // A new connection each time: WLED's small server drops idle ones, and a pooled socket it
        // closed would fail the next request.
        agent: false,
        ...(signal === undefined ? {} : { signal }),
        headers: {
          ...(body === undefined
            ? {}
            : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_ANSWER_BYTES) {
            req.destroy(new Error(`answer over ${MAX_ANSWER_BYTES} bytes`));
            return;
          }
          chunks.push(chunk);
        });
        res.on('end', () => {
          clearTimeout(timer);
          const text = Buffer.concat(chunks).toString('utf8');
          if (res.statusCode !== 200) {
            reject(new Error(`${method} ${where} answered HTTP ${res.statusCode}; is this a WLED device?`));
            return;
          }
          resolve(text);
        });
        res.on('error', () => undefined);
      },
    );
    const timer = setTimeout(() => req.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    req.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(
        new Error(
          `${method} ${where} failed (${error.code ?? error.message}); check wled.host and that the device is on`,
        ),
      );
    });
    req.end(body);
  });
}
