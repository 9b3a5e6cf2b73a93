/**
 * The board that shows nothing: for headless runs and tests. It still has a size, so the layout and
 * the frame-size check behave exactly as with a real board.
 */
import type { Board } from './board.ts';

export function createNoneBoard(width: number, height: number): Board {
  return {
    profile: { kind: 'none', width, height, brightness: 'none', capLevel: 255 },
    async open() {},
    async show() {},
    async close() {},
  };
}
