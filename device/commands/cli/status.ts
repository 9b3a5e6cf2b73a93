/**
 * `ec2led status`: the legend of the running agent — which pixel shows which instance — read from
 * its unix socket (`${stateDir}/agent.sock`). Data to stdout, messages to stderr. Name tags are user
 * data: every cell goes through the display's sanitizer (terminal-legend.ts), and colour swatches are
 * dropped when stdout is not a terminal.
 */
import { accessSync, constants } from 'node:fs';
import { ConfigError } from '../../config/config.ts';
import { DEFAULT_CONFIG_PATH, loadConfig } from '../../config/config-load.ts';
import {
  drawAttention,
  drawLegend,
  drawStatus,
  drawUpdate,
} from '../../outputs/display/boards/terminal-legend.ts';
import { fetchBoard, socketPath } from '../../outputs/web/status-socket.ts';
import { wledStatusLines } from '../../outputs/wled/status.ts';
import { parseStatusArgs, UsageError } from './args.ts';

export const STATUS_USAGE = `ec2led status — which pixel shows which instance, from the running agent

Examples:
  ec2led status
  ec2led status --config ./ec2led-desk-pi/config.json
  ec2led status --json | jq '.pixels[] | select(.entry) | .entry.name'

Flags:
  --config FILE   the agent's config.json (for stateDir); default /etc/ec2led/config.json or
                  $EC2LED_CONFIG. Without either, and when the default is missing or unreadable:
                  the socket in $EC2LED_STATE_DIR, else /var/lib/ec2led (the service's; members of
                  group ec2led may connect)
  --json          the board as JSON (the web board's /api/board schema)
Exit codes: 0 shown, 1 no agent answered, 2 bad usage or config.
`;

export interface StatusDeps {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly now?: () => number;
  /** Terminal width and whether stdout is a terminal (colour swatches). */
  readonly columns?: number | undefined;
  readonly isTty?: boolean;
  /** Whether this user can read the default config file; default: access(2). */
  readonly canReadDefaultConfig?: () => boolean;
}

export const DEFAULT_STATE_DIR = '/var/lib/ec2led';

function readable(path: string): boolean {
  try {
    accessSync(path, constants.R_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The state directory whose socket to ask: from --config or $EC2LED_CONFIG, else from the default
 * config when this user can read it, else $EC2LED_STATE_DIR or the service's. Throws ConfigError.
 */
export function agentStateDir(configPath: string | undefined, deps: StatusDeps): string {
  const env = deps.env ?? process.env;
  const explicit = configPath ?? env.EC2LED_CONFIG;
  if (explicit === undefined && !(deps.canReadDefaultConfig ?? (() => readable(DEFAULT_CONFIG_PATH)))()) {
    // No config needed: the service's socket, readable by its group (the config may not be).
    return env.EC2LED_STATE_DIR ?? DEFAULT_STATE_DIR;
  }
  // Only stateDir is needed: do not insist on reading the agent's private key.
  return loadConfig({ configPath, env, readable: () => undefined }).config.stateDir;
}

export async function statusMain(argv: readonly string[], deps: StatusDeps): Promise<number> {
  let stateDir: string;
  let json: boolean;
  try {
    const args = parseStatusArgs(argv);
    if (args.help) {
      deps.stdout(STATUS_USAGE);
      return 0;
    }
    json = args.json;
    stateDir = agentStateDir(args.configPath, deps);
  } catch (error) {
    if (!(error instanceof UsageError || error instanceof ConfigError)) throw error;
    deps.stderr(`ec2led status: ${error.message}\n`);
    return 2;
  }
  try {
    const view = await fetchBoard(socketPath(stateDir));
    if (json) {
      deps.stdout(`${JSON.stringify(view, null, 2)}\n`);
      return 0;
    }
    const tty = deps.isTty === true;
    const legend = drawLegend(
      view,
      (deps.now ?? Date.now)(),
      deps.columns ?? 100,
      Number.POSITIVE_INFINITY,
      tty,
    );
    const wled = wledStatusLines((view as { wled?: unknown }).wled, (deps.now ?? Date.now)());
    const attention = drawAttention(view, (deps.now ?? Date.now)());
    const update = view.update === undefined ? [] : [drawUpdate(view.update)];
    deps.stdout(`${[drawStatus(view), ...update, ...attention, ...wled, ...legend].join('\n')}\n`);
    return 0;
  } catch (error) {
    deps.stderr(`ec2led status: ${(error as Error).message}\n`);
    return 1;
  }
}
