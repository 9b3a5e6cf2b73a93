/**
 * mDNS discovery of `_wled._tcp`: the query's bytes, the parsing of answers (compression, bad
 * datagrams), and the whole exchange with a loopback responder on 127.0.0.1 and an ephemeral port.
 * Nothing is sent to a multicast address.
 */
import { createSocket, type Socket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { wledMain } from '../../../../device/commands/cli/wled.ts';
import {
  discoverWled,
  mdnsQuery,
  parseMdnsResponse,
  wledDevices,
} from '../../../../device/outputs/wled/mdns.ts';

/** A name as labels, or a pointer to `offset` after `labels`. */
function name(labels: string[], pointer?: number): Buffer {
  const parts = labels.map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l)]));
  const end = pointer === undefined ? Buffer.from([0]) : Buffer.from([0xc0 | (pointer >> 8), pointer & 0xff]);
  return Buffer.concat([...parts, end]);
}

function record(owner: Buffer, type: number, data: Buffer): Buffer {
  const fixed = Buffer.alloc(10);
  fixed.writeUInt16BE(type, 0);
  fixed.writeUInt16BE(0x8001, 2); // cache-flush, IN
  fixed.writeUInt32BE(120, 4);
  fixed.writeUInt16BE(data.length, 8);
  return Buffer.concat([owner, fixed, data]);
}

/** What a WLED called `desk` at 192.168.1.50 answers, compressed as ESP mDNS responders do. */
function answer(instance: string, host: string, address: number[]): Buffer {
  const header = Buffer.from([0, 0, 0x84, 0, 0, 0, 0, 1, 0, 0, 0, 3]); // 1 answer, 3 additional
  const service = name(['_wled', '_tcp', 'local']); // at offset 12
  const ptr = record(service, 12, name([instance], 12));
  const instanceAt = 12 + service.length + 10; // the PTR's data: instance label, then pointer
  const srvData = Buffer.concat([Buffer.from([0, 0, 0, 0, 0, 80]), name([host, 'local'])]);
  const srv = record(name([], instanceAt), 33, srvData);
  const hostAt = 12 + ptr.length + 2 + 10 + 6;
  const a = record(name([], hostAt), 1, Buffer.from(address));
  const txt = record(name([], instanceAt), 16, Buffer.from([7, ...Buffer.from('mac=abc')]));
  return Buffer.concat([header, ptr, srv, txt, a]);
}

describe('mdnsQuery', () => {
  it('asks one PTR question for _wled._tcp.local with the unicast-response bit', () => {
    expect(mdnsQuery().toString('hex')).toBe(
      '000000000001000000000000' + '055f776c6564' + '045f746370' + '056c6f63616c' + '00' + '000c' + '8001',
    );
  });
});

describe('parseMdnsResponse', () => {
  it('reads PTR, SRV and A through compression pointers, skipping TXT', () => {
    const records = parseMdnsResponse(answer('desk', 'wled-desk', [192, 168, 1, 50]));
    expect(records).toEqual([
      { type: 'PTR', name: '_wled._tcp.local', target: 'desk._wled._tcp.local' },
      { type: 'SRV', name: 'desk._wled._tcp.local', target: 'wled-desk.local', port: 80 },
      { type: 'A', name: 'wled-desk.local', address: '192.168.1.50' },
    ]);
    expect(wledDevices(records)).toEqual([
      { name: 'desk', host: 'wled-desk.local', address: '192.168.1.50', port: 80 },
    ]);
  });

  it('ignores queries, truncated answers and pointer loops without throwing', () => {
    expect(parseMdnsResponse(mdnsQuery())).toEqual([]);
    const whole = answer('desk', 'wled-desk', [10, 0, 0, 2]);
    for (let cut = 0; cut < whole.length; cut += 7)
      expect(() => parseMdnsResponse(whole.subarray(0, cut))).not.toThrow();
    const loop = Buffer.concat([
      Buffer.from([0, 0, 0x84, 0, 0, 0, 0, 1, 0, 0, 0, 0]),
      Buffer.from([0xc0, 12]),
    ]);
    expect(parseMdnsResponse(loop)).toEqual([]);
  });
});

