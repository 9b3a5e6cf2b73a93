/**
 * The buttons in the agent: fake edges through the same LineEvents interface gpiomon feeds drive
 * the agent's actions — the brightness in the legend, and the attention core's targets (or the log
 * line that says they are not there).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Agent, startAgent } from '../../../../device/agent/agent.ts';
import { createLogger } from '../../../../device/base/log.ts';
import { parseConfig } from '../../../../device/config/config.ts';
import type { ButtonTargets } from '../../../../device/sources/buttons/actions.ts';
import { FakeLineEvents } from '../../../fakes/fake-line-events.ts';
import { TimerClock } from '../../../fakes/timer-clock.ts';
import { waitFor } from '../../../fakes/wait.ts';
import { instance, startWorld, type World } from '../../../fakes/world.ts';

let world: World;
const agents: Agent[] = [];

beforeAll(async () => {
  world = await startWorld([instance(1, 'running', 'web')], { buttons: {} });
});

afterAll(async () => {
  await Promise.all(agents.map((a) => a.stop()));
  await world?.close();
});

async function start(targets?: ButtonTargets) {
  const lines: Record<string, unknown>[] = [];
  const log = createLogger({ write: (line) => lines.push(JSON.parse(line)), level: 'info' });
  const reader = new FakeLineEvents();
  const clock = new TimerClock(0);
  const asked: (readonly number[])[] = [];
  const agent = await startAgent({
    config: parseConfig(world.raw),
    log,
    lineEvents: (wired) => {
      asked.push(wired);
      return reader;
    },
    buttonClock: clock,
    ...(targets === undefined ? {} : { buttonTargets: targets }),
  });
  agents.push(agent);
  const press = async (line: number, ms: number) => {
    reader.down(line, clock.nowMs);
    await clock.advance(ms);
    reader.up(line, clock.nowMs);
    await clock.advance(50);
  };
  return { agent, reader, clock, lines, asked, press };
}

describe('the agent with `buttons: {}`', () => {
  it("reads the HAT Mini's four lines; X steps the brightness and, held, gives it back to the schedule", async () => {
    const { agent, asked, press, lines } = await start();
    expect(asked).toEqual([[5, 6, 16, 24]]);
    await waitFor('a legend with a level', () => agent.legend().brightness);
    expect(agent.legend().brightness).toEqual({ level: 0.5 });

    await press(16, 100);
    await waitFor('0.25 by hand', () => agent.legend().brightness?.level === 0.25);
    expect(agent.legend().brightness).toEqual({ level: 0.25, manual: true });
    await press(16, 100);
    await waitFor('0.1 by hand', () => agent.legend().brightness?.level === 0.1);

    await press(16, 1200);
    await waitFor('the configured level again', () => agent.legend().brightness?.manual !== true);
    expect(agent.legend().brightness).toEqual({ level: 0.5 });
    expect(lines.filter((l) => l.msg === 'brightness set by button').map((l) => l.context)).toEqual([
      { button: 'X', from: 0.5, to: 0.25 },
      { button: 'X', from: 0.25, to: 0.1 },
    ]);
  });

  it('hands A, B and Y to the attention targets it is given', async () => {
    const calls: unknown[][] = [];
    const { press } = await start({
      acknowledge: (...args) => calls.push(['acknowledge', ...args]),
      snooze: (...args) => calls.push(['snooze', ...args]),
      highlightNextUrgent: (...args) => calls.push(['highlight', ...args]),
    });
    await press(5, 80);
    await press(6, 80);
    await press(24, 80);
    expect(calls).toEqual([
      ['acknowledge', { all: true }, 'button'],
      ['snooze', { all: true }, 3_600_000, 'button'],
      ['highlight', 'button'],
    ]);
  });

  it('takes a press that bounces as one press', async () => {
    const calls: unknown[][] = [];
    const { reader, clock } = await start({
      acknowledge: (...args) => calls.push(['acknowledge', ...args]),
      snooze: () => undefined,
      highlightNextUrgent: () => undefined,
    });
    for (const [edge, atMs] of [
      ['down', 0],
      ['up', 3],
      ['down', 6],
      ['up', 150],
      ['down', 153],
      ['up', 158],
    ] as const) {
      await clock.advance(atMs - clock.nowMs);
      reader[edge](5, clock.nowMs);
    }
    await clock.advance(2000);
    expect(calls).toEqual([['acknowledge', { all: true }, 'button']]);
  });

  it("acts on the agent's own acknowledge without targets given, and stops the reader with the agent", async () => {
    const { agent, press, lines, reader } = await start();
    await press(5, 80);
    expect(lines.filter((l) => l.level === 'warn').map((l) => l.msg)).not.toContain(
      'acknowledge not available',
    );
    // Nothing is urgent on this board: the agent's acknowledge answers so, and counts the button's action.
    expect(agent.acknowledge({ all: true }, 'cli')).toMatchObject({
      ok: true,
      ids: [],
      message: 'nothing urgent to acknowledge',
    });
    expect(agent.metrics()).toMatch(/ec2led_attention_actions_total\{action="acknowledge",by="button"\} 1/);
    expect(lines.find((l) => l.msg === 'button pressed')?.context).toEqual({
      button: 'A',
      gesture: 'press',
      action: 'acknowledge-all',
    });
    await agent.stop();
    expect(reader.stopped).toBe(true);
  });
});

describe('the buttons on an urgent board (both branches merged: buttons and attention)', () => {
  let urgentWorld: World;
  beforeAll(async () => {
    // A 127.0.0.1 port nothing listens on: the desk probe is down, an urgent, flashing pixel.
    const { createServer } = await import('node:net');
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    await new Promise<void>((resolve) => server.close(() => resolve()));
    urgentWorld = await startWorld([instance(1, 'running', 'web')], {
      buttons: {},
      probes: [{ name: 'www', url: `tcp://127.0.0.1:${port}`, intervalSeconds: 10 }],
    });
  });
  afterAll(async () => {
    await urgentWorld?.close();
  });

  it("A acknowledges the urgent pixel through the agent's own acknowledge, by 'button'", async () => {
    const reader = new FakeLineEvents();
    const clock = new TimerClock(0);
    const agent = await startAgent({
      config: parseConfig(urgentWorld.raw),
      log: createLogger({ write: () => undefined, level: 'error' }),
      lineEvents: () => reader,
      buttonClock: clock,
    });
    agents.push(agent);
    const probe = () => agent.legend().pixels.find((p) => p.entry?.id === 'probe:www')?.entry;
    await waitFor('the probe down', () => probe()?.state === 'down', 10_000);
    expect(probe()?.attention).toBeUndefined();
    reader.down(5, clock.nowMs);
    await clock.advance(80);
    reader.up(5, clock.nowMs);
    await waitFor('acknowledged by the button', () => probe()?.attention?.acknowledged);
    expect(probe()?.attention?.acknowledged?.by).toBe('button');
    expect(agent.metrics()).toMatch(/ec2led_attention_actions_total\{action="acknowledge",by="button"\} 1/);
  });
});
