/**
 * Finding WLED devices by name: one multicast DNS question for `_wled._tcp.local` (WLED announces
 * itself so, wled00/wled.cpp `MDNS.addService("wled", "tcp", 80)`), written by hand over node:dgram
 * (no dependency for some 150 lines). Used only when asked: `ec2led wled list`, and `ec2led doctor`
 * when a configured device does not answer. Never by the agent.
 *
 * The question is a one-shot query from an ephemeral port (RFC 6762 section 5.1) with the unicast-response
 * bit (section 5.4): responders answer straight to that port, so nothing listens on 5353 and nothing joins
 * the group. Answers are parsed with RFC 1035 section 4.1 name compression, bounded: at most 64 name
 * pointers followed, every offset checked against the datagram; a bad answer is ignored, never
 * thrown. A device is a PTR to an instance, its SRV (host and port) and the host's A record.
 */
import { createSocket } from 'node:dgram';

export const MDNS_ADDRESS = '224.0.0.251';
export const MDNS_PORT = 5353;
export const WLED_SERVICE = '_wled._tcp.local';

const TYPE_A = 1;
const TYPE_PTR = 12;
const TYPE_SRV = 33;
const CLASS_IN = 1;
const UNICAST_RESPONSE = 0x8000;

/** The query: id 0, one question, PTR `service` IN, unicast response asked. */
export function mdnsQuery(service = WLED_SERVICE): Buffer {
  const labels = service
    .split('.')
    .map((label) => Buffer.concat([Buffer.from([label.length]), Buffer.from(label)]));
  const header = Buffer.from([0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0]);
  const tail = Buffer.alloc(5);
  tail.writeUInt16BE(TYPE_PTR, 1);
  tail.writeUInt16BE(UNICAST_RESPONSE | CLASS_IN, 3);
  return Buffer.concat([header, ...labels, tail]);
}

export type MdnsRecord =
  | { readonly type: 'PTR'; readonly name: string; readonly target: string }
  | { readonly type: 'SRV'; readonly name: string; readonly target: string; readonly port: number }
  | { readonly type: 'A'; readonly name: string; readonly address: string };

/** A name at `offset`, following compression pointers; undefined when it leaves the datagram or loops. */
function readName(packet: Buffer, offset: number): { name: string; next: number } | undefined {
  const labels: string[] = [];
  let at = offset;
  let next: number | undefined;
  for (let jumps = 0; jumps <= 64; ) {
    const length = packet[at];
    if (length === undefined) return undefined;
    if (length === 0) return { name: labels.join('.'), next: next ?? at + 1 };
    if ((length & 0xc0) === 0xc0) {
      const low = packet[at + 1];
      if (low === undefined) return undefined;
      next ??= at + 2;
      at = ((length & 0x3f) << 8) | low;
      jumps += 1;
      continue;
    }
    if (length > 63 || at + 1 + length > packet.length) return undefined;
    labels.push(packet.toString('latin1', at + 1, at + 1 + length));
    at += 1 + length;
    if (labels.length > 128) return undefined;
  }
  return undefined;
}

/** The PTR, SRV and A records of a response; [] for anything malformed or a query. */
export function parseMdnsResponse(packet: Buffer): MdnsRecord[] {
  if (packet.length < 12 || (packet[2] as number) < 0x80) return []; // not a response
  const questions = packet.readUInt16BE(4);
  const records = packet.readUInt16BE(6) + packet.readUInt16BE(8) + packet.readUInt16BE(10);
  let at = 12;
  for (let q = 0; q < questions; q++) {
    const name = readName(packet, at);
    if (name === undefined) return [];
    at = name.next + 4;
  }
  const found: MdnsRecord[] = [];
  for (let r = 0; r < Math.min(records, 256); r++) {
    const name = readName(packet, at);
    if (name === undefined || name.next + 10 > packet.length) return found;
    const type = packet.readUInt16BE(name.next);
    const length = packet.readUInt16BE(name.next + 8);
    const data = name.next + 10;
    if (data + length > packet.length) return found;
    if (type === TYPE_PTR) {
      const target = readName(packet, data);
      if (target !== undefined) found.push({ type: 'PTR', name: name.name, target: target.name });
    } else if (type === TYPE_SRV && length >= 7) {
      const target = readName(packet, data + 6);
      if (target !== undefined)
        found.push({
          type: 'SRV',
          name: name.name,
          target: target.name,
          port: packet.readUInt16BE(data + 4),
        });
    } else if (type === TYPE_A && length === 4) {
      found.push({ type: 'A', name: name.name, address: [...packet.subarray(data, data + 4)].join('.') });
    }
    at = data + length;
  }
  return found;
}

export interface FoundWled {
  /** The instance name WLED announces (its "mDNS address" setting). */
  readonly name: string;
  /** The host name, such as wled-desk.local. */
  readonly host: string;
  readonly address: string | undefined;
  readonly port: number;
}

/** The devices the records describe, by instance name, sorted; an instance without SRV is skipped. */
export function wledDevices(records: readonly MdnsRecord[], service = WLED_SERVICE): FoundWled[] {
  const instances = new Set(
    records.flatMap((r) => (r.type === 'PTR' && r.name === service ? [r.target] : [])),
  );
  const devices = new Map<string, FoundWled>();
  for (const instance of instances) {
    const srv = records.find((r) => r.type === 'SRV' && r.name === instance);
    if (srv?.type !== 'SRV') continue;
    const a = records.find((r) => r.type === 'A' && r.name === srv.target);
    const name = instance.endsWith(`.${service}`) ? instance.slice(0, -service.length - 1) : instance;
    devices.set(instance, {
      name,
      host: srv.target,
      address: a?.type === 'A' ? a.address : undefined,
      port: srv.port,
    });
  }
  return [...devices.values()].sort((x, y) => x.name.localeCompare(y.name));
}

export interface DiscoverOptions {
  /** Default the mDNS group 224.0.0.251; tests give 127.0.0.1. */
  readonly address?: string;
  /** Default 5353; tests give a responder's ephemeral port. */
  readonly port?: number;
  /** How long to listen for answers; default 2 s. */
  readonly timeoutMs?: number;
}

/** Asks once and collects answers for `timeoutMs` (at most 200 datagrams). Rejects only if it cannot send. */
export function discoverWled(options: DiscoverOptions = {}): Promise<FoundWled[]> {
  const socket = createSocket('udp4');
  const records: MdnsRecord[] = [];
  let datagrams = 0;
  return new Promise<FoundWled[]>((resolve, reject) => {
    const done = () => {
      clearTimeout(timer);
      socket.close();
      resolve(wledDevices(records));
    };
    const timer = setTimeout(done, options.timeoutMs ?? 2_000);
    socket.on('message', (message) => {
      datagrams += 1;
      if (message.length <= 9_000) records.push(...parseMdnsResponse(message));
      if (datagrams >= 200) done();
    });
    socket.on('error', (error) => {
      clearTimeout(timer);
      socket.close();
      reject(
        new Error(
          `mDNS query failed (${(error as NodeJS.ErrnoException).code ?? error.message}); is this machine on a LAN?`,
        ),
      );
    });
    socket.bind(0, () => {
      socket.setMulticastTTL(255);
      socket.send(mdnsQuery(), options.port ?? MDNS_PORT, options.address ?? MDNS_ADDRESS, (error) => {
        if (error !== null && error !== undefined) socket.emit('error', error);
      });
    });
  });
}
