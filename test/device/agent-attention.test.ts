/**
 * Acknowledge and snooze end to end through the CLI: `ec2led ack/snooze/unsnooze` -> the status
 * socket -> the agent -> the board's frame bytes, the terminal legend, `ec2led status`, /metrics,
 * and the attention file across a restart. The urgent item is a desk probe of a closed TCP port
 * (down: urgent and flashing), so nothing here names a kind but the config.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Agent, startAgent } from '../../device/agent/agent.ts';
import { ATTENTION_FILE_NAME } from '../../device/agent/attention-store.ts';
import { silentLogger } from '../../device/base/log.ts';
import { attentionMain } from '../../device/commands/cli/attention.ts';
import { statusMain } from '../../device/commands/cli/status.ts';
import { parseConfig } from '../../device/config/config.ts';
import { runAttentionRequest } from '../../device/outputs/web/attention-request.ts';
import { type BoardSocket, serveBoard, socketPath } from '../../device/outputs/web/status-socket.ts';
import { QUIET_LEVEL } from '../../device/picture/animate.ts';
import { getPixel } from '../../device/picture/frame.ts';
import { DEFAULT_PALETTE, scaleColor } from '../../device/picture/palette.ts';
import type { Picture } from '../../device/picture/picture.ts';
import { waitFor } from '../fakes/wait.ts';
import { instance, startWorld, type World } from '../fakes/world.ts';

let world: World;
const running: { agent?: Agent; socket?: BoardSocket } = {};

/** A 127.0.0.1 port nothing listens on (bound, then closed). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

beforeAll(async () => {
  const port = await closedPort();
  world = await startWorld([instance(1, 'running', 'web')], {
    probes: [{ name: 'www', url: `tcp://127.0.0.1:${port}`, intervalSeconds: 10 }],
  });
}, 30_000);

afterAll(async () => {
  await Promise.all([running.agent?.stop(), running.socket?.close()]);
  await world?.close();
});

/** The agent with its status socket taking commands (as `ec2led agent` wires it), frames recorded. */
async function start(pictures: Picture[], writes: string[]): Promise<Agent> {
  const output = {
    columns: 120,
    rows: 40,
    write: (chunk: string, done: (error?: Error | null) => void) => {
      writes.push(chunk);
      done();
      return true;
    },
  };
  const config = parseConfig({
    ...world.raw,
    display: { board: 'terminal', virtualWidth: 4, virtualHeight: 4 },
  });
  const agent = await startAgent({ config, log: silentLogger, displayDeps: { output } });
  running.agent = agent;
  const socket = await serveBoard(socketPath(world.stateDir), agent.legend(), undefined, (request) =>
    runAttentionRequest(agent, request, 'cli'),
  );
  running.socket = socket;
  await agent.attach(socket);
  await agent.attach({
    name: 'recorder',
    open: async () => undefined,
    show: async (picture) => void pictures.push(picture),
    close: async () => undefined,
  });
  return agent;
}

async function stop(): Promise<void> {
  await Promise.all([running.agent?.stop(), running.socket?.close()]);
  running.agent = undefined;
  running.socket = undefined;
}

async function cli(argv: string[], run = attentionMain) {
  let out = '';
  let err = '';
  const io = { stdout: (t: string) => (out += t), stderr: (t: string) => (err += t) };
  const [command, ...rest] = argv;
  const code =
    command === 'status'
      ? await statusMain([...rest, '--config', world.configPath], io)
      : await run(command as 'ack', [...rest, '--config', world.configPath], io);
  return { code, out, err };
}

const www = (agent: Agent) => agent.legend().pixels.find((p) => p.entry?.id === 'probe:www');

