/**
 * The MQTT source against a real mosquitto with mutual TLS on 127.0.0.1 (test/fakes/mosquitto.ts).
 * Every wait is bounded; brokers and clients are stopped in afterEach/afterAll.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createLogger, type Logger } from '../../../device/base/log.ts';
import type { MqttConfig } from '../../../device/config/config.ts';
import { changeOf } from '../../../device/fleet/item.ts';
import { instanceRoute } from '../../../device/sources/instance-topics.ts';
import { createMqttSource, type MqttEvent, type MqttSource } from '../../../device/sources/mqtt.ts';
import type { StateMessage } from '../../../shared/message.ts';
import { makeTestPki, type TestPki } from '../../fakes/certs.ts';
import { type Mosquitto, startMosquitto } from '../../fakes/mosquitto.ts';
import { connectPublisher, type Publisher } from '../../fakes/mqtt-publisher.ts';
import { delay, waitFor } from '../../fakes/wait.ts';
import { likeTheAgent } from './like-the-agent.ts';

const PREFIX = 'ec2led';
const MESSAGE: StateMessage = {
  v: 1,
  id: 'i-0123456789abcdef0',
  state: 'running',
  time: 1_764_115_200_000,
  region: 'eu-west-1',
  account: '123456789012',
  event: '7bf73129-1428-4cd3-a780-95db273d1602',
};

let pki: TestPki;
let broker: Mosquitto;
let publisher: Publisher | undefined;
const sources: MqttSource[] = [];
/** A fresh client id per test: mosquitto keeps each persistent session for the broker's lifetime. */
let clientId = '';
let clientCount = 0;

function mqttConfig(overrides: Partial<MqttConfig> = {}): MqttConfig {
  return {
    endpoint: '127.0.0.1',
    port: broker.port,
    clientId,
    cert: pki.client.cert,
    key: pki.client.key,
    ca: pki.ca,
    tls: true,
    keepAliveSeconds: 30,
    reconnectMinSeconds: 1,
    reconnectMaxSeconds: 2,
    ...overrides,
  };
}

function start(overrides: Partial<MqttConfig> = {}, stableMs?: number) {
  const events: MqttEvent[] = [];
  const logs: string[] = [];
  const source = createMqttSource({
    mqtt: mqttConfig(overrides),
    log: createLogger({ write: (line) => logs.push(line), level: 'debug' }),
    topicPrefix: PREFIX,
    routes: [instanceRoute({ topicPrefix: PREFIX, accounts: [MESSAGE.account], regions: [MESSAGE.region] })],
    onEvent: likeTheAgent(events, () => source),
    ...(stableMs === undefined ? {} : { stableMs }),
  });
  sources.push(source);
  source.start();
  const count = (type: MqttEvent['type']) => events.filter((e) => e.type === type).length;
  /** The lines logged with this message (`msg`), in order. */
  const logged = (msg: string) => logs.filter((line) => JSON.parse(line).msg === msg);
  return { source, events, count, logged };
}

beforeAll(async () => {
  pki = makeTestPki();
  broker = await startMosquitto({ pki });
});

beforeEach(() => {
  clientCount += 1;
  clientId = `${pki.thingName}-${clientCount}`;
});

afterEach(async () => {
  await Promise.all(sources.splice(0).map((source) => source.stop()));
  await publisher?.close();
  publisher = undefined;
});

afterAll(async () => {
  await broker?.stop();
  pki?.remove();
});

