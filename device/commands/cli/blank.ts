/**
 * `ec2led blank`: opens the configured LED board, writes one black frame and closes it. The unit
 * runs it as ExecStopPost=, after the agent stopped for whatever reason (a clean stop, a crash, a
 * watchdog kill): a dead agent leaves a dark board, not a stale one. Boards with no LEDs (none,
 * terminal, web) are left alone. Only `display` of the config is needed: the certificates are not read.
 */
import { ConfigError } from '../../config/config.ts';
import { loadConfig } from '../../config/config-load.ts';
import type { DisplayDeps } from '../../outputs/display/open.ts';
import { parseBlankArgs, UsageError } from './args.ts';

export const BLANK_USAGE = `ec2led blank — switch the LED board off (the service runs it after the agent stops)

Examples:
  ec2led blank
  ec2led blank --config ./ec2led-desk-pi/config.json

Flags:
  --config FILE   the agent's config.json (display.*); default /etc/ec2led/config.json or
                  $EC2LED_CONFIG
Boards none, terminal and web have no LEDs: nothing is done. Exit codes: 0 dark (or nothing to do),
1 the board could not be opened, 2 bad usage or config.
`;

/** Boards without LEDs of their own. */
const NO_LEDS = new Set(['none', 'terminal', 'web']);

export interface BlankDeps {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Bus adapters (tests: fakes recording the bytes). */
  readonly displayDeps?: DisplayDeps;
}

export async function blankMain(argv: readonly string[], deps: BlankDeps): Promise<number> {
  const env = deps.env ?? process.env;
  let display: ReturnType<typeof loadConfig>['config']['display'];
  try {
    const args = parseBlankArgs(argv);
    if (args.help) {
      deps.stdout(BLANK_USAGE);
      return 0;
    }
    // Not a terminal: an unset display.board means 'none' here, as for the service.
    // Only `display` matters: the certificate files are neither opened nor parsed.
    const loaded = loadConfig({
      configPath: args.configPath,
      env,
      readable: () => undefined,
      tls: () => [],
      stdoutIsTerminal: false,
    });
    display = loaded.config.display;
  } catch (error) {
    if (!(error instanceof UsageError || error instanceof ConfigError)) throw error;
    deps.stderr(`ec2led blank: ${error.message}\n`);
    return 2;
  }
  // systemd tells ExecStopPost= why the service stopped (systemd.exec(5)): worth a line in the journal.
  const why = env.SERVICE_RESULT === undefined ? '' : ` after the agent stopped (${env.SERVICE_RESULT})`;
  if (NO_LEDS.has(display.board)) {
    deps.stderr(`ec2led blank: board ${display.board} has no LEDs; nothing to do${why}\n`);
    return 0;
  }
  const { createDisplay } = await import('../../outputs/display/open.ts');
  const { blankFrame } = await import('../../picture/frame.ts');
  const board = createDisplay(display, deps.displayDeps);
  try {
    await board.open();
    await board.render(blankFrame(board.width, board.height));
    deps.stderr(`ec2led blank: board ${display.board} is dark${why}\n`);
    return 0;
  } catch (error) {
    deps.stderr(`ec2led blank: ${(error as Error).message}\n`);
    return 1;
  } finally {
    await board.close().catch(() => undefined);
  }
}
