/**
 * Deploy messages over MQTT: the real MQTT source against a real mosquitto on 127.0.0.1. Without
 * `deploys` it never delivers one; with `deploys` (config `deploys`) it subscribes to the home
 * account's deploy topics and delivers exactly the deploy messages in scope, as deploy changes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DeployScope, deployRoute } from '../../../device/sources/deploy-topics.ts';
import { instanceRoute } from '../../../device/sources/instance-topics.ts';
import { createMqttSource, type MqttEvent, toSyncEvent } from '../../../device/sources/mqtt.ts';
import { type DeployMessage, encodeDeployMessage } from '../../../shared/deploy-message.ts';
import type { StateMessage } from '../../../shared/message.ts';
import { deployTopic } from '../../../shared/topics.ts';
import { type Mosquitto, startMosquitto } from '../../fakes/mosquitto.ts';
import { connectPublisher, type Publisher } from '../../fakes/mqtt-publisher.ts';
import { waitFor } from '../../fakes/wait.ts';
import { likeTheAgent } from './like-the-agent.ts';

const INSTANCE: StateMessage = {
  v: 1,
  id: 'i-0123456789abcdef0',
  state: 'running',
  time: 1_764_115_200_000,
  region: 'eu-west-1',
  account: '123456789012',
  event: '7bf73129-1428-4cd3-a780-95db273d1602',
};
const DEPLOY: DeployMessage = {
  v: 1,
  kind: 'deploy',
  name: 'shop-web',
  state: 'deploy-failed',
  start: 1_764_115_100_000,
  time: 1_764_115_201_000,
  arn: 'arn:aws:codepipeline:eu-west-1:123456789012:shop-web',
  run: '12345678-1234-5678-abcd-12345678abcd',
  event: '01234567-EXAMPLE',
};

let broker: Mosquitto;
let publisher: Publisher | undefined;

beforeAll(async () => {
  broker = await startMosquitto();
});

afterAll(async () => {
  await publisher?.close();
  await broker?.stop();
});

function source(clientId: string, events: MqttEvent[], deploys?: DeployScope) {
  const created = createMqttSource({
    mqtt: {
      endpoint: '127.0.0.1',
      port: broker.port,
      clientId,
      cert: undefined,
      key: undefined,
      ca: undefined,
      tls: false,
      keepAliveSeconds: 30,
      reconnectMinSeconds: 1,
      reconnectMaxSeconds: 2,
    },
    topicPrefix: 'ec2led',
    routes: [
      instanceRoute({ topicPrefix: 'ec2led', accounts: [INSTANCE.account], regions: [INSTANCE.region] }),
      ...(deploys === undefined ? [] : [deployRoute('ec2led', deploys)]),
    ],
    onEvent: likeTheAgent(events, () => created),
  });
  return created;
}

describe('deploy messages over MQTT', () => {
  it('without deploys configured, delivers none and keeps delivering instances', async () => {
    const events: MqttEvent[] = [];
    const mqtt = source('deploy-drop-test', events);
    mqtt.start();
    try {
      await waitFor('subscribed', () => events.some((e) => e.type === 'subscribed'));
      publisher = await connectPublisher(broker.port);
      await publisher.publish(
        deployTopic('ec2led', { account: '123456789012', region: 'eu-west-1' }),
        encodeDeployMessage(DEPLOY),
      );
      await publisher.publishMessage('ec2led', INSTANCE);
      await waitFor('the instance message', () => events.some((e) => e.type === 'message'));
      expect(events.filter((e) => e.type === 'message' && e.change.kind === 'deploy')).toEqual([]);
    } finally {
      await mqtt.stop();
    }
  }, 30_000);

  it('with deploys configured, delivers the deploy messages in scope as deploy changes, and only those', async () => {
    const events: MqttEvent[] = [];
    const mqtt = source('deploy-take-test', events, {
      account: '123456789012',
      regions: ['eu-west-1', 'us-east-1'],
      prefixes: ['shop-'],
    });
    mqtt.start();
    try {
      await waitFor('subscribed', () => events.some((e) => e.type === 'subscribed'));
      publisher ??= await connectPublisher(broker.port);
      const topic = deployTopic('ec2led', { account: '123456789012', region: 'eu-west-1' });
      // Out of scope: a name without the prefix, an ARN of another region than its topic, garbage.
      await publisher.publish(
        topic,
        encodeDeployMessage({ ...DEPLOY, name: 'api', arn: DEPLOY.arn.replace('shop-web', 'api') }),
      );
      await publisher.publish(
        deployTopic('ec2led', { account: '123456789012', region: 'us-east-1' }),
        encodeDeployMessage(DEPLOY),
      );
      await publisher.publish(topic, '{"v":1,"kind":"deploy"}');
      await publisher.publish(topic, encodeDeployMessage(DEPLOY));
      const isDeploy = (e: MqttEvent) => e.type === 'message' && e.change.kind === 'deploy';
      await waitFor('the deploy message', () => events.some(isDeploy));
      const deploys = events.filter(isDeploy);
      expect(deploys).toHaveLength(1);
      expect(toSyncEvent(deploys[0] as MqttEvent)).toEqual({
        type: 'message',
        change: {
          kind: 'deploy',
          id: DEPLOY.arn,
          name: 'shop-web',
          state: 'deploy-failed',
          startMs: DEPLOY.start,
          timeMs: DEPLOY.time,
          region: 'eu-west-1',
          account: '123456789012',
          eventId: DEPLOY.event,
        },
      });
    } finally {
      await mqtt.stop();
    }
  }, 30_000);
});
