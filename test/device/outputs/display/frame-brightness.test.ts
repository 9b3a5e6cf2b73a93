/**
 * The night schedule's brightness per frame: it replaces the configured one for that frame, capped
 * like it; a hardware-brightness board gets its register written only when the value changes.
 */
import { describe, expect, it } from 'vitest';
import type { Board, BoardProfile } from '../../../../device/outputs/display/boards/board.ts';
import { createUnicornHatMini } from '../../../../device/outputs/display/boards/unicornhatmini.ts';
import { mappedDisplay, mappingFor } from '../../../../device/outputs/display/mapped-display.ts';
import type { Frame } from '../../../../device/picture/frame.ts';
import { FakeSpiBus } from '../../../fakes/display/fake-spi-bus.ts';
import { hex } from '../../../fakes/display/hex.ts';
import { onePixel } from './frames.ts';

/** A board that records the physical frames it is shown. */
function recordingBoard(profile: BoardProfile): Board & { shown: Frame[] } {
  const shown: Frame[] = [];
  return {
    profile,
    shown,
    open: async () => undefined,
    show: async (frame) => void shown.push(frame),
    close: async () => undefined,
  };
}

const options = { rotation: 0, flipX: false, flipY: false, brightness: 0.5, gamma: false } as const;
const white = onePixel(2, 1, 0, 0, [200, 200, 200]);

describe('per-frame brightness', () => {
  it('scales a software board by the frame brightness, capped, and falls back to the configured one', async () => {
    const board = recordingBoard({
      kind: 'unicornhat',
      width: 2,
      height: 1,
      brightness: 'software',
      capLevel: 128,
    });
    const display = mappedDisplay(board, mappingFor(board.profile, options));
    await display.open();
    await display.render(white, undefined, 0.25);
    await display.render(white, undefined, 1);
    await display.render(white, undefined, 0);
    await display.render(white);
    // 200 * 64/255 = 50; 1.0 is held at the cap 128 (200 * 128/255 = 100); 0 is dark; no value: 0.5 -> 100.
    expect(board.shown.map((frame) => frame.rgb[0])).toEqual([50, 100, 0, 100]);
  });

  it('ignores it on a virtual board, which shows logical colours', async () => {
    const board = recordingBoard({ kind: 'none', width: 2, height: 1, brightness: 'none', capLevel: 255 });
    const display = mappedDisplay(board, mappingFor(board.profile, options));
    await display.open();
    await display.render(white, undefined, 0);
    expect(board.shown[0]?.rgb[0]).toBe(200);
  });

  it('writes the HAT Mini brightness register (0x37) on each controller only when the value changes', async () => {
    const buses = [new FakeSpiBus(), new FakeSpiBus()] as const;
    const board = createUnicornHatMini({ openSpi: async (cs) => buses[cs], brightness: 0.5 });
    const display = mappedDisplay(board, mappingFor(board.profile, options));
    await display.open();
    for (const bus of buses) bus.clear();
    const frame = onePixel(17, 7, 0, 0, [0, 0, 0]);
    await display.render(frame, undefined, 0.1);
    await display.render(frame, undefined, 0.1);
    await display.render(frame, undefined, 0);
    for (const bus of buses) {
      const registers = bus.transfers.filter((t) => t[0] === 0x37).map((t) => hex(t));
      expect(registers).toEqual([hex(Uint8Array.from([0x37, 6])), hex(Uint8Array.from([0x37, 0]))]);
    }
  });
});
