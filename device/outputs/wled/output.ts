/**
 * One WLED device as an output of the agent (outputs.ts): every picture goes to its LEDs, mapped
 * (led-map.ts) and dimmed as the board is, over DDP (ddp.ts, UDP) or WLED's JSON API (json-api.ts).
 *
 * Contract:
 * - Fails soft. `open` and `show` never wait for the network: a DDP frame is handed to the UDP
 *   socket, a JSON frame is posted in the background (one request at a time, later frames coalesced
 *   into the newest). Nothing WLED does can delay the display or another output, or throw into the
 *   stage.
 * - Whether WLED answers is checked over HTTP (`GET /json/si`, 2 s): at start, every 10 s while it
 *   answers, with backoff while it does not (link.ts). While it does not, no frame is sent; the first
 *   answer after an outage, or one whose uptime went back (a restart), gets the current frame again.
 *   The first answer's state is kept to hand WLED back at `close`.
 * - DDP: the last frame is sent again every second while nothing new was sent, below WLED's realtime
 *   timeout (2.5 s by default, wled00/wled.h `realtimeTimeoutMs`), so WLED neither falls back to its
 *   own effect nor keeps a stale frame after the agent has gone (wled/WLED#3335: `close` ends realtime).
 * - `close` stops the timers, posts `{"live":false}` with the state read at start (on, brightness,
 *   segments unfrozen) within 1 s, as Hyperion hands a WLED back, and closes the socket. Idempotent.
 * - Brightness: the picture's (night mode), else the board's configured one, capped at
 *   `maxBrightness`. DDP frames carry gamma like a HAT's (WLED skips its own gamma on realtime data by
 *   default, wled00/wled.h `arlsDisableGammaCorrection`); JSON colours do not (WLED applies its colour
 *   gamma to them, wled00/FX_fcn.cpp).
 */
import { createSocket, type Socket } from 'node:dgram';
import { lookup } from 'node:dns/promises';
import { isIPv4 } from 'node:net';
import { type Clock, systemClock } from '../../base/clock.ts';
import type { Logger } from '../../base/log.ts';
import type { Rotation } from '../../picture/frame.ts';
import { toneTable } from '../display/gamma.ts';
import type { Output } from '../outputs.ts';
import { DDP_PORT, encodeDdp, nextSequence } from './ddp.ts';
import { parseStateInfo, restoreBody, segmentBodies, type WledState, wledHttp } from './json-api.ts';
import { type LedMapping, ledBytes, ledSources } from './led-map.ts';
import { INITIAL_LINK, type Link, type LinkEvent, stepLink } from './link.ts';

export type WledProtocol = 'ddp' | 'json';

/** One entry of config `wled` (config.ts). */
export interface WledDevice {
  readonly host: string;
  /** DDP: the UDP port (default 4048); JSON: the HTTP port (default 80). */
  readonly port?: number | undefined;
  /** The HTTP port of WLED's JSON API, for DDP's checks and hand-back; default 80. */
  readonly httpPort?: number | undefined;
  readonly protocol: WledProtocol;
  readonly mapping: LedMapping & { readonly rotation?: Rotation | undefined };
  /** 0..1, default 1. */
  readonly maxBrightness?: number | undefined;
}

export interface WledStatus {
  readonly host: string;
  readonly port: number;
  readonly protocol: WledProtocol;
  readonly link: Link['status'];
  readonly leds: number;
  readonly frames: number;
  readonly outages: number;
  /** Failed checks in the current outage. */
  readonly failures: number;
  readonly downSinceMs?: number | undefined;
  readonly reason?: string | undefined;
}

export interface WledOutput extends Output {
  status(): WledStatus;
}

export interface WledOptions {
  readonly device: WledDevice;
  /** The board's configured brightness (display.brightness): the level when the picture has none. */
  readonly brightness: number;
  readonly log: Logger;
  readonly clock?: Clock;
  readonly random?: () => number;
  /** Between two checks while WLED answers; default 10 s. */
  readonly checkMs?: number;
  /** DDP: the last frame again after this long without one; default 1 s. */
  readonly keepAliveMs?: number;
  /** Any HTTP request; default 2 s. */
  readonly httpTimeoutMs?: number;
}

