/**
 * `ec2led replay FILE [--board WxH|KIND] [--json]`: what the board would show after these events.
 * Data (the legend or the JSON board) to stdout; on a terminal the board's picture, in colour,
 * above the legend. Bad lines to stderr with their line numbers and the offending value.
 * Exit codes: 0 all applied (events of another kind are ignored), 1 some input was bad (the rest
 * is still shown), 2 usage.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { BOARD_KINDS, type BoardKind, DEFAULT_DISPLAY_OPTIONS } from '../../config/display-options.ts';
import { pictureSettings } from '../../config/picture-settings.ts';
import { drawLegend } from '../../outputs/display/boards/terminal-legend.ts';
import { drawPicture } from '../../outputs/display/boards/terminal-picture.ts';
import { createDisplay } from '../../outputs/display/open.ts';
import { blankFrame } from '../../picture/frame.ts';
import type { Legend } from '../../picture/legend.ts';
import type { PictureSettings } from '../../picture/picture.ts';
import { wrapHelp } from '../cli/help.ts';
import type { Io } from '../cli/io.ts';
import { parseReplayFile, replay } from './replay.ts';

export const REPLAY_USAGE = `ec2led replay — the board after a file of EventBridge events

Examples:
  ec2led replay events.json
  ec2led replay events.jsonl --board unicornhathd
  ec2led replay events.jsonl --board 8x4 --json | jq .overflow
  ec2led replay events.jsonl --config /etc/ec2led/config.json

FILE is a JSON array of EC2 state-change, CloudWatch Alarm State Change, CodePipeline Pipeline
Execution State Change and ECS Deployment State Change events and instance notices (Spot
interruption warnings, rebalance recommendations, AWS Health scheduled changes for EC2), or one
event per line (JSON lines), applied in event-time order on the events' own clock (now = the
latest event time), so the order of the lines does not matter. A notice shows on its instance's
pixel (the file needs a state change for that instance) until it ends. Other events and
superseded executions are counted as ignored.
On a terminal the board is drawn above the legend, each pixel in its state's steady colour.

Flags:
  --board WxH|KIND  ${wrapHelp(`board size, or a board kind (${BOARD_KINDS.filter((k) => k !== 'web').join(', ')}); default 16x16, or the config's board with --config`, 20)}
  --config FILE     draw as the agent with this config would: its board, pins, colours, grace
  --json            the board in the web board's /api/board schema
Exit codes: 0 every state change applied, 1 some lines were bad (reported, skipped), 2 bad usage.
`;

/** Where stdout goes: a terminal gets the picture and colour swatches; a pipe gets plain text. */
export interface ReplayOutput {
  readonly isTty: boolean;
  readonly columns?: number | undefined;
}

/** The width of a terminal whose width is not known, and of a pipe. */
export const DEFAULT_COLUMNS = 100;

/**
 * The width the legend is laid out for: a terminal's own, else 100 for a pipe as for a terminal
 * that gives no width (0 under some emulators), so a pipe gets the table a 100-column terminal shows.
 */
export function legendColumns(output: ReplayOutput): number {
  const { columns } = output;
  return output.isTty && columns !== undefined && columns > 0 ? columns : DEFAULT_COLUMNS;
}

/** The view as a still frame: every pixel in its steady colour (no pulse, no status blink). */
export function frameOfView(view: Legend) {
  const frame = blankFrame(view.width, view.height);
  for (const pixel of view.pixels) {
    const i = (pixel.y * view.width + pixel.x) * 3;
    for (let c = 0; c < 3; c++)
      frame.rgb[i + c] = Number.parseInt(pixel.color.slice(1 + 2 * c, 3 + 2 * c), 16);
  }
  return frame;
}

export function boardSize(value: string): { width: number; height: number } {
  const match = /^(\d{1,3})x(\d{1,3})$/.exec(value);
  if (match !== null) {
    const width = Number(match[1]);
    const height = Number(match[2]);
    if (width >= 1 && height >= 1 && width * height <= 4096) return { width, height };
    throw new Error(`--board ${value}: a board has 1 to 4096 pixels; try 16x16`);
  }
  if (!(BOARD_KINDS as readonly string[]).includes(value) || value === 'web') {
    throw new Error(
      `--board ${JSON.stringify(value)} is neither WxH nor a board kind; try 16x16 or unicornhathd`,
    );
  }
  // Nothing opens until open(): this only reads the board's logical size.
  const display = createDisplay({ ...DEFAULT_DISPLAY_OPTIONS, board: value as BoardKind });
  return { width: display.width, height: display.height };
}

/** The config's picture settings (the config is checked as the agent checks it). */
async function configSettings(path: string): Promise<PictureSettings> {
  const { loadConfig } = await import('../../config/config-load.ts');
  return pictureSettings(loadConfig({ configPath: path }).config);
}

export async function replayMain(
  argv: readonly string[],
  io: Io,
  output: ReplayOutput = { isTty: false },
): Promise<number> {
  let file: string;
  let settings: PictureSettings;
  let json: boolean;
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        board: { type: 'string' },
        config: { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (values.help) {
      io.stdout(REPLAY_USAGE);
      return 0;
    }
    if (positionals.length !== 1) throw new Error('give exactly one FILE; see ec2led replay --help');
    file = positionals[0] as string;
    const configured = values.config === undefined ? undefined : await configSettings(values.config);
    const board = values.board === undefined ? undefined : boardSize(values.board);
    settings = { ...(configured ?? boardSize('16x16')), ...board };
    json = values.json;
  } catch (error) {
    io.stderr(`ec2led replay: ${(error as Error).message}\n`);
    return 2;
  }
  const size = { width: settings.width, height: settings.height };
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    io.stderr(
      `ec2led replay: cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}\n`,
    );
    return 2;
  }
  const parsed = parseReplayFile(text);
  const result = replay(parsed.inputs, settings);
  const problems = [...parsed.problems, ...result.problems].sort(
    (a, b) => Number(a.where.split(' ')[1]) - Number(b.where.split(' ')[1]),
  );
  for (const problem of problems) io.stderr(`${file}: ${problem.where}: skipped: ${problem.reason}\n`);
  if (json) io.stdout(`${JSON.stringify(result.view, null, 2)}\n`);
  else {
    const asOf = result.nowMs === undefined ? 'no events' : new Date(result.nowMs).toISOString();
    const shown = result.view.pixels.filter((pixel) => pixel.entry !== null).length;
    const header = `replay: ${size.width}x${size.height} board as of ${asOf}: ${shown} shown, ${result.view.overflow} overflow`;
    const columns = legendColumns(output);
    const lines = [
      header,
      ...(output.isTty ? [...drawPicture(frameOfView(result.view)), ''] : []),
      ...drawLegend(result.view, result.nowMs ?? 0, columns, Number.POSITIVE_INFINITY, output.isTty),
    ];
    io.stdout(`${lines.join('\n')}\n`);
  }
  const ignored =
    result.ignored > 0
      ? `, ${result.ignored} ignored (not EC2, alarm or deploy state changes, instance notices, or a superseded execution)`
      : '';
  io.stderr(`ec2led replay: ${result.applied} events applied${ignored}, ${problems.length} skipped\n`);
  return problems.length > 0 ? 1 : 0;
}