describe('discoverWled', () => {
  let responder: Socket | undefined;
  afterEach(async () => {
    const r = responder;
    responder = undefined;
    if (r !== undefined) await new Promise<void>((resolve) => r.close(() => resolve()));
  });

  it('finds the devices a loopback responder announces, ignoring junk', async () => {
    const questions: Buffer[] = [];
    const r = createSocket('udp4');
    responder = r;
    r.on('message', (message, from) => {
      questions.push(message);
      r.send(Buffer.from('not dns'), from.port, from.address);
      r.send(answer('desk', 'wled-desk', [192, 168, 1, 50]), from.port, from.address);
      r.send(answer('shelf', 'wled-shelf', [192, 168, 1, 51]), from.port, from.address);
    });
    await new Promise<void>((resolve) => r.bind(0, '127.0.0.1', resolve));
    const found = await discoverWled({ address: '127.0.0.1', port: r.address().port, timeoutMs: 300 });
    expect(questions.map((q) => q.toString('hex'))).toEqual([mdnsQuery().toString('hex')]);
    expect(found.map((d) => `${d.name} ${d.host} ${d.address}:${d.port}`)).toEqual([
      'desk wled-desk.local 192.168.1.50:80',
      'shelf wled-shelf.local 192.168.1.51:80',
    ]);
  });

  it('finds nothing when nobody answers, within its time', async () => {
    const r = createSocket('udp4');
    responder = r;
    await new Promise<void>((resolve) => r.bind(0, '127.0.0.1', resolve));
    const started = Date.now();
    expect(await discoverWled({ address: '127.0.0.1', port: r.address().port, timeoutMs: 200 })).toEqual([]);
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});

describe('ec2led wled list', () => {
  let responder: Socket | undefined;
  afterEach(async () => {
    const r = responder;
    responder = undefined;
    if (r !== undefined) await new Promise<void>((resolve) => r.close(() => resolve()));
  });

  async function run(argv: string[], answers: Buffer[]) {
    const r = createSocket('udp4');
    responder = r;
    r.on('message', (_, from) => {
      for (const a of answers) r.send(a, from.port, from.address);
    });
    await new Promise<void>((resolve) => r.bind(0, '127.0.0.1', resolve));
    const out: string[] = [];
    const err: string[] = [];
    const code = await wledMain(argv, {
      stdout: (t) => void out.push(t),
      stderr: (t) => void err.push(t),
      mdns: { address: '127.0.0.1', port: r.address().port },
    });
    return { code, out: out.join(''), err: err.join('') };
  }

  it('lists each device: name, host, address and port', async () => {
    const result = await run(['list', '--timeout', '0.3'], [answer('desk', 'wled-desk', [192, 168, 1, 50])]);
    expect(result).toEqual({ code: 0, out: 'desk  wled-desk.local  192.168.1.50:80\n', err: '' });
  });

  it('prints JSON with --json', async () => {
    const result = await run(
      ['list', '--json', '--timeout', '0.3'],
      [answer('desk', 'wled-desk', [10, 0, 0, 9])],
    );
    expect(JSON.parse(result.out)).toEqual([
      { name: 'desk', host: 'wled-desk.local', address: '10.0.0.9', port: 80 },
    ]);
  });

  it('exits 1 naming what to check when none answers, 2 on bad usage', async () => {
    const none = await run(['list', '--timeout', '0.2'], []);
    expect(none.code).toBe(1);
    expect(none.err).toContain('no WLED answered within 0.2 s');
    expect((await run(['find'], [])).code).toBe(2);
    const bad = await run(['list', '--timeout', 'soon'], []);
    expect(bad).toMatchObject({
      code: 2,
      err: expect.stringContaining('--timeout soon is not a number of seconds'),
    });
  });
});
