/**
 * The web board of a running agent: it shows the agent's view, blinks through the agent's identify,
 * and is told after every frame whose view changed. Used by `ec2led agent` and by the demo.
 */
import type { Agent } from '../agent.ts';
import type { Logger } from '../log.ts';
import { startWebBoard, type WebBoard } from './server.ts';

export async function startAgentWebBoard(
  agent: Pick<Agent, 'view' | 'identify' | 'onViewChange'>,
  address: { readonly host: string; readonly port: number },
  log: Logger,
): Promise<WebBoard> {
  const board = await startWebBoard({
    host: address.host,
    port: address.port,
    view: () => agent.view(),
    onIdentify: (target) => agent.identify(target),
    log: (level, msg, context) => log[level](msg, context),
  });
  agent.onViewChange(() => board.notify());
  return board;
}
