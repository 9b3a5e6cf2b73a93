/**
 * `/metrics` of a running agent, scraped over HTTP and read by a Prometheus text-format parser: the
 * agent end to end on 127.0.0.1 (real mosquitto with mutual TLS, the IoT credentials provider,
 * FakeEc2, the `none` board) and its web board listener serving metrics. Every wait is bounded.
 */
import parsePrometheusTextFormat, { type ParsedFamily } from 'parse-prometheus-text-format';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Agent, startAgent } from '../../device/agent/agent.ts';
import { createLogger } from '../../device/base/log.ts';
import { startAgentWebBoard } from '../../device/outputs/web/agent-board.ts';
import type { WebBoard } from '../../device/outputs/web/server.ts';
import { encodeMessage, type StateMessage } from '../../shared/message.ts';
import { instanceTopic } from '../../shared/topics.ts';
import { connectPublisher, type Publisher } from '../fakes/mqtt-publisher.ts';
import { waitFor, waitForAsync } from '../fakes/wait.ts';
import { ACCOUNT, instance, REGION, startWorld, type World } from '../fakes/world.ts';

const WEB = instance(1, 'running', 'web');
const DB = instance(2, 'stopped', 'db');
const CACHE = instance(3, 'running', 'cache');

let world: World;
let publisher: Publisher;
let agent: Agent | undefined;
let web: WebBoard | undefined;

type Scrape = Map<string, ParsedFamily>;

async function scrape(): Promise<Scrape> {
  if (web === undefined) throw new Error('no listener');
  const res = await fetch(new URL('/metrics', web.url));
  expect(res.status).toBe(200);
  return new Map(parsePrometheusTextFormat(await res.text()).map((family) => [family.name, family]));
}

function value(families: Scrape, name: string, labels?: Record<string, string>): number {
  const sample = families
    .get(name)
    ?.metrics.find(
      (m) => labels === undefined || Object.entries(labels).every(([k, v]) => m.labels?.[k] === v),
    );
  return Number(sample?.value ?? sample?.count ?? Number.NaN);
}

async function start(options: { board?: boolean } = {}): Promise<Agent> {
  const log = createLogger({ level: 'warn', write: () => undefined });
  agent = await startAgent({ config: world.config, log });
  web = await startAgentWebBoard(agent, { host: '127.0.0.1', port: 0, metrics: true, ...options }, log);
  const a = agent;
  await waitFor('synced', () => a.legend().synced, 8_000);
  return a;
}

beforeAll(async () => {
  world = await startWorld([WEB, DB, CACHE]);
  publisher = await connectPublisher(world.broker.port, world.pki);
});

afterEach(async () => {
  await Promise.all([web?.close(), agent?.stop()]);
  web = undefined;
  agent = undefined;
});

afterAll(async () => {
  await publisher?.close();
  await world?.close();
});