describe('mqtt source against mosquitto with mutual TLS', () => {
  it('connects with the device certificate, subscribes at QoS 1 and delivers a decoded message', async () => {
    const { events, count } = start();
    await waitFor('subscribed', () => count('subscribed') === 1);
    expect(events.slice(0, 2)).toEqual([
      { type: 'connected', rejoined: false, first: true },
      { type: 'subscribed', filters: ['ec2led/v1/123456789012/eu-west-1/+'] },
    ]);
    publisher = await connectPublisher(broker.port, pki);
    await publisher.publishMessage(PREFIX, MESSAGE);
    const received = await waitFor('message', () => events.find((e) => e.type === 'message'));
    expect(received).toEqual({
      type: 'message',
      topic: `ec2led/v1/123456789012/eu-west-1/${MESSAGE.id}`,
      change: changeOf(MESSAGE),
    });
  });

  it('drops malformed payloads and topics that disagree with the message, and keeps delivering', async () => {
    const { events, count } = start();
    await waitFor('subscribed', () => count('subscribed') === 1);
    publisher = await connectPublisher(broker.port, pki);
    await publisher.publish('ec2led/v1/123456789012/eu-west-1/i-0123456789abcdef0', '{"v":1,"id":');
    await publisher.publish('ec2led/v1/123456789012/eu-west-1/i-0123456789abcdef0', 'x'.repeat(5000));
    await publisher.publish(`ec2led/v1/123456789012/us-east-1/${MESSAGE.id}`, JSON.stringify(MESSAGE));
    await publisher.publish('ec2led/v1/other', JSON.stringify(MESSAGE));
    await publisher.publishMessage(PREFIX, { ...MESSAGE, state: 'stopped' });
    // Published last on one connection: the broker delivers the rest before it (MQTT 3.1.1, "Message ordering").
    await waitFor('the good message', () => count('message') === 1);
    expect(events.filter((e) => e.type === 'message')).toEqual([
      expect.objectContaining({ change: changeOf({ ...MESSAGE, state: 'stopped' }) }),
    ]);
  });

  it('survives 0-byte payloads at QoS 0 and 1, retained and not, and keeps delivering', async () => {
    const lines: string[] = [];
    const log = createLogger({ write: (line) => lines.push(line), level: 'debug' });
    const events: MqttEvent[] = [];
    const source = createMqttSource({
      mqtt: mqttConfig(),
      topicPrefix: PREFIX,
      routes: [
        instanceRoute({ topicPrefix: PREFIX, accounts: [MESSAGE.account], regions: [MESSAGE.region] }),
      ],
      onEvent: likeTheAgent(events, () => source),
      log,
    });
    sources.push(source);
    source.start();
    await waitFor('subscribed', () => events.some((e) => e.type === 'subscribed'));
    publisher = await connectPublisher(broker.port, pki);
    const topic = `ec2led/v1/123456789012/eu-west-1/${MESSAGE.id}`;
    for (const qos of [0, 1] as const) {
      for (const retain of [false, true]) await publisher.publish(topic, '', { qos, retain });
    }
    await publisher.publishMessage(PREFIX, { ...MESSAGE, state: 'stopping' });
    await waitFor('the good message after the empty ones', () => events.some((e) => e.type === 'message'));
    const empties = lines.filter((line) => line.includes('payload is empty'));
    expect(empties.length).toBe(4);
    expect(lines.join('')).not.toContain('callback failed');
    expect(events.filter((e) => e.type === 'message')).toEqual([
      expect.objectContaining({ change: changeOf({ ...MESSAGE, state: 'stopping' }) }),
    ]);
  });

  it('lets nothing thrown in its own callbacks cross into aws-crt, not even by the logger', async () => {
    let thrown = 0;
    const hostile = {
      toString: () => {
        throw new Error('toString');
      },
    };
    const throwing: Logger = {
      debug: () => undefined,
      info: () => undefined,
      warn: () => {
        thrown += 1;
        throw hostile;
      },
      error: () => {
        throw new Error('the error line fails too');
      },
      child: () => throwing,
    };
    const events: MqttEvent[] = [];
    const source = createMqttSource({
      mqtt: mqttConfig(),
      topicPrefix: PREFIX,
      routes: [
        instanceRoute({ topicPrefix: PREFIX, accounts: [MESSAGE.account], regions: [MESSAGE.region] }),
      ],
      onEvent: likeTheAgent(events, () => source),
      log: throwing,
    });
    sources.push(source);
    source.start();
    await waitFor('subscribed', () => events.some((e) => e.type === 'subscribed'));
    publisher = await connectPublisher(broker.port, pki);
    await publisher.publish(`ec2led/v1/123456789012/eu-west-1/${MESSAGE.id}`, '', { qos: 0 });
    await publisher.publishMessage(PREFIX, MESSAGE);
    await waitFor('the good message after a drop whose log line threw', () =>
      events.some((e) => e.type === 'message'),
    );
    expect(thrown).toBe(1);
  });

  it('reconnects and resubscribes within a few seconds after the broker is killed and restarted', async () => {
    const { events, count } = start();
    await waitFor('subscribed', () => count('subscribed') === 1);
    await broker.kill();
    await waitFor('disconnected', () => count('disconnected') === 1);
    await delay(500);
    const restartedAt = Date.now();
    await broker.start();
    await waitFor('resubscribed', () => count('subscribed') === 2, 6_000);
    const healedMs = Date.now() - restartedAt;
    expect(healedMs).toBeLessThan(6_000);
    expect(events.filter((e) => e.type === 'connected')).toEqual([
      { type: 'connected', rejoined: false, first: true },
      { type: 'connected', rejoined: false, first: false },
    ]);
    publisher = await connectPublisher(broker.port, pki);
    await publisher.publishMessage(PREFIX, MESSAGE);
    await waitFor('message after restart', () => count('message') === 1);
  });

  it('connects once the broker comes up when it was down at start', async () => {
    await broker.kill();
    try {
      const { count, logged } = start();
      await waitFor('a failed connect', () => logged('connect failed').length > 0, 5_000);
      expect(count('connected')).toBe(0);
      await broker.start();
      await waitFor('subscribed', () => count('subscribed') === 1, 6_000);
    } finally {
      if (broker.pid === undefined) await broker.start();
    }
  });

  it('reports a rejoined stale session on the first connection, and subscribes when asked', async () => {
    const first = start();
    await waitFor('subscribed', () => first.count('subscribed') === 1);
    await first.source.stop();
    const second = start();
    await waitFor('subscribed', () => second.count('subscribed') === 1);
    expect(second.events.slice(0, 2)).toEqual([
      { type: 'connected', rejoined: true, first: true },
      { type: 'subscribed', filters: ['ec2led/v1/123456789012/eu-west-1/+'] },
    ]);
  });

  it('never subscribes by itself: only when the state machine asks', async () => {
    const events: MqttEvent[] = [];
    const source = createMqttSource({
      mqtt: mqttConfig(),
      topicPrefix: PREFIX,
      routes: [
        instanceRoute({ topicPrefix: PREFIX, accounts: [MESSAGE.account], regions: [MESSAGE.region] }),
      ],
      onEvent: (event) => events.push(event),
    });
    sources.push(source);
    source.start();
    await waitFor('connected', () => events.some((e) => e.type === 'connected'));
    // A round trip on the same connection: a SUBSCRIBE sent on connect would be acknowledged
    // before this PUBLISH is (the broker answers one connection's packets in order, MQTT 3.1.1 "Message ordering").
    await source.publish('ec2led/v1/other', 'after connect');
    expect(events).toEqual([{ type: 'connected', rejoined: false, first: true }]);
    source.subscribe();
    await waitFor('subscribed', () => events.some((e) => e.type === 'subscribed'));
  });

  it('does not hold shutdown for a connect stuck on a certificate chain it cannot verify', async () => {
    const stranger = makeTestPki('stranger');
    try {
      const { source, count } = start({ ca: stranger.ca });
      await delay(1_000);
      expect(count('connected')).toBe(0);
      const stoppedAt = Date.now();
      await source.stop();
      expect(Date.now() - stoppedAt).toBeLessThan(2_500);
      expect(source.connected).toBe(false);
    } finally {
      stranger.remove();
    }
  });

  it('caps the reconnect rate when two devices fight over one client id', async () => {
    const a = start({}, 5_000);
    const b = start({}, 5_000);
    await delay(4_000);
    const connects = a.count('connected') + b.count('connected');
    // Uncapped, the SDK's 1 s minimum gives ~8 connects in 4 s; capped, each side waits >= 2 s after a flap.
    expect(connects).toBeGreaterThanOrEqual(2);
    expect(connects).toBeLessThanOrEqual(5);
  });

  it('stops within two seconds of stop(), disconnected', async () => {
    const { source, events, count } = start();
    await waitFor('subscribed', () => count('subscribed') === 1);
    const stoppedAt = Date.now();
    await source.stop();
    expect(Date.now() - stoppedAt).toBeLessThan(2_000);
    expect(events.at(-1)).toEqual({ type: 'disconnected', reason: 'stopped' });
    expect(source.connected).toBe(false);
  });
});

describe('mqtt source over plain TCP', () => {
  it('connects to a broker without TLS, as the demo does', async () => {
    const plain = await startMosquitto();
    try {
      const events: MqttEvent[] = [];
      const source = createMqttSource({
        mqtt: mqttConfig({ port: plain.port, tls: false, cert: undefined, key: undefined, ca: undefined }),
        topicPrefix: PREFIX,
        routes: [
          instanceRoute({ topicPrefix: PREFIX, accounts: [MESSAGE.account], regions: [MESSAGE.region] }),
        ],
        onEvent: likeTheAgent(events, () => source),
      });
      sources.push(source);
      source.start();
      await waitFor('subscribed', () => events.some((e) => e.type === 'subscribed'));
      publisher = await connectPublisher(plain.port);
      await publisher.publishMessage(PREFIX, MESSAGE);
      await waitFor('message', () => events.some((e) => e.type === 'message'));
    } finally {
      await Promise.all(sources.splice(0).map((source) => source.stop()));
      await plain.stop();
    }
  });
});
