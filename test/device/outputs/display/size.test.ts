import { describe, expect, it } from 'vitest';
import { BOARD_KINDS, displayOptionsSchema } from '../../../../device/config/display-options.ts';
import { displaySize } from '../../../../device/config/display-size.ts';
import { createDisplay } from '../../../../device/outputs/display/open.ts';

describe('display size from the options alone', () => {
  it('equals the size createDisplay builds, for every board and rotation', () => {
    for (const board of BOARD_KINDS) {
      for (const rotation of [0, 90, 180, 270] as const) {
        const options = displayOptionsSchema.parse({ board, rotation, virtualWidth: 9, virtualHeight: 3 });
        if (board === 'web') {
          // No display: the web board's picture has the virtual size, whatever the rotation.
          expect(displaySize(options), `${board} at ${rotation}`).toEqual({ width: 9, height: 3 });
          continue;
        }
        const display = createDisplay(options, {
          output: {
            write: (_chunk, done) => {
              done();
              return true;
            },
          },
        });
        expect(displaySize(options), `${board} at ${rotation}`).toEqual({
          width: display.width,
          height: display.height,
        });
      }
    }
  });
});
