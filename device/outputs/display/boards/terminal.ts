/**
 * The terminal board: the picture as truecolour half-blocks with the legend below, on any writable
 * stream (stdout locally or over SSH). It draws on the terminal's alternate screen, from the cursor
 * home position, erasing what the previous frame left, so frames replace each other instead of
 * scrolling; close leaves the alternate screen, which restores the user's screen and cursor, and
 * resets colours. A virtual board: it shows logical colours, without brightness, gamma or rotation.
 * Into a pipe or a file (`plain`) it writes the status and legend as text, and only on a change.
 */

import { sanitizeText } from '../../../base/sanitize.ts';
import type { Frame } from '../../../picture/frame.ts';
import { emptyLegend, type Legend } from '../../../picture/legend.ts';
import type { Board, BoardProfile } from './board.ts';
import { drawLegend, drawStatus, formatAge } from './terminal-legend.ts';
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
  /**
   * Lines under the status line ("\n" between them), read once per frame (the demo shows its URL,
   * clock and status command).
   */
  readonly caption?: () => string;
  /**
   * Redraw the last frame every this many milliseconds while open, so a caption's clock and the
   * "since" column move while nothing changes (the demo). Default none: a frame per change only.
   */
  readonly refreshMs?: number;
  /** The "since" cell from the state's start and now; default formatAge (the demo scales it). */
  readonly age?: (sinceMs: number, nowMs: number) => string;
  /**
   * Default false. True for output that is not a terminal (a pipe, a file, journald): no screen
   * control, no colour, no picture; the status line and the legend as plain text, written only when
   * the board view changed, never per animation frame.
   */
  readonly plain?: boolean;
}

/** The status line and the caption's lines, each sanitized. */
function headerLines(view: Legend, caption: string | undefined): string[] {
  return [drawStatus(view), ...(caption === undefined ? [] : caption.split('\n').map(sanitizeText))];
}

/** The plain-text board for output that is not a terminal: status, caption, legend, a blank line. */
export function drawPlain(
  view: Legend,
  nowMs: number,
  caption?: string,
  age: (sinceMs: number, nowMs: number) => string = formatAge,
): string {
  const legend = drawLegend(view, nowMs, 100, Number.POSITIVE_INFINITY, false, age);
  return `${[...headerLines(view, caption), ...legend].join('\n')}\n\n`;
}

/** The whole screen for one frame: home, status, picture, legend, each line erased to its end. */
export function drawScreen(
  frame: Frame,
  view: Legend,
  nowMs: number,
  output: TerminalOutput,
  caption?: string,
  age: (sinceMs: number, nowMs: number) => string = formatAge,
): string {
  const picture = drawPicture(frame);
  const header = headerLines(view, caption);
  const spare =
    output.rows === undefined ? Number.POSITIVE_INFINITY : output.rows - picture.length - 2 - header.length;
  const legend = drawLegend(view, nowMs, output.columns, Math.max(spare, 2), true, age);
  const lines = [...header, ...picture, '', ...legend];
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
  const age = deps.age ?? formatAge;
  let open = false;
  /** Plain mode: the view last written, so that an animation frame writes nothing. */
  let lastView: string | undefined;
  /** Screen mode with refreshMs: the last frame shown, redrawn by the timer; writes in order. */
  let last: { frame: Frame; view: Legend } | undefined;
  let timer: NodeJS.Timeout | undefined;
  let writing: Promise<void> = Promise.resolve();

  const write = (chunk: string) => {
    const written = writing.then(
      () =>
        new Promise<void>((resolve, reject) => {
          deps.output.write(chunk, (error) => (error ? reject(error) : resolve()));
        }),
    );
    writing = written.catch(() => undefined);
    return written;
  };
  const screen = (frame: Frame, view: Legend) =>
    drawScreen(frame, view, now(), deps.output, deps.caption?.(), age);
  const refresh = () => {
    if (!open || last === undefined) return;
    write(screen(last.frame, last.view)).catch(() => undefined); // the next show() reports a broken output
  };

  return {
    profile,
    async open() {
      open = true;
      lastView = undefined;
      if (plain) return;
      await write(`${ENTER_SCREEN}${HOME}${ERASE_BELOW}`);
      if (deps.refreshMs !== undefined && timer === undefined) {
        timer = setInterval(refresh, deps.refreshMs);
        timer.unref();
      }
    },
    async show(frame, legend) {
      if (!open) throw new Error('terminal is not open; call open() first');
      const view = legend ?? emptyLegend(deps.width, deps.height);
      if (!plain) {
        last = { frame, view };
        await write(screen(frame, view));
        return;
      }
      const key = JSON.stringify(view);
      if (key === lastView) return;
      lastView = key;
      await write(drawPlain(view, now(), deps.caption?.(), age));
    },
    async close() {
      if (!open) return;
      open = false;
      clearInterval(timer);
      timer = undefined;
      last = undefined;
      if (!plain) await write(`${HOME}${ERASE_BELOW}${LEAVE_SCREEN}`);
    },
  };
}
