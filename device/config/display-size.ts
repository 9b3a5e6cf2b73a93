/**
 * The logical size a `display` config gives, without creating or opening anything: the config
 * checks need it to refuse pins outside the board before any bus is touched. Physical boards have
 * their own size (rotation 90 and 270 swap it); the virtual ones (terminal, web, none) take
 * virtualWidth x virtualHeight and ignore rotation. test/device/outputs/display/size.test.ts holds this
 * table to what createDisplay builds.
 */
import { logicalSize, type Size } from '../picture/frame.ts';
import type { BoardKind, DisplayOptions } from './display-options.ts';

const PHYSICAL: Readonly<Record<Exclude<BoardKind, 'terminal' | 'web' | 'none'>, Size>> = {
  unicornhathd: { width: 16, height: 16 },
  unicornhatmini: { width: 17, height: 7 },
  rgbmatrix5x5: { width: 5, height: 5 },
  ledshim: { width: 28, height: 1 },
  unicornhat: { width: 8, height: 8 },
  unicornphat: { width: 8, height: 4 },
};

export function displaySize(
  options: Pick<DisplayOptions, 'board' | 'rotation' | 'virtualWidth' | 'virtualHeight'>,
): Size {
  const { board } = options;
  if (board === 'terminal' || board === 'web' || board === 'none') {
    return { width: options.virtualWidth, height: options.virtualHeight };
  }
  return logicalSize(PHYSICAL[board], options.rotation);
}
