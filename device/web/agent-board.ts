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

export async function startAgentWebBoard(
  agent: Pick<Agent, 'legend' | 'identify' | 'attach'>,
  address: { readonly host: string; readonly port: number },
  log: Logger,
): Promise<WebBoard> {
  let legend: Legend = agent.legend();
  const board = await startWebBoard({
    host: address.host,
    port: address.port,
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