const CLOSE_TIMEOUT_MS = 1_000;

export function wledOutput(options: WledOptions): WledOutput {
  const { device, log } = options;
  const clock = options.clock ?? systemClock;
  const random = options.random ?? Math.random;
  const checkMs = options.checkMs ?? 10_000;
  const keepAliveMs = options.keepAliveMs ?? 1_000;
  const httpTimeoutMs = options.httpTimeoutMs ?? 2_000;
  const ddp = device.protocol === 'ddp';
  const port = device.port ?? (ddp ? DDP_PORT : 80);
  const http = { host: device.host, port: ddp ? (device.httpPort ?? 80) : port };
  const context = { host: device.host, port, protocol: device.protocol };

  let brightness = options.brightness;
  let link: Link = INITIAL_LINK;
  let saved: WledState | undefined;
  let closed = false;
  let checkTimer: unknown;
  let keepAliveTimer: unknown;
  let socket: Socket | undefined;
  let sequence = 1;
  /** DDP: the device's IPv4 address, resolved at each check. */
  let address = device.host;
  let frames = 0;
  let warnedCount = false;
  // The mapping, recomputed when the picture's size changes.
  let sourcesFor = '';
  let sources: Int32Array = new Int32Array(0);
  /** The current frame as LED bytes (what WLED should show). */
  let current: Uint8Array | undefined;
  /** JSON: what WLED holds (undefined: unknown, send every LED), the post in flight, a newer frame waiting. */
  let acked: Uint8Array | undefined;
  let posting: Promise<void> | undefined;
  /** Aborts the requests in flight at `close`, so no frame lands after WLED is handed back. */
  const stopping = new AbortController();

  const observe = (event: LinkEvent): void => {
    if (closed) return;
    const step = stepLink(link, event, { checkMs, random });
    link = step.link;
    if (step.log !== undefined) {
      log[step.log.level](step.log.msg, {
        ...context,
        ...(link.status === 'down' ? { reason: link.reason, retry: 'with backoff, up to every 30 s' } : {}),
      });
    }
    if (step.resend) {
      acked = undefined;
      send();
    }
    scheduleCheck(step.checkInMs);
  };

  const scheduleCheck = (ms: number): void => {
    if (checkTimer !== undefined) clock.clearTimeout(checkTimer);
    checkTimer = clock.setTimeout(() => {
      checkTimer = undefined;
      void check();
    }, ms);
  };

  const check = async (): Promise<void> => {
    let text: string;
    try {
      text = await wledHttp(http, 'GET', '/json/si', undefined, httpTimeoutMs, stopping.signal);
    } catch (error) {
      observe({ type: 'failed', reason: (error as Error).message, nowMs: clock.now() });
      return;
    }
    const answer = parseStateInfo(text);
    if (answer === undefined) {
      observe({
        type: 'failed',
        reason: `http://${http.host}:${http.port}/json/si is not WLED's JSON API; check wled.host and the port`,
        nowMs: clock.now(),
      });
      return;
    }
    saved ??= answer.state;
    const leds = sources.length;
    if (!warnedCount && answer.ledCount !== undefined && leds > answer.ledCount) {
      warnedCount = true;
      log.warn('wled has fewer LEDs than the mapping drives', {
        ...context,
        wledLeds: answer.ledCount,
        mappingLeds: leds,
        fix: "set wled.mapping's width and height, or the LED count in WLED's LED preferences",
      });
    }
    if (ddp) {
      // Resolved at each check, not at each datagram: a name (wled-desk.local) would otherwise cost a
      // lookup per packet, and a device that moved to another address is followed within a check.
      try {
        address = await resolve(device.host, httpTimeoutMs);
      } catch (error) {
        observe({ type: 'failed', reason: (error as Error).message, nowMs: clock.now() });
        return;
      }
    }
    observe({ type: 'answered', uptimeS: answer.uptimeS, nowMs: clock.now() });
  };

  const sendDdp = (frame: Uint8Array): void => {
    if (socket === undefined) return;
    for (const packet of encodeDdp(frame, sequence)) {
      socket.send(packet, port, address, (error) => {
        if (error !== null && error !== undefined && link.status === 'up') {
          observe({ type: 'failed', reason: `UDP send failed (${errorCode(error)})`, nowMs: clock.now() });
        }
      });
    }
    sequence = nextSequence(sequence);
    frames += 1;
    if (keepAliveTimer !== undefined) clock.clearTimeout(keepAliveTimer);
    keepAliveTimer = clock.setTimeout(() => {
      keepAliveTimer = undefined;
      if (!closed && link.status === 'up' && current !== undefined) sendDdp(current);
    }, keepAliveMs);
  };

  const postJson = (): void => {
    if (posting !== undefined) return; // the loop below takes the newest frame when it is done
    posting = (async () => {
      while (!closed && link.status === 'up' && current !== undefined && current !== acked) {
        const frame = current;
        try {
          const bodies = segmentBodies(frame, acked);
          for (const body of bodies) {
            await wledHttp(http, 'POST', '/json/state', body, httpTimeoutMs, stopping.signal);
          }
          acked = frame;
          if (bodies.length > 0) frames += 1;
        } catch (error) {
          acked = undefined;
          observe({ type: 'failed', reason: (error as Error).message, nowMs: clock.now() });
        }
      }
    })().finally(() => {
      posting = undefined;
    });
  };

  const send = (): void => {
    if (closed || link.status !== 'up' || current === undefined) return;
    if (ddp) sendDdp(current);
    else postJson();
  };

  return {
    name: `wled ${device.host}`,
    async open() {
      if (ddp) {
        socket = createSocket('udp4');
        socket.on('error', (error) => log.debug('wled socket error', { ...context, error: error.message }));
        socket.unref();
      }
      scheduleCheck(0);
    },
    async show(picture) {
      const { frame } = picture;
      const size = `${frame.width}x${frame.height}`;
      if (size !== sourcesFor) {
        sources = ledSources(device.mapping, frame);
        sourcesFor = size;
      }
      const level = Math.min(picture.brightness ?? brightness, device.maxBrightness ?? 1);
      const tone = toneTable(Math.round(Math.min(Math.max(level, 0), 1) * 255), ddp);
      current = ledBytes(frame.rgb, sources, tone);
      send();
    },
    async setBrightness(next) {
      brightness = next;
    },
    status: () => ({
      host: device.host,
      port,
      protocol: device.protocol,
      link: link.status,
      leds: sources.length,
      frames,
      outages: link.outages,
      failures: link.failures,
      ...(link.status === 'down' ? { downSinceMs: link.downSinceMs, reason: link.reason } : {}),
    }),
    async close() {
      if (closed) return;
      closed = true;
      if (checkTimer !== undefined) clock.clearTimeout(checkTimer);
      if (keepAliveTimer !== undefined) clock.clearTimeout(keepAliveTimer);
      stopping.abort();
      await posting?.catch(() => undefined);
      if (link.status === 'up' || saved !== undefined) {
        await wledHttp(http, 'POST', '/json/state', restoreBody(saved), CLOSE_TIMEOUT_MS).then(
          () => log.info('wled handed back', context),
          (error: unknown) =>
            log.warn('wled not handed back', { ...context, error: (error as Error).message }),
        );
      }
      const open = socket;
      socket = undefined;
      if (open !== undefined) await new Promise<void>((resolve) => open.close(() => resolve()));
    },
  };
}

/** The IPv4 address of `host` (an address stays as it is), within `timeoutMs`. */
async function resolve(host: string, timeoutMs: number): Promise<string> {
  if (isIPv4(host)) return host;
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${host} did not resolve within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    const found = await Promise.race([lookup(host, { family: 4 }), late]);
    return found.address;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new Error(
      code === undefined
        ? (error as Error).message
        : `${host} has no IPv4 address (${code}); check wled.host`,
    );
  } finally {
    clearTimeout(timer);
  }
}

function errorCode(error: Error): string {
  return (error as NodeJS.ErrnoException).code ?? error.message;
}
