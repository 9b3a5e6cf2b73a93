/**
 * `ec2led agent`: loads the config (exit 2 on a bad one, naming the key and the fix), refuses to run
 * beside another agent with the same state directory, starts the agent, the status socket and, when
 * enabled, the web board, and shuts down on SIGINT/SIGTERM: stop MQTT, blank the board, exit 0
 * within 2 s — also when the signal arrives during start-up. An agent that cannot work at all (the
 * MQTT TLS context failed) exits 1. The process exits explicitly: an aws-crt client keeps Node
 * alive (toolchain trap 3).
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Agent, AgentOptions } from '../../agent/agent.ts';
import { createLogger, type Logger } from '../../base/log.ts';
import { type Config, ConfigError } from '../../config/config.ts';
import { type LoadedConfig, loadConfig } from '../../config/config-load.ts';
import { BOARD_KINDS } from '../../config/display-options.ts';
import { pinnedKeys } from '../../config/remote-settings.ts';
import type { WebBoard } from '../../outputs/web/server.ts';
import { type BoardSocket, serveBoard, socketPath } from '../../outputs/web/status-socket.ts';
import { emptyLegend } from '../../picture/legend.ts';
import { parseAgentArgs, UsageError } from './args.ts';
import { wrapHelp } from './help.ts';

export const AGENT_USAGE = `ec2led agent — run the board: MQTT feed, DescribeInstances, LED display

Examples:
  ec2led agent                                  # /etc/ec2led/config.json (or $EC2LED_CONFIG)
  ec2led agent --config ./ec2led-desk-pi/config.json --display terminal --log-format pretty
  ec2led agent --once --display terminal        # list, draw one frame, exit

Flags:
  --config FILE        the device bundle's config.json
  --display KIND       ${wrapHelp(`display.board: ${BOARD_KINDS.join(', ')}`, 23)}
  --once               list once, render one frame, exit (no MQTT)
  --log-format FORMAT  json (default) or pretty
  --log-level LEVEL    debug, info (default), warn, error
Every config key and its EC2LED_* variable: docs/config.md.
Exit codes: 0 stopped, 1 failed, 2 bad usage or config.
`;

/** Hard limit for shutdown: the unit's stop timeout is generous, users are not. */
const SHUTDOWN_MS = 1_800;

export interface AgentCliDeps {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Default process.exit; the agent cannot end the process any other way (aws-crt). */
  readonly exit?: (code: number) => void;
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Where SIGINT/SIGTERM come from; default process. */
  readonly signals?: Pick<NodeJS.Process, 'once'>;
  /** Whether stdout and stderr are one terminal; default: both are TTYs. */
  readonly sharedTerminal?: boolean;
  /** Default: agent.ts's startAgent, loaded only when it runs (tests wrap it to hold start-up). */
  readonly startAgent?: (options: AgentOptions) => Promise<Agent>;
}

/**
 * Log lines would scroll the terminal board away when both go to one terminal: the log then goes to
 * `${stateDir}/agent.log` instead (said once on stderr before the board takes the screen).
 */
export function agentLogger(config: Config, deps: AgentCliDeps): Logger {
  const shared = deps.sharedTerminal ?? (process.stdout.isTTY === true && process.stderr.isTTY === true);
  if (config.display.board !== 'terminal' || !shared) return createLogger(config.log);
  const path = join(config.stateDir, 'agent.log');
  try {
    mkdirSync(config.stateDir, { recursive: true });
    appendFileSync(path, '');
  } catch {
    return createLogger(config.log); // an unwritable state directory fails later, with its own message
  }
  deps.stderr(`ec2led agent: logging to ${path} while the terminal board draws here\n`);
  return createLogger({ ...config.log, write: (line) => appendFileSync(path, line) });
}

function load(argv: readonly string[], deps: AgentCliDeps): { loaded: LoadedConfig; once: boolean } | number {
  try {
    const args = parseAgentArgs(argv);
    if (args.help) {
      deps.stdout(AGENT_USAGE);
      return 0;
    }
    const loaded = loadConfig({
      configPath: args.configPath,
      flags: args.flags,
      env: deps.env ?? process.env,
    });
    return { loaded, once: args.once };
  } catch (error) {
    if (error instanceof UsageError) deps.stderr(`ec2led agent: ${error.message}; see ec2led agent --help\n`);
    else if (error instanceof ConfigError) deps.stderr(`ec2led agent: ${error.message}\n`);
    else throw error;
    return 2;
  }
}

