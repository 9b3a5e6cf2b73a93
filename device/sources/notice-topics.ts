/**
 * The instance notices' MQTT route (topic-route.ts): notice messages (shared/notice-message.ts) ride
 * on the instances' own topics beside their state messages, so this route wraps the instances' one
 * (instance-topics.ts) and adds no filter.
 *
 * Contract:
 * - Whatever the instances' route makes of a message stands, except a payload it refuses as not a
 *   state message: that one is tried as a notice message (so a state message costs nothing more).
 *   A notice whose id, region or account is not its topic's is dropped as a topic mismatch; one that
 *   decodes goes to `onNotice` (the agent's notice holder, agent/notice-holder.ts) and is `taken`:
 *   it is no change of the fleet. Anything else keeps the state decoder's reason.
 */
import { decodeNoticeMessage, type NoticeMessage } from '../../shared/notice-message.ts';
import { parseInstanceTopic } from '../../shared/topics.ts';
import type { TopicRoute } from './topic-route.ts';

export function withNotices(
  instances: TopicRoute,
  topicPrefix: string,
  onNotice: (message: NoticeMessage) => void,
): TopicRoute {
  return {
    filters: (budget) => instances.filters(budget),
    route(topic, payload) {
      const routed = instances.route(topic, payload);
      if (routed === undefined || !('drop' in routed) || routed.drop !== 'bad-payload') return routed;
      const notice = decodeNoticeMessage(payload);
      if (!notice.ok) return routed;
      const address = parseInstanceTopic(topicPrefix, topic);
      const { message } = notice;
      if (
        address === undefined ||
        message.id !== address.instanceId ||
        message.region !== address.region ||
        message.account !== address.account
      )
        return { drop: 'topic-mismatch', why: `topic does not match notice ${message.id}` };
      onNotice(message);
      return { taken: true };
    },
  };
}
