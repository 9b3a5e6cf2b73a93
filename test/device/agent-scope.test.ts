/**
 * Only the configured accounts and regions reach the board: the agent end to end against the real
 * mosquitto (mutual TLS) and FakeEc2 through the real SDK. Messages for another account or an
 * unconfigured region must neither recolour nor add pixels, nor make the agent call DescribeInstances
 * outside aws.regions. Every wait is bounded.
 */
import { iot, mqtt } from 'aws-iot-device-sdk-v2';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Agent, startAgent } from '../../device/agent/agent.ts';
import { createLogger } from '../../device/base/log.ts';
import type { Config } from '../../device/config/config.ts';
import type { Legend } from '../../device/picture/legend.ts';
import type { StateMessage } from '../../shared/message.ts';
import { connectPublisher, type Publisher } from '../fakes/mqtt-publisher.ts';
import { waitFor } from '../fakes/wait.ts';
import { ACCOUNT, instance, REGION, startWorld, type World } from '../fakes/world.ts';

const WEB = instance(1, 'running', 'web');
const DB = instance(2, 'stopped', 'db');
const OTHER_ACCOUNT = '210987654321';
const OTHER_REGION = 'us-east-1';
const DROPPED = 'dropped messages for an account or region not configured';

let world: World;
let publisher: Publisher;
let agent: Agent | undefined;
const logLines: string[] = [];
let serial = 0;

function shown(view: Legend): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pixel of view.pixels) {
    if (pixel.entry !== null) out[pixel.entry.name || pixel.entry.id] = pixel.entry.state;
  }
  return out;
}

function message(id: string, state: StateMessage['state'], account: string, region: string): StateMessage {
  serial += 1;
  return { v: 1, id, state, time: Date.now(), region, account, event: `scope-${serial}` };
}

async function start(config: Config): Promise<Agent> {
  const log = createLogger({ level: 'debug', write: (line) => logLines.push(line) });
  agent = await startAgent({ config, log });
  await waitFor('synced', () => agent?.legend().synced, 8_000);
  return agent;
}

function droppedLines(): Array<{ dropped: number; total: number; counts: Record<string, number> }> {
  return logLines
    .map((line) => JSON.parse(line))
    .filter((entry) => entry.msg === DROPPED)
    .map((entry) => entry.context);
}

/** Hostile and misdirected changes: a real instance's id under another account and region, and phantoms. */
function outOfScope(): StateMessage[] {
  return [
    message(WEB.instanceId, 'stopped', OTHER_ACCOUNT, REGION),
    message(DB.instanceId, 'running', ACCOUNT, OTHER_REGION),
    message(instance(100, 'running').instanceId, 'running', OTHER_ACCOUNT, REGION),
    message(instance(101, 'running').instanceId, 'pending', ACCOUNT, OTHER_REGION),
    message(instance(102, 'running').instanceId, 'running', OTHER_ACCOUNT, OTHER_REGION),
  ];
}

beforeAll(async () => {
  world = await startWorld([WEB, DB]);
  publisher = await connectPublisher(world.broker.port, world.pki);
});

afterEach(async () => {
  await agent?.stop();
  agent = undefined;
  logLines.length = 0;
  world.ec2.setInstances(REGION, [WEB, DB]);
});

afterAll(async () => {
  await publisher?.close();
  await world?.close();
});

describe('only the configured accounts and regions', () => {
  it('ignores another account and an unconfigured region: no recolour, no phantom, no DescribeInstances there', async () => {
    const a = await start(world.config);
    const callsBefore = { ...world.ec2.calls };
    for (const m of outOfScope()) await publisher.publishMessage('ec2led', m);
    // A configured change after them: once it shows, every earlier one has been delivered or filtered.
    await publisher.publishMessage('ec2led', message(DB.instanceId, 'pending', ACCOUNT, REGION));
    await waitFor('db pending', () => shown(a.legend()).db === 'pending', 4_000);
    expect(shown(a.legend())).toEqual({ web: 'running', db: 'pending' });
    expect(world.ec2.calls[OTHER_REGION]).toBeUndefined();
    expect(world.ec2.calls).toEqual(callsBefore);
  });

  it('drops what a wider subscription left in the session, with one counted warning, not one a message', async () => {
    // A persistent session subscribed to every account and region (an older agent, another config):
    // the broker keeps delivering through it after the agent subscribes to its own pairs.
    const clientId = `${world.pki.thingName}-wide`;
    const old = new mqtt.MqttClient().new_connection(
      iot.AwsIotMqttConnectionConfigBuilder.new_mtls_builder_from_path(
        world.pki.client.cert,
        world.pki.client.key,
      )
        .with_certificate_authority_from_path(undefined, world.pki.ca)
        .with_endpoint('127.0.0.1')
        .with_port(world.broker.port)
        .with_client_id(clientId)
        .with_clean_session(false)
        .build(),
    );
    old.on('error', () => undefined);
    await old.connect();
    await old.subscribe('ec2led/v1/#', mqtt.QoS.AtLeastOnce);
    await old.disconnect();

    const a = await start({ ...world.config, mqtt: { ...world.config.mqtt, clientId } });
    const callsBefore = { ...world.ec2.calls };
    for (let round = 0; round < 6; round++) {
      for (const m of outOfScope()) await publisher.publishMessage('ec2led', m);
    }
    await publisher.publishMessage('ec2led', message(WEB.instanceId, 'stopping', ACCOUNT, REGION));
    await waitFor('web stopping', () => shown(a.legend()).web === 'stopping', 4_000);
    expect(shown(a.legend())).toEqual({ web: 'stopping', db: 'stopped' });
    expect(world.ec2.calls).toEqual(callsBefore);
    const dropped = parsePrometheusTextFormat(a.metrics()).find(
      (family) => family.name === 'ec2led_mqtt_messages_dropped_total',
    );
    expect(dropped?.metrics.find((m) => m.labels?.reason === 'out-of-scope')?.value).toBe('30');

    // The first drop is told at once; the next 29 wait for the interval (or the stop).
    expect(droppedLines()).toEqual([expect.objectContaining({ dropped: 1, total: 1 })]);
    await a.stop();
    const lines = droppedLines();
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatchObject({
      dropped: 29,
      total: 30,
      counts: {
        [`${OTHER_ACCOUNT}/${REGION}`]: 11,
        [`${ACCOUNT}/${OTHER_REGION}`]: 12,
        [`${OTHER_ACCOUNT}/${OTHER_REGION}`]: 6,
      },
    });
  });
});
