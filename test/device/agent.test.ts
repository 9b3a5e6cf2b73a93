/**
 * The agent end to end on 127.0.0.1: real mosquitto (mutual TLS), the IoT credentials provider over
 * mutual TLS, FakeEc2, the real sync core and layout, the `none` board. Every wait is bounded.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Agent, startAgent } from '../../device/agent/agent.ts';
import { createLogger } from '../../device/base/log.ts';
import type { Legend } from '../../device/picture/legend.ts';
import { delay, waitFor } from '../fakes/wait.ts';
import { instance, REGION, startWorld, type World } from '../fakes/world.ts';

const WEB = instance(1, 'running', 'web');
const DB = instance(2, 'stopped', 'db');
const CACHE = instance(3, 'running', 'cache');

let world: World;
let agent: Agent | undefined;
const logLines: string[] = [];

function shown(view: Legend): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pixel of view.pixels) {
    if (pixel.entry !== null) out[pixel.entry.name || pixel.entry.id] = pixel.entry.state;
  }
  return out;
}

async function start(): Promise<Agent> {
  const log = createLogger({ level: 'debug', write: (line) => logLines.push(line) });
  agent = await startAgent({ config: world.config, log });
  return agent;
}

function messages(): string[] {
  return logLines.map((line) => JSON.parse(line).msg as string);
}

beforeAll(async () => {
  world = await startWorld([WEB, DB, CACHE]);
});

afterEach(async () => {
  await agent?.stop();
  agent = undefined;
  logLines.length = 0;
  world.ec2.setInstances(REGION, [WEB, DB, CACHE]);
});

afterAll(async () => {
  await world?.close();
});

describe('agent', () => {
  it('connects, subscribes, lists with IoT credentials and shows every instance', async () => {
    const a = await start();
    const view = await waitFor('synced', () => (a.legend().synced ? a.legend() : undefined), 8_000);
    expect(view.connected).toBe(true);
    expect(shown(view)).toEqual({ cache: 'running', db: 'stopped', web: 'running' });
    expect(world.credentials.requests.length).toBeGreaterThanOrEqual(1);
    expect(messages()).toEqual(expect.arrayContaining(['display opened', 'connected', 'listing', 'synced']));
  });

  it('changes a pixel the moment a live message arrives', async () => {
    const a = await start();
    await waitFor('synced', () => a.legend().synced, 8_000);
    const before = world.ec2.calls[REGION] ?? 0;
    await world.publish(DB.instanceId, 'pending', Date.now());
    await waitFor('db pending', () => shown(a.legend()).db === 'pending', 3_000);
    expect(world.ec2.calls[REGION]).toBe(before);
  });

  it('describes an instance first seen live, so its Name shows', async () => {
    const a = await start();
    await waitFor('synced', () => a.legend().synced, 8_000);
    const fresh = instance(4, 'pending', 'fresh');
    world.ec2.upsert(REGION, fresh);
    await world.publish(fresh.instanceId, 'pending', Date.now());
    await waitFor('fresh named', () => shown(a.legend()).fresh === 'pending', 10_000);
  });

  it('with a tag filter, removes again an untagged instance that a live message brought in', async () => {
    const config = { ...world.config, tagFilter: { key: 'Name', value: 'web' } };
    agent = await startAgent({ config, log: createLogger({ write: (line) => logLines.push(line) }) });
    const a = agent;
    await waitFor('synced', () => a.legend().synced, 8_000);
    expect(shown(a.legend())).toEqual({ web: 'running' });
    // An event newer than the first listing (else it is a tombstone already), older than the relist.
    const firstListing = a.state().listedAtMs ?? Number.POSITIVE_INFINITY;
    await waitFor('the clock 50 ms past the first listing', () => Date.now() - 50 > firstListing);
    const calls = world.ec2.calls[REGION] ?? 0;
    await world.publish(DB.instanceId, 'pending', Date.now() - 50);
    // DescribeInstances for the newcomer finds no tag, so the agent relists: two calls.
    await waitFor('describe and relist', () => (world.ec2.calls[REGION] ?? 0) >= calls + 2, 10_000);
    await waitFor('the relist applied', () => (a.state().listedAtMs ?? 0) > firstListing, 5_000);
    expect(a.state().fleet.has(DB.instanceId)).toBe(false);
    await waitFor('its frame drawn', () => a.framesIdle(), 2_000);
    expect(shown(a.legend())).toEqual({ web: 'running' });
  });

  it('relists after the broker comes back and drops an instance that vanished meanwhile', async () => {
    const a = await start();
    await waitFor('synced', () => a.legend().synced, 8_000);
    await world.broker.kill();
    await waitFor('disconnected', () => !a.legend().connected, 3_000);
    world.ec2.remove(REGION, CACHE.instanceId);
    await delay(300);
    await world.broker.start();
    await waitFor('resynced', () => a.legend().synced, 8_000);
    expect(shown(a.legend())).toEqual({ db: 'stopped', web: 'running' });
  });

  it('keeps pixels across a restart through the slot file', async () => {
    const first = await start();
    await waitFor('synced', () => first.legend().synced, 8_000);
    const pixelsBefore = first
      .legend()
      .pixels.filter((p) => p.entry !== null)
      .map((p) => [p.x, p.y, p.entry?.id]);
    await first.stop();
    expect(existsSync(join(world.stateDir, 'slots.json'))).toBe(true);
    expect(readFileSync(join(world.stateDir, 'slots.json'), 'utf8')).toContain(WEB.instanceId);
    world.ec2.setInstances(REGION, [instance(0, 'running', 'aaa-new'), WEB, DB, CACHE]);
    const second = await start();
    await waitFor('synced', () => second.legend().synced, 8_000);
    const pixelsAfter = second
      .legend()
      .pixels.filter((p) => p.entry !== null)
      .map((p) => [p.x, p.y, p.entry?.id]);
    expect(pixelsAfter).toEqual(expect.arrayContaining(pixelsBefore));
  });

  it('draws nothing while nothing changes, and blanks the board when it stops', async () => {
    const writes: string[] = [];
    const output = {
      columns: 100,
      rows: 40,
      write: (chunk: string, done: (error?: Error | null) => void) => {
        writes.push(chunk);
        setTimeout(() => done(), 5);
        return true;
      },
    };
    const config = { ...world.config, display: { ...world.config.display, board: 'terminal' as const } };
    const log = createLogger({ write: (line) => logLines.push(line) });
    agent = await startAgent({ config, log, displayDeps: { output } });
    const a = agent;
    await waitFor('synced', () => a.legend().synced, 8_000);
    await waitFor('a frame with the legend', () => writes.some((w) => w.includes('web')), 2_000);
    // Nothing pulses or blinks: once drawn, no frame is armed (a pulse would keep one armed).
    await waitFor('no frame armed', () => a.framesIdle(), 2_000);
    await a.stop();
    expect(writes.at(-1)).toContain('\u001b[?1049l');
    expect(a.framesIdle()).toBe(true); // stopped: no timer left to draw again
  });

  it('drops a message stamped a year ahead, ignores an early forged termination, and relists over one', async () => {
    // Resync every 1.2 s: the next listing comes soon.
    const config = { ...world.config, resyncMinutes: 0.02 };
    agent = await startAgent({ config, log: createLogger({ write: (line) => logLines.push(line) }) });
    const a = agent;
    await waitFor('synced', () => a.legend().synced, 8_000);
    await world.publish(WEB.instanceId, 'stopped', Date.now() + 365 * 24 * 3600 * 1000);
    await waitFor(
      'the drop logged',
      () => messages().includes('change dropped: stamped ahead of this clock'),
      3_000,
    );
    // Older than the listing that showed it running: ignored.
    await world.publish(CACHE.instanceId, 'terminated', 1000);
    await world.publish(DB.instanceId, 'pending', Date.now());
    await waitFor('a real change still shows', () => shown(a.legend()).db === 'pending', 3_000);
    expect(shown(a.legend())).toMatchObject({ cache: 'running', web: 'running' });
    // Over a state set by a message, a forged termination shows, until the next listing.
    await world.publish(WEB.instanceId, 'stopping', Date.now());
    await waitFor('web stopping', () => shown(a.legend()).web === 'stopping', 3_000);
    await world.publish(WEB.instanceId, 'terminated', 1000);
    await waitFor('the forgery shows at first', () => shown(a.legend()).web === 'terminated', 3_000);
    await waitFor('the next listing restores the truth', () => shown(a.legend()).web === 'running', 15_000);
  });

  it('stops within two seconds, disconnected and idle', async () => {
    const a = await start();
    await waitFor('synced', () => a.legend().synced, 8_000);
    const startedAt = Date.now();
    await a.stop();
    expect(Date.now() - startedAt).toBeLessThan(2_000);
    const calls = world.ec2.calls[REGION];
    await delay(300);
    expect(world.ec2.calls[REGION]).toBe(calls);
  });
});
