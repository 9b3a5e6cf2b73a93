/**
 * Publishes test messages to a broker the way the Lambda does (QoS 1), with the device SDK's
 * MQTT 3.1.1 client. mTLS with a client certificate from certs.ts, or plain TCP.
 */
import { io, iot, mqtt } from 'aws-iot-device-sdk-v2';
import { encodeMessage, type StateMessage } from '../../shared/message.ts';
import { instanceTopic } from '../../shared/topics.ts';
import type { TestPki } from './certs.ts';

export interface PublishOptions {
  /** Default 1, as the Lambda publishes. */
  readonly qos?: 0 | 1;
  /** Default false. */
  readonly retain?: boolean;
}

export interface Publisher {
  /** Publishes any payload, an empty one included (the agent must survive what a broker passes on). */
  publish(topic: string, payload: string, options?: PublishOptions): Promise<void>;
  /** Publishes a valid v1 message on its instance topic. */
  publishMessage(prefix: string, message: StateMessage): Promise<void>;
  close(): Promise<void>;
}

export async function connectPublisher(port: number, pki?: TestPki): Promise<Publisher> {
  let config: mqtt.MqttConnectionConfig;
  const clientId = `publisher-${process.pid}-${port}`;
  if (pki === undefined) {
    config = { client_id: clientId, host_name: '127.0.0.1', port, socket_options: new io.SocketOptions() };
  } else {
    const pair = pki.issueClient('publisher');
    config = iot.AwsIotMqttConnectionConfigBuilder.new_mtls_builder_from_path(pair.cert, pair.key)
      .with_certificate_authority_from_path(undefined, pki.ca)
      .with_endpoint('127.0.0.1')
      .with_port(port)
      .with_client_id(clientId)
      .build();
  }
  const connection = new mqtt.MqttClient().new_connection(config);
  connection.on('error', () => undefined);
  await connection.connect();
  const publish = async (topic: string, payload: string, options: PublishOptions = {}): Promise<void> => {
    const qos = options.qos === 0 ? mqtt.QoS.AtMostOnce : mqtt.QoS.AtLeastOnce;
    await connection.publish(topic, payload, qos, options.retain ?? false);
  };
  return {
    publish,
    publishMessage: (prefix, message) =>
      publish(
        instanceTopic(prefix, { account: message.account, region: message.region, instanceId: message.id }),
        encodeMessage(message),
      ),
    close: async () => {
      await Promise.race([connection.disconnect(), new Promise((resolve) => setTimeout(resolve, 2_000))]);
    },
  };
}
