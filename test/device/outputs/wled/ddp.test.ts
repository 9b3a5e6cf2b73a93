import { describe, expect, it } from 'vitest';
import {
  createDdpAssembler,
  DDP_MAX_DATA_BYTES,
  decodeDdp,
  encodeDdp,
  nextSequence,
} from '../../../../device/outputs/wled/ddp.ts';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

describe('encodeDdp', () => {
  it('writes the 10-byte header of a one-packet frame: version 1 with push, sequence, RGB 8-bit, display, offset, length', () => {
    const [packet, ...rest] = encodeDdp(Uint8Array.from([0xff, 0x00, 0x10, 0x01, 0x02, 0x03]), 5);
    expect(rest).toEqual([]);
    // 3waylabs.com/ddp: flags 0x41 (V1 | PUSH), seq 5, type 0x0B, id 1, offset 0, length 6.
    expect(hex(packet as Buffer)).toBe('41050b01' + '00000000' + '0006' + 'ff0010010203');
  });

  it('splits a frame into packets of 1,440 data bytes by offset, push on the last only', () => {
    const leds = 1_000; // 3,000 bytes: 1,440 + 1,440 + 120
    const rgb = Uint8Array.from({ length: leds * 3 }, (_, i) => i % 251);
    const packets = encodeDdp(rgb, 15);
    expect(packets.map((p) => p.length)).toEqual([1_450, 1_450, 130]);
    expect(packets.map((p) => hex(p.subarray(0, 10)))).toEqual([
      '400f0b01' + '00000000' + '05a0',
      '400f0b01' + '000005a0' + '05a0',
      '410f0b01' + '00000b40' + '0078',
    ]);
    expect(Buffer.concat(packets.map((p) => p.subarray(10)))).toEqual(Buffer.from(rgb));
  });

  it('sends a frame of exactly 480 LEDs as one full packet with push', () => {
    const packets = encodeDdp(new Uint8Array(DDP_MAX_DATA_BYTES), 1);
    expect(packets).toHaveLength(1);
    expect(hex((packets[0] as Buffer).subarray(0, 10))).toBe('41010b010000000005a0');
  });

  it('sends an empty frame as one empty push packet', () => {
    expect(encodeDdp(new Uint8Array(0), 1).map(hex)).toEqual(['41010b01000000000000']);
  });

  it('refuses a sequence number outside 1-15', () => {
    expect(() => encodeDdp(new Uint8Array(3), 0)).toThrow('DDP sequence 0 out of range 1-15');
    expect(() => encodeDdp(new Uint8Array(3), 16)).toThrow('out of range 1-15');
  });

  it('counts sequence numbers 1 to 15 and wraps to 1, never 0', () => {
    const seen = [1];
    for (let i = 0; i < 16; i++) seen.push(nextSequence(seen.at(-1) as number));
    expect(seen).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 1, 2]);
  });
});

describe('decodeDdp and the assembler', () => {
  it('round-trips a split frame', () => {
    const rgb = Uint8Array.from({ length: 700 * 3 }, (_, i) => (i * 7) % 256);
    const assembler = createDdpAssembler();
    const frames = encodeDdp(rgb, 3)
      .map((p) => decodeDdp(p))
      .map((p) => (p === undefined ? undefined : assembler.add(p)));
    expect(frames.slice(0, -1)).toEqual([undefined]);
    expect(frames.at(-1)).toEqual(rgb);
    expect(decodeDdp(encodeDdp(rgb, 3)[1] as Buffer)).toMatchObject({
      push: true,
      sequence: 3,
      dataType: 0x0b,
      destination: 1,
      offset: 1_440,
    });
  });

  it('drops what is not a DDP data packet: short, another version, a length the datagram lacks', () => {
    expect(decodeDdp(Uint8Array.from([0x41, 1, 0x0b]))).toBeUndefined();
    expect(decodeDdp(Buffer.from('81010b01000000000000', 'hex'))).toBeUndefined();
    expect(decodeDdp(Buffer.from('41010b010000000000ff00', 'hex'))).toBeUndefined();
  });

  it('refuses to grow a frame beyond its bound', () => {
    const assembler = createDdpAssembler(6);
    expect(
      assembler.add({
        push: true,
        sequence: 1,
        dataType: 11,
        destination: 1,
        offset: 6,
        data: new Uint8Array(3),
      }),
    ).toBeUndefined();
  });
});
