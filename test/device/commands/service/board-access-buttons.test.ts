import { describe, expect, it } from 'vitest';
import { boardAccess, withButtons } from '../../../../device/commands/service/board-access.ts';
import { displayOptionsSchema } from '../../../../device/config/display-options.ts';

const PI4 = 'Raspberry Pi 4 Model B Rev 1.4';

describe('board access with buttons', () => {
  it('puts the service user in the gpio group beside the board’s own (the HAT Mini: spi)', () => {
    const access = boardAccess(displayOptionsSchema.parse({ board: 'unicornhatmini' }), PI4);
    expect(withButtons(access, {}).groups).toEqual(['spi', 'gpio']);
  });

  it('changes nothing without buttons, for a board already in gpio, or one that runs as root', () => {
    const mini = boardAccess(displayOptionsSchema.parse({ board: 'unicornhatmini' }), PI4);
    expect(withButtons(mini, undefined)).toBe(mini);
    const pi5 = boardAccess(
      displayOptionsSchema.parse({ board: 'unicornhat' }),
      'Raspberry Pi 5 Model B Rev 1.0',
    );
    expect(withButtons(pi5, {}).groups).toEqual(['gpio']);
    const root = boardAccess(displayOptionsSchema.parse({ board: 'unicornhat' }), PI4);
    expect(withButtons(root, {})).toBe(root);
  });
});
