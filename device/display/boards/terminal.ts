/**
 * The terminal board: the picture as truecolour half-blocks with the legend below, on any writable
 * stream (stdout locally or over SSH). It draws on the terminal's alternate screen, from the cursor
 * home position, erasing what the previous frame left, so frames replace each other instead of
 * scrolling; close leaves the alternate screen, which restores the user's screen and cursor, and
 * resets colours. A virtual board: it shows logical colours, without brightness, gamma or rotation.
 * Into a pipe or a file (`plain`) it writes the status and legend as text, and only on a change.
 */
import { emptyLegend, type Legend } from '../../layout/legend.ts';
import type { Frame } from '../display.ts';
import { sanitizeText } from '../sanitize.ts';
import type { Board, BoardProfile } from './board.ts';
import { drawLegend, drawStatus } from './terminal-legend.ts';
import { drawPicture, ESC, RESET } from './terminal-picture.ts';

export const ENTER_SCREEN = `${ESC}[?1049h${ESC}[?25l`; // alternate screen, hide cursor
export const LEAVE_SCREEN = `${RESET}${ESC}[?25h${ESC}[?1049l`; // reset colours, show cursor, main screen
export const HOME = `${ESC}[H`;
const ERASE_LINE = `${ESC}[K`;
const ERASE_BELOW = `${ESC}[J`;

/** What the board needs of a stream; process.stdout and any net.Socket qualify. */
export interface TerminalOutput {
  write(chunk: string, callback: (error?: Error | null) => void): boolean;
  readonly rows?: number;
  readonly columns?: number;
  /** True on a terminal (process.stdout.isTTY); absent or false for a pipe or a file. */
  readonly isTTY?: boolean;
}

export interface TerminalDeps {
  readonly output: TerminalOutput;
  readonly width: number;
  readonly height: number;
  /** Epoch milliseconds, for the "since" column. */
  readonly now?: () => number;
  /** One line under the status line, read once per frame (the demo shows its URL and clock). */
  readonly caption?: () => string;
  /**
   * Default false. True for output that is not a terminal (a pipe, a file, journald): no screen
   * control, no colour, no picture; the status line and the legend as plain text, written only when
   * the board view changed, never per animation frame.
   */
  readonly plain?: boolean;
}

/** The plain-text board for output that is not a terminal: status, caption, legend, a blank line. */
export function drawPlain(view: Legend, nowMs: number, caption?: string): string {
  const header = caption === undefined ? [drawStatus(view)] : [drawStatus(view), sanitizeText(caption)];
  return `${[...header, ...drawLegend(view, nowMs, 100, Number.POSITIVE_INFINITY, false)].join('\n')}\n\n`;
}

/** The whole screen for one frame: home, status, picture, legend, each line erased to its end. */
export function drawScreen(
  frame: Frame,
  view: Legend,
  nowMs: number,
  output: TerminalOutput,
  caption?: string,
): string {
  const picture = drawPicture(frame);
  const header = caption === undefined ? [drawStatus(view)] : [drawStatus(view), sanitizeText(caption)];
  const spare =
    output.rows === undefined ? Number.POSITIVE_INFINITY : output.rows - picture.length - 2 - header.length;
  const lines = [...header, ...picture, '', ...drawLegend(view, nowMs, output.columns, Math.max(spare, 2))];
  return `${HOME}${lines.map((line) => `${line}${ERASE_LINE}`).join('\n')}\n${ERASE_BELOW}`;
}

export function createTerminalBoard(deps: TerminalDeps): Board {
  const profile: BoardProfile = {
    kind: 'terminal',
    width: deps.width,
    height: deps.height,
    brightness: 'none',
    capLevel: 255,
  };
  const now = deps.now ?? Date.now;
  const plain = deps.plain === true;
  let open = false;
  /** Plain mode: the view last written, so that an animation frame writes nothing. */
  let lastView: string | undefined;

  const write = (chunk: string) =>
    new Promise<void>((resolve, reject) => {
      deps.output.write(chunk, (error) => (error ? reject(error) : resolve()));
    });

  return {
    profile,
    async open() {
      open = true;
      lastView = undefined;
      if (!plain) await write(`${ENTER_SCREEN}${HOME}${ERASE_BELOW}`);
    },
    async show(frame, legend) {
      if (!open) throw new Error('terminal is not open; call open() first');
      const view = legend ?? emptyLegend(deps.width, deps.height);
      if (!plain) {
        await write(drawScreen(frame, view, now(), deps.output, deps.caption?.()));
        return;
      }
      const key = JSON.stringify(view);
      if (key === lastView) return;
      lastView = key;
      await write(drawPlain(view, now(), deps.caption?.()));
    },
    async close() {
      if (!open) return;
      open = false;
      if (!plain) await write(`${HOME}${ERASE_BELOW}${LEAVE_SCREEN}`);
    },
  };
}
