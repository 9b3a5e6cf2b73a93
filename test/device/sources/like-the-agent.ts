/**
 * The MQTT source never subscribes by itself; fleet/sync.ts decides. Source tests that need the
 * subscription drive it with sync.ts's rule (subscribe on the process's first connection and on any
 * connection whose session was not rejoined), recording every event.
 */
import type { MqttEvent, MqttSource } from '../../../device/sources/mqtt.ts';

export function likeTheAgent(events: MqttEvent[], source: () => MqttSource): (event: MqttEvent) => void {
  return (event) => {
    events.push(event);
    if (event.type === 'connected' && (event.first || !event.rejoined)) source().subscribe();
  };
}