async function startWeb(agent: Agent, loaded: LoadedConfig, log: Logger): Promise<WebBoard | undefined> {
  const { web, display } = loaded.config;
  const board = web.enabled || display.board === 'web';
  if (!board && !web.metrics) return undefined;
  const { startAgentWebBoard } = await import('../../outputs/web/agent-board.ts');
  const { pictureSettings } = await import('../../config/picture-settings.ts');
  const { palette } = pictureSettings(loaded.config);
  return startAgentWebBoard(
    agent,
    { host: web.host, port: web.port, board, metrics: web.metrics, palette },
    log,
  );
}

/** Home Assistant (config homeAssistant) as one more output; its module loads only when configured. */
async function attachHomeAssistant(agent: Agent, config: Config, log: Logger): Promise<void> {
  const ha = config.homeAssistant;
  if (ha === undefined) return;
  const { homeAssistantOutput } = await import('../../outputs/home-assistant/output.ts');
  const { webBoardUrl } = await import('../../outputs/home-assistant/discovery.ts');
  await agent.attach(
    homeAssistantOutput({
      config: ha,
      clientId: config.mqtt.clientId,
      board: config.display.board,
      brightness: config.display.brightness,
      onLevel: (level) => agent.setBrightness(level),
      onFlash: (durationMs) => agent.identify({ board: true }, durationMs),
      onButton: (button) =>
        button === 'acknowledge_all'
          ? agent.acknowledge({ all: true }, 'home-assistant')
          : agent.snooze({ all: true }, undefined, 'home-assistant'),
      configurationUrl: webBoardUrl(config, hostname()),
      log,
    }),
  );
}

/** SIGINT/SIGTERM, listened to from the first line of agentMain: `signal` once one arrived. */
interface StopSignals {
  readonly signal: string | undefined;
  /** Resolves with the first signal. */
  readonly first: Promise<string>;
  /** Resolves on a second signal: leave at once. */
  readonly second: Promise<void>;
}

function listenForStop(signals: Pick<NodeJS.Process, 'once'>): StopSignals {
  let signal: string | undefined;
  let onFirst: (signal: string) => void = () => undefined;
  let onSecond: () => void = () => undefined;
  const first = new Promise<string>((resolve) => {
    onFirst = resolve;
  });
  const second = new Promise<void>((resolve) => {
    onSecond = resolve;
  });
  const on = (name: 'SIGINT' | 'SIGTERM') => {
    if (signal === undefined) {
      signal = name;
      onFirst(name);
      signals.once('SIGINT', () => onSecond());
      signals.once('SIGTERM', () => onSecond());
    } else onSecond();
  };
  signals.once('SIGINT', () => on('SIGINT'));
  signals.once('SIGTERM', () => on('SIGTERM'));
  return {
    get signal() {
      return signal;
    },
    first,
    second,
  };
}

/**
 * Runs until a signal; resolves to the exit code after calling `exit` with it. The signal handlers
 * come first: a stop during start-up waits for the step in flight, undoes what start-up made (the
 * status socket, the agent) and exits 0 like any other stop.
 */
