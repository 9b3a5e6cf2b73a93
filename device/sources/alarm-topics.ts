/**
 * The CloudWatch alarms' MQTT route (topic-route.ts), with config `alarms`: the home account's
 * alarm topic in each alarm region (`{prefix}/alarm/v1/{account}/{region}`, shared/topics.ts
 * `alarmTopic`), or one wildcard over the regions when the subscription budget is short. A message
 * is a decoded alarm message (shared/alarm-message.ts) whose ARN names that account and region and
 * whose name starts with a configured prefix; anything else there is dropped. The live half of the
 * alarms' list-then-watch; the listing is alarms.ts.
 */
import { decodeAlarmMessage, parseAlarmArn } from '../../shared/alarm-message.ts';
import { alarmTopic, parseAlarmTopic } from '../../shared/topics.ts';
import { alarmChangeOf } from '../fleet/item.ts';
import type { TopicRoute } from './topic-route.ts';

/** Which alarm messages to take: the home account's, in these regions, names with these prefixes. */
export interface AlarmScope {
  readonly account: string;
  readonly regions: readonly string[];
  /** "" takes every name. */
  readonly prefixes: readonly string[];
}

export function alarmRoute(topicPrefix: string, scope: AlarmScope): TopicRoute {
  const regions = [...new Set(scope.regions)];
  return {
    filters: (budget) =>
      regions.length <= budget
        ? regions.map((region) => alarmTopic(topicPrefix, { account: scope.account, region }))
        : [alarmTopic(topicPrefix, { account: scope.account, region: '+' })],
    route(topic, payload) {
      const address = parseAlarmTopic(topicPrefix, topic);
      if (address === undefined) return undefined;
      if (address.account !== scope.account || !scope.regions.includes(address.region))
        return { outOfScope: `alarm ${address.account}/${address.region}` };
      const decoded = decodeAlarmMessage(payload);
      if (!decoded.ok) return { drop: 'bad-payload', why: decoded.reason };
      const arn = parseAlarmArn(decoded.message.arn);
      if (arn?.account !== address.account || arn.region !== address.region)
        return { drop: 'topic-mismatch', why: `topic does not match alarm ${decoded.message.arn}` };
      if (!scope.prefixes.some((prefix) => decoded.message.name.startsWith(prefix)))
        return { drop: 'out-of-scope', why: 'alarm name matches none of alarms.prefixes' };
      return { change: alarmChangeOf(decoded.message, address.region, address.account) };
    },
  };
}
