/**
 * The web board of a running agent, as one of its outputs: it shows the legend of the agent's last
 * picture, pushes it to every page when it changes, and blinks through the agent's identify. Used by
 * `ec2led agent` and by the demo.
 */
import type { Agent } from '../agent.ts';
import type { Legend } from '../layout/legend.ts';
import type { Logger } from '../log.ts';
import { legendOutput } from '../outputs.ts';
import { startWebBoard, type WebBoard } from './server.ts';

export interface AgentWebOptions {
  readonly host: string;
  readonly port: number;
  /** Serve the page and /api/*; default true (false: /metrics alone). */
  readonly board?: boolean;
  /** Serve the agent's metrics at /metrics; default false. */
  readonly metrics?: boolean;
}

export async function startAgentWebBoard(
  agent: Pick<Agent, 'legend' | 'identify' | 'attach' | 'metrics'>,
  options: AgentWebOptions,
  log: Logger,
): Promise<WebBoard> {
  let legend: Legend = agent.legend();
  const board = await startWebBoard({
    host: options.host,
    port: options.port,
    board: options.board ?? true,
    ...(options.metrics === true ? { metrics: () => agent.metrics() } : {}),
    view: () => legend,
    onIdentify: (target) => agent.identify(target),
    log: (level, msg, context) => log[level](msg, context),
  });
  const changes = legendOutput('web board', (picture) => {
    legend = picture.legend;
    board.notify();
  });
  await agent.attach({ ...changes, close: () => board.close() });
  return board;
}
