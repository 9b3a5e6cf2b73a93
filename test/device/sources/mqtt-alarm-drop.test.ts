/**
 * Today's agent and the alarm messages of docs/checks.md: the real MQTT source, subscribed as the
 * agent subscribes, against a real mosquitto on 127.0.0.1, never delivers an alarm message, whether
 * it is published on the alarm tree or misrouted onto an instance topic. With `alarms` (config
 * `alarms`) the same source subscribes to the home account's alarm topics and delivers exactly the
 * alarm messages in scope.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changeOf } from '../../../device/fleet/item.ts';
import { alarmRoute } from '../../../device/sources/alarm-topics.ts';
import { instanceRoute } from '../../../device/sources/instance-topics.ts';
import { createMqttSource, type MqttEvent, toSyncEvent } from '../../../device/sources/mqtt.ts';
import { type AlarmMessage, encodeAlarmMessage } from '../../../shared/alarm-message.ts';
import type { StateMessage } from '../../../shared/message.ts';
import { alarmTopic } from '../../../shared/topics.ts';
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
const ALARM: AlarmMessage = {
  v: 1,
  kind: 'alarm',
  name: 'web-5xx',
  state: 'ALARM',
  time: 1_764_115_201_000,
  arn: 'arn:aws:cloudwatch:eu-west-1:123456789012:alarm:web-5xx',
  event: 'c4c1c1c9-6542-e61b-6ef0-8c4d36933a92',
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

describe("today's agent and alarm messages", () => {
  it('delivers none, on the alarm tree or on an instance topic, and keeps delivering instances', async () => {
    const events: MqttEvent[] = [];
    const source = createMqttSource({
      mqtt: {
        endpoint: '127.0.0.1',
        port: broker.port,
        clientId: 'alarm-drop-test',
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
      ],
      onEvent: likeTheAgent(events, () => source),
    });
    source.start();
    try {
      await waitFor('subscribed', () => events.some((e) => e.type === 'subscribed'));
      publisher = await connectPublisher(broker.port);
      await publisher.publish(
        alarmTopic('ec2led', { account: '123456789012', region: 'eu-west-1' }),
        encodeAlarmMessage(ALARM),
      );
      await publisher.publish(`ec2led/v1/123456789012/eu-west-1/${INSTANCE.id}`, encodeAlarmMessage(ALARM));
      await publisher.publishMessage('ec2led', INSTANCE);
      // Published last on one connection: the broker delivers the alarms before it (MQTT 3.1.1, "Message ordering").
      await waitFor('the instance message', () => events.some((e) => e.type === 'message'));
      expect(events.filter((e) => e.type === 'message')).toEqual([
        {
          type: 'message',
          topic: `ec2led/v1/123456789012/eu-west-1/${INSTANCE.id}`,
          change: changeOf(INSTANCE),
        },
      ]);
    } finally {
      await source.stop();
    }
  }, 30_000);

  it('with alarms configured, delivers the alarm messages in scope as alarm changes, and only those', async () => {
    const events: MqttEvent[] = [];
    const source = createMqttSource({
      mqtt: {
        endpoint: '127.0.0.1',
        port: broker.port,
        clientId: 'alarm-take-test',
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
        alarmRoute('ec2led', {
          account: '123456789012',
          regions: ['eu-west-1', 'us-east-1'],
          prefixes: ['web-'],
        }),
      ],
      onEvent: likeTheAgent(events, () => source),
    });
    source.start();
    try {
      await waitFor('subscribed', () => events.some((e) => e.type === 'subscribed'));
      publisher = await connectPublisher(broker.port);
      const topic = alarmTopic('ec2led', { account: '123456789012', region: 'eu-west-1' });
      // Out of scope: a name without the prefix, an ARN of another region than its topic.
      await publisher.publish(
        topic,
        encodeAlarmMessage({ ...ALARM, name: 'db-cpu', arn: ALARM.arn.replace('web-5xx', 'db-cpu') }),
      );
      await publisher.publish(
        alarmTopic('ec2led', { account: '123456789012', region: 'us-east-1' }),
        encodeAlarmMessage(ALARM),
      );
      await publisher.publish(topic, '{"v":1,"kind":"alarm"}');
      await publisher.publish(topic, encodeAlarmMessage(ALARM));
      // Published last on one connection: the broker delivers the others before it (MQTT 3.1.1, "Message ordering").
      await waitFor('the alarm message', () => events.some((e) => e.type === 'message'));
      const alarms = events.filter((e) => e.type === 'message');
      expect(alarms).toHaveLength(1);
      expect(toSyncEvent(alarms[0] as MqttEvent)).toEqual({
        type: 'message',
        change: {
          kind: 'alarm',
          id: ALARM.arn,
          name: 'web-5xx',
          state: 'ALARM',
          timeMs: ALARM.time,
          region: 'eu-west-1',
          account: '123456789012',
          eventId: ALARM.event,
        },
      });
    } finally {
      await source.stop();
    }
  }, 30_000);
});
