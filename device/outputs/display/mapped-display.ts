/**
 * Turns a Board (physical frames, bytes on a bus) into a Display (logical frames): checks the frame
 * size, applies the mapping, and keeps the lifecycle promises of display.ts: a failed open releases
 * what it acquired, close is idempotent, shared by concurrent callers, and waits for an open in flight.
 */

import type { DisplayOptions } from '../../config/display-options.ts';
import type { Frame } from '../../picture/frame.ts';
import { assertFrameSize, logicalSize } from '../../picture/frame.ts';
import type { Legend } from '../../picture/legend.ts';
import type { Board, BoardProfile } from './boards/board.ts';
import type { Display } from './display.ts';
import { brightnessLevel, IDENTITY_MAPPING, type Mapping, mapFrame } from './mapping.ts';

type MappingOptions = Pick<DisplayOptions, 'rotation' | 'flipX' | 'flipY' | 'brightness' | 'gamma'>;

/**
 * The mapping a board gets from the options: virtual boards none at all; a board with hardware
 * brightness (HAT Mini) everything but brightness; the rest everything, brightness clamped to the cap.
 */
export function mappingFor(profile: BoardProfile, options: MappingOptions): Mapping {
  const { rotation, flipX, flipY, gamma } = options;
  switch (profile.brightness) {
    case 'none':
      return IDENTITY_MAPPING;
    case 'hardware':
      return { rotation, flipX, flipY, level: 255, gamma };
    case 'software':
      return { rotation, flipX, flipY, level: brightnessLevel(options.brightness, profile.capLevel), gamma };
  }
}

export function mappedDisplay(board: Board, initial: Mapping): Display {
  let mapping = initial;
  const { profile } = board;
  const physical = { width: profile.width, height: profile.height };
  const logical = logicalSize(physical, mapping.rotation);
  const who = `display ${profile.kind} (rotation ${mapping.rotation})`;
  let isOpen = false;
  /** The brightness last sent to a 'hardware' board: the one it opened with until a frame says otherwise. */
  let hardwareBrightness: number | undefined;
  let opening: Promise<void> | undefined;
  let closing: Promise<void> | undefined;

  const openBoard = async (): Promise<void> => {
    await closing?.catch(() => undefined);
    try {
      await board.open();
      isOpen = true;
    } catch (error) {
      // Release whatever open acquired; the open error is the one worth reporting.
      await board.close().catch(() => undefined);
      throw error;
    }
  };

  return {
    kind: profile.kind,
    width: logical.width,
    height: logical.height,
    open() {
      if (isOpen) return Promise.resolve();
      opening ??= openBoard().finally(() => {
        opening = undefined;
      });
      return opening;
    },
    async render(frame: Frame, legend?: Legend, brightness?: number) {
      assertFrameSize(frame, logical.width, logical.height, who);
      if (!isOpen) throw new Error(`${who} is not open; call open() first`);
      let frameMapping = mapping;
      if (brightness !== undefined && profile.brightness === 'software') {
        frameMapping = { ...mapping, level: brightnessLevel(brightness, profile.capLevel) };
      }
      if (
        brightness !== undefined &&
        profile.brightness === 'hardware' &&
        brightness !== hardwareBrightness
      ) {
        await board.setBrightness?.(brightness);
        hardwareBrightness = brightness;
      }
      await board.show(mapFrame(frame, physical, frameMapping), legend);
    },
    async setBrightness(brightness: number) {
      const level = brightnessLevel(brightness, profile.capLevel);
      if (profile.brightness === 'software') mapping = { ...mapping, level };
      else if (profile.brightness === 'hardware') await board.setBrightness?.(brightness);
    },
    close() {
      // A close during a slow open (a shutdown signal at start-up) waits for it, then blanks.
      closing ??= (async () => {
        await opening?.catch(() => undefined);
        isOpen = false;
        hardwareBrightness = undefined;
        await board.close();
      })().finally(() => {
        closing = undefined;
      });
      return closing;
    },
  };
}
