/**
 * A stop during start-up, made deterministic: agentMain in this process with its own signal emitter
 * and a start-up held at a gate before the real agent starts, against a world on 127.0.0.1.
 */
import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Agent, type AgentOptions, startAgent } from '../../../../device/agent/agent.ts';
import { agentMain } from '../../../../device/commands/cli/agent.ts';
import { waitFor } from '../../../fakes/wait.ts';
import { instance, startWorld, type World } from '../../../fakes/world.ts';

let world: World;

beforeAll(async () => {
  world = await startWorld([instance(1, 'running', 'web')]);
});

afterAll(async () => {
  await world?.close();
});

function startCli(hold: Promise<void>) {
  const signals = new EventEmitter();
  const exits: number[] = [];
  const started: Agent[] = [];
  let reachedGate = false;
  const done = agentMain(['--config', world.configPath, '--log-level', 'warn'], {
    stdout: () => undefined,
    stderr: () => undefined,
    env: {},
    exit: (code) => exits.push(code),
    signals: signals as unknown as Pick<NodeJS.Process, 'once'>,
    startAgent: async (options: AgentOptions) => {
      reachedGate = true;
      await hold;
      const agent = await startAgent(options);
      started.push(agent);
      return agent;
    },
  });
  return { signals, exits, started, done, reachedGate: () => reachedGate };
}

describe('a stop during start-up', () => {
  it('exits 0 and makes nothing when the signal comes before any step', async () => {
    const cli = startCli(Promise.resolve());
    cli.signals.emit('SIGTERM');
    expect(await cli.done).toBe(0);
    expect(cli.exits).toEqual([0]);
    expect(cli.reachedGate()).toBe(false);
    expect(existsSync(join(world.stateDir, 'agent.sock'))).toBe(false);
  });

  it('removes agent.sock and stops the agent still starting, then exits 0', async () => {
    let release: () => void = () => undefined;
    const cli = startCli(new Promise<void>((resolve) => (release = resolve)));
    await waitFor('start-up held at the gate', () => cli.reachedGate(), 10_000);
    const sock = join(world.stateDir, 'agent.sock');
    expect(existsSync(sock)).toBe(true);
    cli.signals.emit('SIGTERM');
    await waitFor('agent.sock removed while the agent is still starting', () => !existsSync(sock), 2_000);
    release();
    expect(await cli.done).toBe(0);
    expect(cli.exits).toEqual([0]);
    expect(existsSync(sock)).toBe(false);
    // The agent that finished starting after the signal was stopped: a stopped agent blanks its
    // board and draws nothing again, even when asked to (identify asks for frames at once).
    expect(cli.started).toHaveLength(1);
    const agent = cli.started[0] as Agent;
    const before = JSON.stringify(agent.legend());
    expect(agent.framesIdle()).toBe(true);
    agent.identify({ board: true });
    expect(agent.framesIdle()).toBe(true); // no frame armed: a running agent would arm one here
    expect(JSON.stringify(agent.legend())).toBe(before);
  });
});
