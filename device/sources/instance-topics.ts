/**
 * The EC2 instances' MQTT route (topic-route.ts): `{prefix}/v1/{account}/{region}/{id}` for the
 * configured accounts and regions, each message a v1 state message (shared/message.ts) that must
 * match its topic. The live half of the instances' list-then-watch; the listing is ec2.ts.
 */
import { decodeMessage } from '../../shared/message.ts';
import { parseInstanceTopic, subscriptionFilters } from '../../shared/topics.ts';
import { changeOf } from '../fleet/item.ts';
import type { TopicRoute } from './topic-route.ts';

export function instanceRoute(options: {
  readonly topicPrefix: string;
  /** aws.accounts and aws.regions: what is subscribed to, and all that is let through. */
  readonly accounts: readonly string[];
  readonly regions: readonly string[];
}): TopicRoute {
  const { topicPrefix } = options;
  const accounts = new Set(options.accounts);
  const regions = new Set(options.regions);
  return {
    filters: (budget) => subscriptionFilters(topicPrefix, options.accounts, options.regions, budget),
    route(topic, payload) {
      const address = parseInstanceTopic(topicPrefix, topic);
      if (address === undefined) return undefined;
      if (!accounts.has(address.account) || !regions.has(address.region))
        return { outOfScope: `${address.account}/${address.region}` };
      const decoded = decodeMessage(payload);
      if (!decoded.ok) return { drop: 'bad-payload', why: decoded.reason };
      const { message } = decoded;
      if (
        message.id !== address.instanceId ||
        message.region !== address.region ||
        message.account !== address.account
      ) {
        return {
          drop: 'topic-mismatch',
          why: `topic does not match message ${message.account}/${message.region}/${message.id}`,
        };
      }
      return { change: changeOf(message) };
    },
  };
}
