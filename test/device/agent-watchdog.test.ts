/**
 * The agent under a fake systemd (a real datagram socket as NOTIFY_SOCKET) and across a restart
 * without network: READY=1 after the first listing, pings while healthy, STOPPING=1 on stop; then
 * the last known fleet comes back from the state directory, dimmed as stale.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Agent, startAgent } from '../../device/agent/agent.ts';
import { FLEET_FILE_NAME, saveFleet } from '../../device/agent/fleet-store.ts';
import { createLogger } from '../../device/base/log.ts';
import type { Item } from '../../device/fleet/item.ts';
import type { Legend } from '../../device/picture/legend.ts';
import { type FakeNotifySocket, startFakeNotifySocket } from '../fakes/notify-socket.ts';
import { waitFor } from '../fakes/wait.ts';
import { instance, startWorld, type World } from '../fakes/world.ts';

const WEB = instance(1, 'running', 'web');
const DB = instance(2, 'stopped', 'db');

let world: World;
let agent: Agent | undefined;
let socket: FakeNotifySocket | undefined;
const lines: string[] = [];
const log = createLogger({ level: 'debug', write: (line) => lines.push(line) });
const unknownClock = async () => undefined;

beforeAll(async () => {
  world = await startWorld([WEB, DB]);
});
afterEach(async () => {
  await agent?.stop();
  agent = undefined;
  socket?.close();
  socket = undefined;
  lines.length = 0;
});
afterAll(async () => {
  await world?.close();
});

function shown(view: Legend): Record<string, { state: string; stale: boolean }> {
  const out: Record<string, { state: string; stale: boolean }> = {};
  for (const { entry: i } of view.pixels) {
    if (i !== null) out[i.name] = { state: i.state, stale: i.stale === true };
  }
  return out;
}

describe('agent under systemd', () => {
  it('says READY=1 once listed, pings every half WatchdogSec, and STOPPING=1 on stop', async () => {
    socket = startFakeNotifySocket();
    const env = { NOTIFY_SOCKET: socket.path, WATCHDOG_USEC: '1000000' }; // a ping every 500 ms
    const a = await startAgent({ config: world.config, log, env, readClockSynced: unknownClock });
    agent = a;
    const messages = await socket.received(3);
    expect(a.legend().synced).toBe(true); // READY=1 came after the first listing
    expect(messages.slice(0, 3)).toEqual(['READY=1', 'WATCHDOG=1', 'WATCHDOG=1']);
    await a.stop();
    agent = undefined;
    const all = await socket.received(4);
    expect(all.at(-1)).toBe('STOPPING=1');
    expect(all.filter((m) => m === 'READY=1')).toHaveLength(1);
  });

  it('refuses to start on an abstract NOTIFY_SOCKET, naming the fix, before opening the board', async () => {
    await expect(
      startAgent({
        config: world.config,
        log,
        env: { NOTIFY_SOCKET: '@ec2led-test' },
        readClockSynced: unknownClock,
      }),
    ).rejects.toThrow(/NOTIFY_SOCKET "@ec2led-test" is not a socket path/);
  });
});

describe('agent after a reboot without network', () => {
  it('shows the last known fleet, dimmed as stale, until a listing replaces it', async () => {
    const first = await startAgent({ config: world.config, log, readClockSynced: unknownClock });
    agent = first;
    await waitFor('synced', () => first.legend().synced, 8_000);
    await first.stop();
    agent = undefined;
    expect(existsSync(join(world.stateDir, FLEET_FILE_NAME))).toBe(true);

    // No broker, no EC2: nothing answers on these ports.
    const offline = {
      ...world.config,
      mqtt: { ...world.config.mqtt, port: 9 },
      aws: { ...world.config.aws, ec2Endpoint: 'http://127.0.0.1:9' },
    };
    const second = await startAgent({ config: offline, log, readClockSynced: unknownClock });
    agent = second;
    const view = await waitFor('restored fleet', () =>
      second.legend().pixels.length > 0 ? second.legend() : undefined,
    );
    expect(view.connected).toBe(false);
    expect(shown(view)).toEqual({
      web: { state: 'running', stale: true },
      db: { state: 'stopped', stale: true },
    });
    expect(lines.map((line) => JSON.parse(line).msg)).toContain('fleet restored, stale until listed');
    await second.stop();
    agent = undefined;

    // Back online: the listing is the truth (db is gone, web is live).
    world.ec2.setInstances('eu-west-1', [WEB]);
    const third = await startAgent({ config: world.config, log, readClockSynced: unknownClock });
    agent = third;
    await waitFor('synced', () => third.legend().synced, 8_000);
    expect(shown(third.legend())).toEqual({ web: { state: 'running', stale: false } });
  });
});

describe('agent restoring a fleet of every kind', () => {
  // The fleet file once wrote probe entries and refused them on load, so with `probes`
  // configured every start logged "fleet not restored" and restored nothing.
  it('restores instances, alarms and probes, stale, with no warning', async () => {
    const stateDir = await mkdtemp(join(tmpdir(), 'fleet-kinds-'));
    try {
      const at = Date.now() - 60_000;
      const base = { timeMs: at, sinceMs: at, tags: {}, listed: true } as const;
      const items: Item[] = [
        {
          ...base,
          kind: 'instance',
          id: 'i-0123456789abcdef0',
          state: 'running',
          region: 'eu-west-1',
          account: '123456789012',
          name: 'web',
          tags: { Name: 'web' },
        },
        {
          ...base,
          kind: 'alarm',
          id: 'arn:aws:cloudwatch:eu-west-1:123456789012:alarm:api-5xx',
          state: 'ALARM',
          region: 'eu-west-1',
          account: '123456789012',
          name: 'api-5xx',
        },
        {
          ...base,
          kind: 'probe',
          id: 'probe:www',
          state: 'up',
          region: 'desk',
          account: 'desk',
          name: 'www',
        },
      ];
      await saveFleet(stateDir, new Map(items.map((item) => [item.id, item])), at);
      const offline = {
        ...world.config,
        stateDir,
        mqtt: { ...world.config.mqtt, port: 9 },
        aws: { ...world.config.aws, ec2Endpoint: 'http://127.0.0.1:9' },
      };
      const a = await startAgent({ config: offline, log, readClockSynced: unknownClock });
      agent = a;
      const view = await waitFor('restored fleet', () =>
        a.legend().pixels.length > 0 ? a.legend() : undefined,
      );
      expect(shown(view)).toEqual({
        web: { state: 'running', stale: true },
        'api-5xx': { state: 'ALARM', stale: true },
        www: { state: 'up', stale: true },
      });
      const messages = lines.map((line) => JSON.parse(line).msg);
      expect(messages).toContain('fleet restored, stale until listed');
      expect(messages).not.toContain('fleet not restored');
      await a.stop();
      agent = undefined;
    } finally {
      await rm(stateDir, { recursive: true, force: true });
    }
  });
});
