/**
 * The web board of a running agent, as one of its outputs: it shows the legend of the agent's last
 * picture, pushes it to every page when it changes, blinks through the agent's identify, and
 * acknowledges and snoozes through the agent (as `web`). Used by
 * `ec2led agent` and by the demo.
 *
 * `listenAgentWebBoard` opens the listener before there is an agent (the demo does, so a port in use
 * fails before the terminal shows a frame); until `attach`, the board is empty and identify fails.
 */

import type { Logger } from '../../base/log.ts';
import type { AttentionControl } from '../../picture/attention.ts';
import { emptyLegend, type Legend } from '../../picture/legend.ts';
import type { Palette } from '../../picture/palette.ts';
import type { IdentifyTarget } from '../../picture/render.ts';
import { legendOutput, type Output } from '../outputs.ts';
import { runAttentionRequest } from './attention-request.ts';
import { startWebBoard, type WebBoard } from './server.ts';

export interface AgentWebOptions {
  readonly host: string;
  readonly port: number;
  /** Serve the page and /api/*; default true (false: /metrics alone). */
  readonly board?: boolean;
  /** Serve the agent's metrics at /metrics; default false. */
  readonly metrics?: boolean;
  /** The agent's colours, for the page's colour key; default the default palette. */
  readonly palette?: Palette;
}

/**
 * What the web board needs of a running agent (agent/agent.ts `Agent` has it): outputs never import
 * the agent. Acknowledge, snooze and highlight are the agent's AttentionControl.
 */
export interface WebAgent extends AttentionControl {
  legend(): Legend;
  identify(target: IdentifyTarget, durationMs?: number): void;
  attach(output: Output): Promise<void>;
  metrics(): string;
}

export interface ListeningWebBoard {
  readonly board: WebBoard;
  /** Shows `agent` from now on (once); the board closes when the agent stops. */
  attach(agent: WebAgent): Promise<void>;
}

export async function listenAgentWebBoard(options: AgentWebOptions, log: Logger): Promise<ListeningWebBoard> {
  let agent: WebAgent | undefined;
  let legend: Legend = emptyLegend(1, 1);
  const board = await startWebBoard({
    host: options.host,
    port: options.port,
    board: options.board ?? true,
    ...(options.palette === undefined ? {} : { palette: options.palette }),
    ...(options.metrics === true ? { metrics: () => agent?.metrics() ?? '' } : {}),
    view: () => legend,
    onIdentify: (target) => {
      if (agent === undefined) throw new Error('the agent is still starting');
      agent.identify(target);
    },
    onAttention: (request) =>
      agent === undefined
        ? { ok: false, reason: 'the agent is still starting; try again in a few seconds' }
        : runAttentionRequest(agent, request, 'web'),
    log: (level, msg, context) => log[level](msg, context),
  });
  return {
    board,
    async attach(attached) {
      agent = attached;
      legend = attached.legend();
      const changes = legendOutput('web board', (picture) => {
        legend = picture.legend;
        board.notify();
      });
      await attached.attach({ ...changes, close: () => board.close() });
      board.notify();
    },
  };
}

export async function startAgentWebBoard(
  agent: WebAgent,
  options: AgentWebOptions,
  log: Logger,
): Promise<WebBoard> {
  const web = await listenAgentWebBoard(options, log);
  await web.attach(agent);
  return web.board;
}
