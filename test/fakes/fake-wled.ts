/**
 * A WLED device on 127.0.0.1, shaped like its documented API (github.com/wled/WLED wiki "JSON API",
 * wled00/json.cpp, wled00/e131.cpp): `GET /json/si` answers state and info, `POST /json/state`
 * applies `on`, `bri`, `live` and `seg.i` (a number sets the index, two a range, a hex colour paints
 * and moves on) to its LEDs, and a UDP socket takes DDP packets, reassembling frames on push. Every
 * request body, DDP frame and realtime change is recorded. `stop()` and `start()` take it off the
 * network and back on the same ports; `restart()` also forgets its LEDs and resets its uptime.
 */
import { createSocket, type Socket } from 'node:dgram';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createDdpAssembler, decodeDdp } from '../../device/outputs/wled/ddp.ts';

export interface FakeWled {
  readonly httpPort: number;
  readonly ddpPort: number;
  /** LED bytes as WLED holds them (seg.i or DDP). */
  leds: Uint8Array;
  readonly posts: string[];
  readonly frames: Uint8Array[];
  state: { on: boolean; bri: number; seg: { id: number; frz: boolean }[]; live: boolean };
  uptimeS: number;
  stop(): Promise<void>;
  start(): Promise<void>;
  restart(): Promise<void>;
}

export async function startFakeWled(ledCount: number, options: { hang?: boolean } = {}): Promise<FakeWled> {
  let http: Server | undefined;
  let udp: Socket | undefined;
  let httpPort = 0;
  let ddpPort = 0;
  const fake: FakeWled = {
    get httpPort() {
      return httpPort;
    },
    get ddpPort() {
      return ddpPort;
    },
    leds: new Uint8Array(ledCount * 3),
    posts: [],
    frames: [],
    state: { on: false, bri: 77, seg: [{ id: 0, frz: false }], live: false },
    uptimeS: 1000,
    stop,
    start,
    async restart() {
      await stop();
      fake.leds = new Uint8Array(ledCount * 3);
      fake.uptimeS = 3;
      fake.state = { on: false, bri: 77, seg: [{ id: 0, frz: false }], live: false };
      await start();
    },
  };

  function applySegI(list: unknown[]): void {
    let index = 0;
    let numbers: number[] = [];
    for (const entry of list) {
      if (typeof entry === 'number') {
        numbers.push(entry);
        continue;
      }
      const [start, stop] = numbers;
      if (start !== undefined) index = start;
      const end = stop !== undefined && stop > index ? stop : index + 1;
      const rgb = [0, 2, 4].map((at) => Number.parseInt(String(entry).slice(at, at + 2), 16));
      for (; index < end && index < ledCount; index++) fake.leds.set(rgb, index * 3);
      index = end;
      numbers = [];
    }
  }

  function serve(): Server {
    return createServer((req, res) => {
      if (options.hang === true) return; // accepts and never answers
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        if (req.method === 'GET' && req.url === '/json/si') {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(
            JSON.stringify({
              state: { on: fake.state.on, bri: fake.state.bri, seg: fake.state.seg, ps: -1 },
              info: { ver: '0.15.0', uptime: fake.uptimeS, leds: { count: ledCount } },
            }),
          );
          return;
        }
        if (req.method === 'POST' && req.url === '/json/state') {
          const text = Buffer.concat(chunks).toString('utf8');
          fake.posts.push(text);
          const body = JSON.parse(text) as {
            on?: boolean;
            bri?: number;
            live?: boolean;
            seg?: { id: number; i?: unknown[]; frz?: boolean } | { id: number; frz?: boolean }[];
          };
          if (body.on !== undefined) fake.state.on = body.on;
          if (body.bri !== undefined) fake.state.bri = body.bri;
          if (body.live !== undefined) fake.state.live = body.live;
          for (const seg of Array.isArray(body.seg) ? body.seg : body.seg === undefined ? [] : [body.seg]) {
            const at = fake.state.seg.find((s) => s.id === seg.id);
            if ('i' in seg && Array.isArray(seg.i)) {
              if (at !== undefined && !at.frz) {
                at.frz = true;
                fake.leds.fill(0);
              }
              applySegI(seg.i);
            }
            if (seg.frz !== undefined && at !== undefined) at.frz = seg.frz;
          }
          res.writeHead(200, { 'content-type': 'application/json' }).end('{"success":true}');
          return;
        }
        res.writeHead(404).end('Not Found');
      });
    });
  }

  async function start(): Promise<void> {
    http = serve();
    await new Promise<void>((resolve) => http?.listen(httpPort, '127.0.0.1', resolve));
    httpPort = (http.address() as AddressInfo).port;
    const assembler = createDdpAssembler();
    udp = createSocket('udp4');
    udp.on('message', (message) => {
      const packet = decodeDdp(message);
      if (packet === undefined) return;
      fake.state.live = true;
      const frame = assembler.add(packet);
      if (frame === undefined) return;
      fake.frames.push(frame);
      fake.leds = frame.slice(0, ledCount * 3);
    });
    await new Promise<void>((resolve) => udp?.bind(ddpPort, '127.0.0.1', resolve));
    ddpPort = udp.address().port;
  }

  async function stop(): Promise<void> {
    const [h, u] = [http, udp];
    http = undefined;
    udp = undefined;
    if (h !== undefined) {
      h.closeAllConnections();
      await new Promise<void>((resolve) => h.close(() => resolve()));
    }
    if (u !== undefined) await new Promise<void>((resolve) => u.close(() => resolve()));
  }

  await start();
  return fake;
}
