/**
 * Outputs: everything that shows the picture. The agent composes one picture per frame and hands it
 * to each output in turn: the LED display (or the terminal), the web board's event hub, the status
 * socket. Frame and legend travel together in the picture; no output reads the agent back.
 *
 * Contract: `open` before the first `show`; `show` may skip work for a picture it has already shown
 * (an animation frame leaves the legend unchanged, the same object); `close` is idempotent, safe if
 * `open` failed or never ran, and waits for nothing but its own output.
 */

import type { Logger } from '../base/log.ts';
import type { Picture } from '../picture/picture.ts';
import { type SlotMap, sameSlots } from '../picture/slots.ts';
import type { Display } from './display/display.ts';
import { saveSlots } from './slot-store.ts';

export interface Output {
  /** For the log: 'display', 'web board', 'status socket'. */
  readonly name: string;
  open(): Promise<void>;
  show(picture: Picture): Promise<void>;
  close(): Promise<void>;
  /** An output that lights LEDs: the brightness (0..1) from the next picture on. */
  setBrightness?(brightness: number): Promise<void>;
}

/**
 * The LED display or the terminal: the frame, with the legend for a board that prints one and the
 * night schedule's brightness (undefined without a schedule: the configured one).
 */
export function displayOutput(display: Display): Output {
  return {
    name: 'display',
    open: () => display.open(),
    show: (picture) => display.render(picture.frame, picture.legend, picture.brightness),
    close: () => display.close(),
    setBrightness: (brightness) => display.setBrightness(brightness),
  };
}

/**
 * Calls `changed` after a picture whose legend differs from the last one shown, by content. The
 * legend is serialized only when it is a new object (composePicture reuses it while nothing changed).
 */
export function legendOutput(name: string, changed: (picture: Picture) => void): Output {
  let last: Picture['legend'] | undefined;
  let key = '';
  return {
    name,
    open: async () => undefined,
    async show(picture) {
      if (picture.legend === last) return;
      last = picture.legend;
      const next = JSON.stringify(picture.legend);
      if (next === key) return;
      key = next;
      changed(picture);
    },
    close: async () => undefined,
  };
}

/**
 * The slot file: saved whenever the layout moves an instance (one save at a time, in order), so a
 * restart keeps every pixel; `close` waits for the last save. Layout warnings (bad pins) are logged
 * when they change.
 */
export function slotsOutput(stateDir: string, loaded: SlotMap, log: Logger): Output {
  let saved = loaded;
  let saving: Promise<void> = Promise.resolve();
  let warnings = '';
  return {
    name: 'slots',
    open: async () => undefined,
    async show({ layout }) {
      // An animation frame reuses the layout: the same slots object, nothing to compare.
      if (layout.slots !== saved && !sameSlots(layout.slots, saved)) {
        const next = layout.slots;
        saving = saving
          .then(() => saveSlots(stateDir, next))
          .catch((error: unknown) => log.warn('slots not saved', { error }));
      }
      saved = layout.slots;
      const text = layout.warnings.join('\n');
      if (text !== warnings && text !== '') log.warn('layout', { warnings: layout.warnings });
      warnings = text;
    },
    close: () => saving,
  };
}

/** Night mode's transitions in the log: the level, and the next change, each time the level changes. */
export function brightnessLogOutput(log: Logger): Output {
  let last = '';
  return {
    name: 'brightness log',
    open: async () => undefined,
    async show({ legend }) {
      const brightness = legend.brightness;
      if (brightness === undefined) return;
      const key = `${brightness.level}|${brightness.manual === true}|${brightness.urgent === true}`;
      if (key === last) return;
      last = key;
      log.info('brightness', {
        level: brightness.level,
        ...(brightness.manual === true ? { manual: true } : {}),
        ...(brightness.urgent === true ? { urgent: true } : {}),
        ...(brightness.next === undefined
          ? {}
          : { next: brightness.next.level, nextAt: new Date(brightness.next.atMs).toISOString() }),
      });
    },
    close: async () => undefined,
  };
}
