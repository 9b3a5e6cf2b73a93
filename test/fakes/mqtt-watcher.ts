/** A plain-TCP MQTT client for tests that records the last payload of every topic (retained ones too). */
import { io, mqtt } from 'aws-iot-device-sdk-v2';

export interface Watcher {
  readonly messages: Map<string, string>;
  publish(topic: string, payload: string): Promise<void>;
  close(): Promise<void>;
}

let watchers = 0;

/** A client that records the last payload of every topic (retained ones arrive on subscribe). */
export async function watch(port: number): Promise<Watcher> {
  const messages = new Map<string, string>();
  const connection = new mqtt.MqttClient().new_connection({
    client_id: `watcher-${process.pid}-${port}-${++watchers}`,
    host_name: '127.0.0.1',
    port,
    clean_session: true,
    keep_alive: 30,
    socket_options: new io.SocketOptions(),
  });
  connection.on('error', () => undefined);
  await connection.connect();
  await connection.subscribe('#', mqtt.QoS.AtLeastOnce, (topic, payload) => {
    messages.set(topic, new TextDecoder().decode(payload));
  });
  return {
    messages,
    publish: async (topic, payload) =>
      void (await connection.publish(topic, payload, mqtt.QoS.AtLeastOnce, false)),
    close: async () => {
      await Promise.race([connection.disconnect(), new Promise((resolve) => setTimeout(resolve, 2_000))]);
    },
  };
}