export async function agentMain(argv: readonly string[], deps: AgentCliDeps): Promise<number> {
  const exit = deps.exit ?? ((code: number) => process.exit(code));
  const stop = listenForStop(deps.signals ?? process);
  const loadedOrCode = load(argv, deps);
  if (typeof loadedOrCode === 'number') return loadedOrCode;
  const { loaded, once } = loadedOrCode;
  const { config } = loaded;
  const log = agentLogger(config, deps);
  for (const warning of loaded.warnings) log.warn(warning);

  if (once) {
    const { runOnce } = await import('./once.ts');
    let code = 0;
    try {
      const result = await Promise.race([runOnce({ config, log }).then(() => 'done'), stop.first]);
      if (result !== 'done') log.info('stopped', { signal: result });
    } catch (error) {
      log.error('once failed', { error: (error as Error).message });
      code = error instanceof ConfigError ? 2 : 1;
    }
    exit(code);
    return code;
  }

  let agent: Agent | undefined;
  let socket: BoardSocket | undefined;
  let web: WebBoard | undefined;
  const cleanUp = () =>
    Promise.all([agent?.stop(), web?.close(), socket?.close()].map((p) => p?.catch(() => undefined)));
  /** The start-up step in flight that makes something to undo (socket, agent, web board). */
  let making: Promise<unknown> = Promise.resolve();
  const make = <T>(step: Promise<T>): Promise<T> => {
    making = step.catch(() => undefined);
    return step;
  };
  /** Each step checks for a stop before the next: a stop during start-up makes nothing more. */
  const starting = (async (): Promise<boolean> => {
    await mkdir(config.stateDir, { recursive: true });
    if (stop.signal !== undefined) return false;
    const empty = emptyLegend(config.display.virtualWidth, config.display.virtualHeight);
    // `ec2led status` shows each WLED device (config wled) under the board.
    const wled = () => (config.wled === undefined ? {} : { wled: agent?.wled() ?? [] });
    // `ec2led ack`, `snooze` and `unsnooze` act through the agent once there is one.
    const { runAttentionRequest } = await import('../../outputs/web/attention-request.ts');
    const attention = (request: Parameters<typeof runAttentionRequest>[1]) =>
      agent === undefined
        ? { ok: false as const, reason: 'the agent is still starting; try again in a few seconds' }
        : runAttentionRequest(agent, request, 'cli');
    socket = await make(serveBoard(socketPath(config.stateDir), empty, wled, attention));
    if (stop.signal !== undefined) return false;
    const startAgent = deps.startAgent ?? (await import('../../agent/agent.ts')).startAgent;
    if (stop.signal !== undefined) return false;
    agent = await make(
      startAgent({ config, log, env: deps.env ?? process.env, pinned: pinnedKeys(loaded.origins) }),
    );
    await agent.attach(socket);
    if (stop.signal !== undefined) return false;
    web = await make(startWeb(agent, loaded, log));
    if (stop.signal !== undefined) return false;
    await attachHomeAssistant(agent, config, log);
    log.info('agent started', { config: loaded.path, board: config.display.board, socket: socket.path });
    return true;
  })();

  const outcome = await Promise.race([
    starting.then(
      (started) => (started ? ({ type: 'started' } as const) : ({ type: 'stop' } as const)),
      (error: unknown) => ({ type: 'failed', error }) as const,
    ),
    stop.first.then(() => ({ type: 'stop' }) as const),
  ]);
  if (outcome.type === 'failed' && stop.signal === undefined) {
    const code = outcome.error instanceof ConfigError ? 2 : 1;
    log.error('agent failed to start', { error: (outcome.error as Error).message });
    await cleanUp();
    exit(code);
    return code;
  }

  const fatal = new Promise<Error>((resolve) => agent?.onFatal(resolve));
  const reason =
    outcome.type === 'started' ? await Promise.race([stop.first, fatal]) : (stop.signal ?? 'SIGTERM');
  const code = await new Promise<number>((resolve) => {
    if (reason instanceof Error) {
      // Exit 1, not 0: systemd restarts the service (Restart=on-failure), and the log says why.
      log.error('agent failed', { error: reason.message });
      setTimeout(() => resolve(1), SHUTDOWN_MS).unref();
      void cleanUp().then(() => resolve(1));
      return;
    }
    log.info('stopping', { signal: reason, ...(outcome.type === 'started' ? {} : { during: 'start-up' }) });
    setTimeout(() => resolve(0), SHUTDOWN_MS).unref();
    void stop.second.then(() => resolve(130)); // a second signal: leave now
    // Undo what exists now (the socket), then what a step still in flight makes (an agent whose
    // display is opening), all within SHUTDOWN_MS; a step that makes nothing (loading the agent's
    // modules) is not waited for. Every close is idempotent.
    void cleanUp()
      .then(() => making)
      .then(cleanUp)
      .then(() => {
        log.info('stopped');
        resolve(0);
      });
  });
  exit(code);
  return code;
}
