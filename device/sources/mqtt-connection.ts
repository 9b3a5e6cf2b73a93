/**
 * The SDK side of the MQTT source: the MQTT 3.1.1 connection config (mutual TLS from file paths with
 * a custom CA via the IoT builder, or plain TCP), and what to check when a connect fails.
 */
import { io, iot, type mqtt } from 'aws-iot-device-sdk-v2';
import type { MqttConfig } from '../config/config.ts';

export function buildConfig(m: MqttConfig): mqtt.MqttConnectionConfig {
  const common = {
    client_id: m.clientId,
    host_name: m.endpoint,
    port: m.port,
    clean_session: false,
    keep_alive: m.keepAliveSeconds,
    reconnect_min_sec: m.reconnectMinSeconds,
    reconnect_max_sec: m.reconnectMaxSeconds,
  };
  if (!m.tls) return { ...common, socket_options: new io.SocketOptions() };
  if (m.cert === undefined || m.key === undefined)
    throw new Error('mqtt.cert and mqtt.key are required with tls');
  const builder = iot.AwsIotMqttConnectionConfigBuilder.new_mtls_builder_from_path(m.cert, m.key)
    .with_certificate_authority_from_path(undefined, m.ca)
    .with_endpoint(m.endpoint)
    .with_port(m.port)
    .with_client_id(m.clientId)
    .with_clean_session(false)
    .with_keep_alive_seconds(m.keepAliveSeconds)
    .with_reconnect_min_sec(m.reconnectMinSeconds)
    .with_reconnect_max_sec(m.reconnectMaxSeconds);
  return builder.build();
}

/** What to check for the usual connect failures. */
export function hintFor(text: string): string {
  if (/TLS|CERT|PEM|SSL/i.test(text))
    return 'check mqtt.cert, mqtt.key, mqtt.ca and that the certificate is active';
  if (/DNS|HOST|ADDRESS/i.test(text)) return 'check mqtt.endpoint and the network';
  if (/REFUSED|TIMEOUT|TIMED_OUT/i.test(text)) return 'check mqtt.endpoint, mqtt.port and the network';
  return 'check the IoT policy allows iot:Connect as mqtt.clientId';
}
