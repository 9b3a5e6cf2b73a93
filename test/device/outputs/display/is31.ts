/** Expected IS31FL3731 traffic (docs/reference/hardware.md §5), spelled out as FakeI2cBus log lines. */
import { hex } from '../../../fakes/display/hex.ts';

/** The five block writes of a 144-byte PWM image: 0x24, 0x44, 0x64, 0x84 (32 bytes), 0xA4 (16) (§5.4). */
export function pwmBlocks(address: number, pwm: Uint8Array): string[] {
  const a = hex([address]);
  return [0, 32, 64, 96, 128].map(
    (offset) => `${a}: ${hex([0x24 + offset, ...pwm.subarray(offset, offset + 32)])}`,
  );
}

/** Write the PWM image into `frame`, then show it (§5.4). */
export function showFrame(address: number, frame: number, pwm: Uint8Array): string[] {
  const a = hex([address]);
  return [`${a}: FD ${hex([frame])}`, ...pwmBlocks(address, pwm), `${a}: FD 0B`, `${a}: 01 ${hex([frame])}`];
}

/** The §5.3 init sequence, with Pimoroni's blank show() as step 2 into `firstFrame`. */
export function initSequence(address: number, enable: string, firstFrame: number): string[] {
  const a = hex([address]);
  return [
    `${a}: FD 0B`,
    `${a}: 0A 00`,
    `${a}: FD 0B`,
    `${a}: 0A 01`,
    ...showFrame(address, firstFrame, new Uint8Array(144)),
    `${a}: FD 0B`,
    `${a}: 00 00`,
    `${a}: FD 0B`,
    `${a}: 06 00`,
    `${a}: FD 01`,
    `${a}: 00 ${enable}`,
    `${a}: FD 00`,
    `${a}: 00 ${enable}`,
  ];
}

/** A 144-byte PWM image with `values` at the given offsets (relative to register 0x24). */
export function pwmWith(entries: readonly (readonly [offset: number, value: number])[]): Uint8Array {
  const pwm = new Uint8Array(144);
  for (const [offset, value] of entries) pwm[offset] = value;
  return pwm;
}
