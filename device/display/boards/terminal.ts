/**
 * The terminal board: the picture as truecolour half-blocks with the legend below, on any writable
 * stream (stdout locally or over SSH). It draws on the terminal's alternate screen, from the cursor
 * home position, erasing what the previous frame left, so frames replace each other instead of
 * scrolling; close leaves the alternate screen, which restores the user's screen and cursor, and
 * resets colours. A virtual board: it shows logical colours, without brightness, gamma or rotation.
 */
import type { BoardView } from '../board-view.ts';
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
}

export interface TerminalDeps {
  readonly output: TerminalOutput;
  /** The current board view, read once per frame for the legend. */
  readonly legend: () => BoardView;
  readonly width: number;
  readonly height: number;
  /** Epoch milliseconds, for the "since" column. */
  readonly now?: () => number;
  /** One line under the status line, read once per frame (the demo shows its URL and clock). */
  readonly caption?: () => string;
}

/** The whole screen for one frame: home, status, picture, legend, each line erased to its end. */
export function drawScreen(
  frame: Frame,
  view: BoardView,
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
  let open = false;

  const write = (chunk: string) =>
    new Promise<void>((resolve, reject) => {
      deps.output.write(chunk, (error) => (error ? reject(error) : resolve()));
    });

  return {
    profile,
    async open() {
      open = true;
      await write(`${ENTER_SCREEN}${HOME}${ERASE_BELOW}`);
    },
    async show(frame) {
      if (!open) throw new Error('terminal is not open; call open() first');
      await write(drawScreen(frame, deps.legend(), now(), deps.output, deps.caption?.()));
    },
    async close() {
      if (!open) return;
      open = false;
      await write(`${HOME}${ERASE_BELOW}${LEAVE_SCREEN}`);
    },
  };
}
