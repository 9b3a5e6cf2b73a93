/** Identify end to end: the web board's button -> POST /api/identify -> the agent -> the board blinks. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Agent, startAgent } from '../../device/agent/agent.ts';
import { silentLogger } from '../../device/base/log.ts';
import { startAgentWebBoard } from '../../device/outputs/web/agent-board.ts';
import type { WebBoard } from '../../device/outputs/web/server.ts';
import { IDENTIFY_MS } from '../../device/picture/animate.ts';
import { waitFor } from '../fakes/wait.ts';
import { instance, startWorld, type World } from '../fakes/world.ts';

const WHITE = '38;2;255;255;255';
let world: World;
let agent: Agent | undefined;
let web: WebBoard | undefined;

beforeAll(async () => {
  world = await startWorld([instance(1, 'running', 'web'), instance(2, 'stopped', 'db')]);
});

afterAll(async () => {
  await Promise.all([agent?.stop(), web?.close()]);
  await world?.close();
});

it('blinks the chosen pixel on the board after the web board asks, then stops blinking', async () => {
  const writes: string[] = [];
  const output = {
    columns: 100,
    rows: 40,
    write: (chunk: string, done: (error?: Error | null) => void) => {
      writes.push(chunk);
      done();
      return true;
    },
  };
  const config = { ...world.config, display: { ...world.config.display, board: 'terminal' as const } };
  agent = await startAgent({ config, log: silentLogger, displayDeps: { output } });
  const a = agent;
  web = await startAgentWebBoard(a, { host: '127.0.0.1', port: 0 }, silentLogger);
  await waitFor('synced', () => a.legend().synced, 8_000);
  const lit = await waitFor('a lit pixel', () => a.legend().pixels.find((p) => p.entry !== null));
  await waitFor('the board drawn, no frame armed', () => a.framesIdle(), 2_000);
  const before = writes.length;
  expect(writes.some((w) => w.includes(WHITE))).toBe(false);

  const identifiedAt = Date.now();
  const response = await fetch(`${web.url}api/identify`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: web.url.replace(/\/$/, '') },
    body: JSON.stringify({ x: lit.x, y: lit.y }),
  });
  expect(response.status).toBe(202);
  // On and off, not steady: wait for both (two white frames in a row can come first on a loaded machine).
  await waitFor(
    'white frames and a frame without white',
    () => {
      const blinking = writes.slice(before);
      return (
        blinking.filter((w) => w.includes(WHITE)).length >= 2 && blinking.some((w) => !w.includes(WHITE))
      );
    },
    2_000,
  );

  // Identify lasts IDENTIFY_MS; then the pixel shows its state again and frames stop (no frame
  // armed: a blink would keep one armed).
  await waitFor('frames stopped', () => a.framesIdle(), IDENTIFY_MS + 2_000);
  expect(Date.now() - identifiedAt).toBeGreaterThanOrEqual(IDENTIFY_MS - 50); // not idle before it ended
  expect(writes.at(-1)).not.toContain(WHITE);
}, 20_000);
