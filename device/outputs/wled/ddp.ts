/**
 * DDP, the Distributed Display Protocol (3waylabs.com/ddp), as WLED receives it: one frame of RGB
 * LEDs as UDP datagrams to port 4048. Pure: bytes in, bytes out.
 *
 * Contract:
 * - Every packet has the 10-byte header: byte 0 flags, version 1 (0x40) with push (0x01) on the last
 *   packet of a frame only; byte 1 the sequence number 1-15 (0 means "unused" to a receiver), the same
 *   for every packet of one frame; byte 2 the data type 0x0B (RGB, 8 bits a channel); byte 3 the
 *   destination 1 (the display); bytes 4-7 the byte offset into the frame, big-endian; bytes 8-9 the
 *   data length, big-endian. No timecode.
 * - At most 1,440 data bytes (480 LEDs) a packet: a frame is split by offset, in order, every packet
 *   full but the last. An empty frame is one empty push packet.
 * - `decodeDdp` returns undefined for anything that is not a DDP data packet of ours (too short,
 *   another version, a length the datagram does not hold): a receiver drops it.
 *
 * WLED's receiving side: wled00/e131.cpp `handleDDPPacket` (offset in bytes divided by 3 for RGB,
 * renders on push, reads sequence numbers to drop late packets of an earlier frame); its own sender
 * and constants: wled00/udp.cpp (`DDP_CHANNELS_PER_PACKET` packets, push on the last one) and
 * wled00/src/dependencies/e131/ESPAsyncE131.h (`DDP_DEFAULT_PORT` 4048, `DDP_TYPE_RGB24` 0x0B,
 * `DDP_ID_DISPLAY` 1), github.com/wled/WLED.
 */

export const DDP_PORT = 4048;
export const DDP_HEADER_BYTES = 10;
/** 480 RGB LEDs: WLED's DDP_CHANNELS_PER_PACKET, and the most a 1,500-byte Ethernet MTU carries whole. */
export const DDP_MAX_DATA_BYTES = 1_440;

const FLAG_VERSION_1 = 0x40;
const FLAG_PUSH = 0x01;
const VERSION_MASK = 0xc0;
const TYPE_RGB8 = 0x0b;
const DESTINATION_DISPLAY = 1;

/** The sequence number after `sequence`: 1..15, wrapping to 1 (0 is "no sequence number"). */
export function nextSequence(sequence: number): number {
  return (sequence % 15) + 1;
}

/** One frame (`rgb`: 3 bytes an LED, LED 0 first) as DDP packets, in the order to send them. */
export function encodeDdp(rgb: Uint8Array, sequence: number): Buffer[] {
  if (!Number.isInteger(sequence) || sequence < 1 || sequence > 15) {
    throw new Error(`DDP sequence ${sequence} out of range 1-15`);
  }
  const packets: Buffer[] = [];
  let offset = 0;
  do {
    const length = Math.min(DDP_MAX_DATA_BYTES, rgb.length - offset);
    const last = offset + length >= rgb.length;
    const packet = Buffer.alloc(DDP_HEADER_BYTES + length);
    packet[0] = FLAG_VERSION_1 | (last ? FLAG_PUSH : 0);
    packet[1] = sequence;
    packet[2] = TYPE_RGB8;
    packet[3] = DESTINATION_DISPLAY;
    packet.writeUInt32BE(offset, 4);
    packet.writeUInt16BE(length, 8);
    packet.set(rgb.subarray(offset, offset + length), DDP_HEADER_BYTES);
    packets.push(packet);
    offset += length;
  } while (offset < rgb.length);
  return packets;
}

export interface DdpPacket {
  readonly push: boolean;
  readonly sequence: number;
  readonly dataType: number;
  readonly destination: number;
  /** Byte offset of `data` in the frame. */
  readonly offset: number;
  readonly data: Uint8Array;
}

/** A received datagram as a DDP data packet, or undefined when it is not one (see the contract). */
export function decodeDdp(packet: Uint8Array): DdpPacket | undefined {
  if (packet.length < DDP_HEADER_BYTES) return undefined;
  const flags = packet[0] as number;
  if ((flags & VERSION_MASK) !== FLAG_VERSION_1) return undefined;
  const view = new DataView(packet.buffer, packet.byteOffset, packet.byteLength);
  const length = view.getUint16(8);
  if (packet.length < DDP_HEADER_BYTES + length) return undefined;
  return {
    push: (flags & FLAG_PUSH) !== 0,
    sequence: (packet[1] as number) & 0x0f,
    dataType: packet[2] as number,
    destination: packet[3] as number,
    offset: view.getUint32(4),
    data: packet.subarray(DDP_HEADER_BYTES, DDP_HEADER_BYTES + length),
  };
}

/**
 * Reassembles frames from decoded packets as a receiver does: data lands at its offset, a push
 * packet completes the frame. Bounded: a frame beyond `maxBytes` is refused, not grown. For tests
 * and for anyone checking what a sender sent.
 */
export function createDdpAssembler(maxBytes = 3 * 4_096): {
  add(packet: DdpPacket): Uint8Array | undefined;
} {
  let buffer = new Uint8Array(0);
  let filled = 0;
  return {
    add(packet) {
      const end = packet.offset + packet.data.length;
      if (end > maxBytes) return undefined;
      if (end > buffer.length) {
        const grown = new Uint8Array(end);
        grown.set(buffer.subarray(0, filled));
        buffer = grown;
      }
      buffer.set(packet.data, packet.offset);
      filled = Math.max(filled, end);
      if (!packet.push) return undefined;
      const frame = buffer.slice(0, filled);
      buffer = new Uint8Array(0);
      filled = 0;
      return frame;
    },
  };
}
