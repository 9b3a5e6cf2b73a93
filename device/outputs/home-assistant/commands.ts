/**
 * Home Assistant's light commands as they arrive on the command topic: read (discovery.ts
 * `parseLightCommand`), obeyed through the callbacks, and logged at a bounded cost.
 *
 * Contract:
 * - A payload over MAX_COMMAND_BYTES is refused before it is decoded; nothing received throws.
 * - A level becomes `onLevel(level)`; a flash becomes `onFlash(durationMs)` and nothing else.
 * - The log says what happened, not every command: the first command obeyed (or ignored) after a
 *   quiet minute is logged at once, the rest are counted, per level and per reason, into one line a
 *   minute at most (drop-report.ts). 10,000 commands in a burst cost two lines, however they vary.
 */

import type { Logger } from '../../base/log.ts';
import type { Level } from '../../brightness/schedule.ts';
import { createDropReport } from '../../sources/drop-report.ts';
import { parseLightCommand } from './discovery.ts';

/** `{"state":"ON","brightness":255,"flash":10,"transition":2}` and all else Home Assistant sends is far smaller. */
export const MAX_COMMAND_BYTES = 1024;

export interface LightCommandsOptions {
  readonly log: Logger;
  /** The level "ON" without a brightness goes back to (the level now if lit, else display.brightness). */
  readonly onLevelNow: () => number;
  readonly onLevel: (level: Level) => void;
  readonly onFlash: (durationMs: number) => void;
}

export interface LightCommands {
  receive(payload: ArrayBuffer): void;
  /** Logs what is still counted. */
  close(): void;
}

export function lightCommands(options: LightCommandsOptions): LightCommands {
  const { log } = options;
  const ignored = createDropReport({
    log,
    message: 'light commands ignored',
    context: { fix: 'send {"state":"ON","brightness":0-255}, {"state":"OFF"} or {"state":"ON","flash":2}' },
  });
  const obeyed = createDropReport({ log, level: 'info', message: 'light commands', countName: 'commands' });
  const decoder = new TextDecoder('utf-8', { fatal: false });
  return {
    receive(payload) {
      try {
        if (payload.byteLength > MAX_COMMAND_BYTES) {
          ignored.drop(`larger than ${MAX_COMMAND_BYTES} bytes`);
          return;
        }
        const command = parseLightCommand(decoder.decode(payload), options.onLevelNow());
        if (!command.ok) {
          ignored.drop(command.reason);
        } else if (command.action === 'flash') {
          obeyed.drop(`flash ${command.durationMs / 1000} s`);
          options.onFlash(command.durationMs);
        } else {
          obeyed.drop(`level ${command.level}`);
          options.onLevel(command.level);
        }
      } catch (error) {
        log.error('light command failed', { error: (error as Error).message });
      }
    },
    close() {
      ignored.close();
      obeyed.close();
    },
  };
}
