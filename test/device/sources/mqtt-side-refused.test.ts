/**
 * The MQTT source's side topics when the broker refuses them, as IoT Core does under a device policy
 * from before the settings shadow (SUBACK 0x80). On IoT Core a publish the policy refuses ends the
 * connection, so nothing may be published to the side after a refused subscription. aedes plays the
 * policy here (mosquitto 2.0 grants every SUBSCRIBE and checks reads at delivery instead).
 */
import { once } from 'node:events';
import { type AddressInfo, createServer, type Server } from 'node:net';
import { Aedes } from 'aedes';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../../device/base/log.ts';
import { instanceRoute } from '../../../device/sources/instance-topics.ts';
import { createMqttSource, type MqttSource } from '../../../device/sources/mqtt.ts';
import { waitFor } from '../../fakes/wait.ts';

const SIDE = ['$aws/things/desk-pi/shadow/name/ec2led-settings/get/accepted'];
const cleanup: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function refusingBroker(): Promise<{ port: number; published: string[] }> {
  const aedes = await Aedes.createBroker();
  const published: string[] = [];
  aedes.authorizeSubscribe = (_client, sub, done) => done(null, sub.topic.startsWith('$aws/') ? null : sub);
  aedes.authorizePublish = (_client, packet, done) => {
    published.push(packet.topic);
    done(null);
  };
  const server: Server = createServer(aedes.handle);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  cleanup.push(async () => {
    server.close();
    await new Promise<void>((resolve) => aedes.close(() => resolve()));
  });
  return { port: (server.address() as AddressInfo).port, published };
}

describe('MQTT side topics refused by the broker', () => {
  it('stays connected, logs the fix, and never calls onReady (so nothing is published there)', async () => {
    const broker = await refusingBroker();
    const lines: string[] = [];
    let ready = 0;
    const source: MqttSource = createMqttSource({
      mqtt: {
        endpoint: '127.0.0.1',
        port: broker.port,
        clientId: 'desk-pi',
        tls: false,
        keepAliveSeconds: 30,
        reconnectMinSeconds: 1,
        reconnectMaxSeconds: 2,
      },
      topicPrefix: 'ec2led',
      routes: [instanceRoute({ topicPrefix: 'ec2led', accounts: ['123456789012'], regions: ['eu-west-1'] })],
      onEvent: () => undefined,
      log: createLogger({ write: (line) => lines.push(line) }),
      side: {
        filters: SIDE,
        onReady: () => {
          ready += 1;
        },
        onMessage: () => undefined,
      },
    });
    cleanup.push(() => source.stop());
    source.start();
    const refused = await waitFor('refusal logged', () =>
      lines.map((line) => JSON.parse(line)).find((entry) => entry.msg.startsWith('subscription refused')),
    );
    expect(refused.context).toMatchObject({ topic: SIDE[0], fix: expect.stringContaining('cdk deploy') });
    expect(ready).toBe(0);
    expect(source.connected).toBe(true);
    expect(broker.published).toEqual([]);
  });
});