describe('the agent’s /metrics', () => {
  it('after start: a listing done and timed, the fleet by state, connected and synced, frames drawn', async () => {
    await start();
    const families = await scrape();
    expect(value(families, 'ec2led_listings_total')).toBeGreaterThanOrEqual(1);
    expect(value(families, 'ec2led_listing_failures_total')).toBe(0);
    const duration = families.get('ec2led_listing_duration_seconds')?.metrics[0];
    expect(Number(duration?.count)).toBeGreaterThanOrEqual(1);
    expect(Number(duration?.sum)).toBeGreaterThan(0);
    expect(value(families, 'ec2led_instances', { kind: 'instance', state: 'running' })).toBe(2);
    expect(value(families, 'ec2led_instances', { kind: 'instance', state: 'stopped' })).toBe(1);
    expect(value(families, 'ec2led_mqtt_connected')).toBe(1);
    expect(value(families, 'ec2led_synced')).toBe(1);
    expect(value(families, 'ec2led_frames_total')).toBeGreaterThanOrEqual(1);
    const listedAt = value(families, 'ec2led_last_listing_timestamp_seconds');
    expect(Math.abs(Date.now() / 1000 - listedAt)).toBeLessThan(30);
  });

  it('a listing from a broken page (a space a proxy inserted) is a failure, counted; synced comes from the next good one', async () => {
    world.ec2.breakNext(1, 'padded');
    const a = await start();
    const families = await scrape();
    expect(value(families, 'ec2led_listing_failures_total')).toBe(1);
    expect(value(families, 'ec2led_listings_total')).toBeGreaterThanOrEqual(1);
    expect([...a.state().fleet.keys()].sort()).toEqual(
      [WEB.instanceId, DB.instanceId, CACHE.instanceId].sort(),
    );
    expect(value(families, 'ec2led_instances', { kind: 'instance', state: 'running' })).toBe(2);
  });

  it('counts a message as it arrives and shows the fleet gauge move', async () => {
    const a = await start();
    const before = await scrape();
    const published = Date.now();
    await world.publish(DB.instanceId, 'pending', published);
    await waitFor('db pending', () => a.state().fleet.get(DB.instanceId)?.state === 'pending', 3_000);
    const after = await scrape();
    expect(value(after, 'ec2led_mqtt_messages_received_total')).toBe(
      value(before, 'ec2led_mqtt_messages_received_total') + 1,
    );
    expect(value(after, 'ec2led_instances', { kind: 'instance', state: 'pending' })).toBe(1);
    expect(value(after, 'ec2led_instances', { kind: 'instance', state: 'stopped' })).toBe(0);
    const lastMessage = value(after, 'ec2led_last_message_timestamp_seconds');
    expect(lastMessage).toBeGreaterThanOrEqual(Math.floor(published / 1000) - 1);
    expect(lastMessage).toBeLessThanOrEqual(Date.now() / 1000);
  });

  it('drops a bad payload, a message naming another instance than its topic and a clock-ahead change, each under its reason', async () => {
    const a = await start();
    const topic = instanceTopic('ec2led', { account: ACCOUNT, region: REGION, instanceId: WEB.instanceId });
    await publisher.publish(topic, '{"v":1,"id":"not json');
    const forged: StateMessage = {
      v: 1,
      id: DB.instanceId,
      state: 'terminated',
      time: Date.now(),
      region: REGION,
      account: ACCOUNT,
      event: 'forged',
    };
    await publisher.publish(topic, encodeMessage(forged));
    await world.publish(WEB.instanceId, 'stopping', Date.now() + 3_600_000);
    const families = await waitForAsync(
      'three drops counted',
      async () => {
        const now = await scrape();
        const drops = ['bad-payload', 'topic-mismatch', 'clock-ahead'].map((reason) =>
          value(now, 'ec2led_mqtt_messages_dropped_total', { reason }),
        );
        return drops.every((d) => d === 1) ? now : undefined;
      },
      4_000,
    );
    expect(value(families, 'ec2led_mqtt_messages_received_total')).toBe(3);
    expect(value(families, 'ec2led_mqtt_messages_dropped_total', { reason: 'bad-topic' })).toBe(0);
    // Another account's topics are not subscribed to: the broker sends none (agent-scope.test.ts
    // covers a wider session left over, which the source drops as out-of-scope).
    expect(value(families, 'ec2led_mqtt_messages_dropped_total', { reason: 'out-of-scope' })).toBe(0);
    expect(a.state().fleet.get(WEB.instanceId)?.state).toBe('running');
    expect(a.state().fleet.get(DB.instanceId)?.state).toBe('stopped');
  });

  it('counts a reconnect and the relist after the broker comes back', async () => {
    const a = await start();
    const before = await scrape();
    await world.broker.kill();
    await waitFor('disconnected', () => !a.state().connected, 3_000);
    expect(value(await scrape(), 'ec2led_mqtt_connected')).toBe(0);
    await world.broker.start();
    await waitFor('resynced', () => a.state().synced, 8_000);
    const after = await scrape();
    expect(value(after, 'ec2led_mqtt_reconnects_total')).toBe(1);
    expect(value(after, 'ec2led_listings_total')).toBeGreaterThan(value(before, 'ec2led_listings_total'));
  });

  it('serves metrics alone when the board is off, still on 127.0.0.1', async () => {
    await start({ board: false });
    expect(web?.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(value(await scrape(), 'ec2led_listings_total')).toBeGreaterThanOrEqual(1);
    expect((await fetch(new URL('/api/board', web?.url))).status).toBe(404);
  });
});
