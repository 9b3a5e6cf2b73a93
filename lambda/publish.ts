/** The IoT data-plane adapter: publishes one payload to one topic with QoS 1. */
import { IoTDataPlaneClient, PublishCommand } from '@aws-sdk/client-iot-data-plane';

export interface Publisher {
  publish(topic: string, payload: string): Promise<void>;
}

/**
 * `endpoint` is the account-specific data endpoint (`xxxx-ats.iot.REGION.amazonaws.com`, with or
 * without `https://`); the SDK's generic default endpoint is meant for testing only.
 */
export function iotDataPublisher(endpoint: string, client?: IoTDataPlaneClient): Publisher {
  const url =
    endpoint.startsWith('https://') || endpoint.startsWith('http://') ? endpoint : `https://${endpoint}`;
  const iot = client ?? new IoTDataPlaneClient({ endpoint: url });
  const encoder = new TextEncoder();
  return {
    async publish(topic, payload) {
      await iot.send(new PublishCommand({ topic, qos: 1, payload: encoder.encode(payload) }));
    },
  };
}