it('acknowledges and snoozes from the CLI: steady dimmed bytes, the legend, status, metrics, a restart', async () => {
  const pictures: Picture[] = [];
  const writes: string[] = [];
  const agent = await start(pictures, writes);
  const pixel = await waitFor(
    'the probe down',
    () => {
      const p = www(agent);
      return p?.entry?.state === 'down' ? p : undefined;
    },
    8_000,
  );
  await waitFor(
    'synced, the instance named',
    () => agent.legend().synced && agent.legend().pixels.some((p) => p.entry?.name === 'web'),
    8_000,
  );
  await waitFor('flashing frames', () => pictures.length > 3, 2_000);
  expect(agent.framesIdle()).toBe(false); // a flashing pixel keeps frames coming

  // Not urgent: refused, naming why.
  const refused = await cli(['ack', 'web']);
  expect(refused.code).toBe(1);
  expect(refused.err).toMatch(/is running, which is not urgent/);

  const acked = await cli(['ack', 'www']);
  expect(acked).toMatchObject({ code: 0, out: 'acknowledged "www" (probe:www)\n' });
  const quiet = scaleColor(DEFAULT_PALETTE.down, QUIET_LEVEL);
  await waitFor('frames stop: the pixel no longer flashes', () => agent.framesIdle(), 2_000);
  expect(getPixel((pictures.at(-1) as Picture).frame, pixel.x, pixel.y)).toEqual(quiet);
  expect(www(agent)?.entry?.attention?.acknowledged?.by).toBe('cli');
  expect(writes.join('')).toContain('down ack');

  const snoozed = await cli(['snooze', '--kind', 'probe', '--for', '2h']);
  expect(snoozed.code).toBe(0);
  expect(snoozed.out).toMatch(/^snoozed every probe until /);
  // The reply comes before the next frame; the status socket serves the legend of the last frame.
  await waitFor('the snooze in the legend', () => www(agent)?.entry?.attention?.snoozed, 2_000);
  const status = await cli(['status']);
  expect(status.code).toBe(0);
  expect(status.out).toContain('acknowledged  www (probe:www) by cli');
  expect(status.out).toMatch(/snoozed {2}www \(probe:www\) with every probe by cli .* until /);
  expect(agent.metrics()).toContain('ec2led_acknowledged_items 1');
  expect(agent.metrics()).toContain('ec2led_attention_actions_total{action="acknowledge",by="cli"} 1');
  expect(agent.metrics()).toContain('ec2led_snoozes{target="kind"} 1');

  // "Which one?" (the HAT's Y button): the next urgent pixel blinks and is named in status.
  expect(agent.highlightNextUrgent('button')).toEqual({ id: 'probe:www', name: 'www' });
  await waitFor('the legend names it', () => agent.legend().highlight?.id === 'probe:www', 2_000);
  expect((await cli(['status'])).out).toContain('blinking: www (probe:www)');
  expect(agent.metrics()).toContain('ec2led_attention_actions_total{action="highlight",by="button"} 1');

  const bad = await cli(['snooze', 'www', '--for', '10s']);
  expect(bad.code).toBe(2);
  expect(bad.err).toMatch(/not a duration from 1m to 7d/);

  await stop();
  const saved = JSON.parse(readFileSync(join(world.stateDir, ATTENTION_FILE_NAME), 'utf8'));
  expect(saved.acknowledged).toEqual([expect.objectContaining({ id: 'probe:www', by: 'cli' })]);

  // A restart keeps both: the pixel comes back steady and dimmed, not flashing.
  const after: Picture[] = [];
  const again = await start(after, []);
  await waitFor('the probe back, acknowledged', () => www(again)?.entry?.attention?.acknowledged, 8_000);
  expect(www(again)?.entry?.attention?.snoozed).toMatchObject({ by: 'cli', kind: true });
  await waitFor('synced again', () => again.legend().synced, 8_000);
  // Nothing animates; the one frame armed is the snooze's end, two hours away.
  const steady = await waitFor(
    'a picture that does not animate',
    () => {
      const last = after.at(-1);
      return last !== undefined && !last.animating ? last : undefined;
    },
    2_000,
  );
  expect(steady.wakeInMs).toBeGreaterThan(3_600_000);
  expect(getPixel(steady.frame, pixel.x, pixel.y)).toEqual(quiet);

  const unsnoozed = await cli(['unsnooze', '--all']);
  expect(unsnoozed).toMatchObject({ code: 0, out: 'ended 1 snooze\n' });
  await stop();
  const missing = await cli(['ack']);
  expect(missing.code).toBe(1);
  expect(missing.err).toMatch(/is the agent running\?/);
  expect(existsSync(join(world.stateDir, ATTENTION_FILE_NAME))).toBe(true);
}, 40_000);
