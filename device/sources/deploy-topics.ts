/**
 * The deploys' MQTT route (topic-route.ts), with config `deploys`: the home account's deploy topic
 * in each deploy region (`{prefix}/deploy/v1/{account}/{region}`, shared/topics.ts `deployTopic`),
 * or one wildcard over the regions when the subscription budget is short. A message is a decoded
 * deploy message (shared/deploy-message.ts) whose ARN names that account and region and whose name
 * starts with a configured prefix; anything else there is dropped. The live half of the deploys'
 * list-then-watch; the listing is deploys.ts.
 */
import { type DeployMessage, decodeDeployMessage, parseDeployArn } from '../../shared/deploy-message.ts';
import { deployTopic, parseDeployTopic } from '../../shared/topics.ts';
import type { Change } from '../fleet/item.ts';
import type { AlarmScope } from './alarm-topics.ts';
import type { TopicRoute } from './topic-route.ts';

/** The one conversion from a deploy message to its change (the route's and replay's). */
export function deployChangeOf(message: DeployMessage, region: string, account: string): Change {
  return {
    kind: message.kind,
    id: message.arn,
    name: message.name,
    state: message.state,
    startMs: message.start,
    timeMs: message.time,
    region,
    account,
    eventId: message.event,
  };
}

/** Which deploy messages to take: the alarms' shape of scope (home account, regions, name prefixes). */
export type DeployScope = AlarmScope;

export function deployRoute(topicPrefix: string, scope: DeployScope): TopicRoute {
  const regions = [...new Set(scope.regions)];
  return {
    filters: (budget) =>
      regions.length <= budget
        ? regions.map((region) => deployTopic(topicPrefix, { account: scope.account, region }))
        : [deployTopic(topicPrefix, { account: scope.account, region: '+' })],
    route(topic, payload) {
      const address = parseDeployTopic(topicPrefix, topic);
      if (address === undefined) return undefined;
      if (address.account !== scope.account || !scope.regions.includes(address.region))
        return { outOfScope: `deploy ${address.account}/${address.region}` };
      const decoded = decodeDeployMessage(payload);
      if (!decoded.ok) return { drop: 'bad-payload', why: decoded.reason };
      const arn = parseDeployArn(decoded.message.arn);
      if (arn?.account !== address.account || arn.region !== address.region)
        return { drop: 'topic-mismatch', why: `topic does not match deploy ${decoded.message.arn}` };
      if (!scope.prefixes.some((prefix) => decoded.message.name.startsWith(prefix)))
        return { drop: 'out-of-scope', why: 'deploy name matches none of deploys.prefixes' };
      return { change: deployChangeOf(decoded.message, address.region, address.account) };
    },
  };
}
