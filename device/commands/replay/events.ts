/**
 * The EventBridge events replay reads, per kind: the built-in kinds' translations are the Lambda's
 * own (lambda/translate.ts, translate-alarm.ts), wired here because the kinds' specs (kinds/kinds.ts)
 * stay free of the Lambda; any registered kind adds its own in its spec's `events`.
 */
import { EC2_SOURCE, EC2_STATE_CHANGE, translateEvent } from '../../../lambda/translate.ts';
import {
  ALARM_STATE_CHANGE,
  CLOUDWATCH_SOURCE,
  translateAlarmEvent,
} from '../../../lambda/translate-alarm.ts';
import { parseAlarmArn } from '../../../shared/alarm-message.ts';
import { alarmChangeOf, changeOf } from '../../fleet/item.ts';
import { KIND_NAMES, type KindEvent, specOf } from '../../kinds/kinds.ts';

const BUILT_IN: readonly KindEvent[] = [
  {
    source: EC2_SOURCE,
    detailType: EC2_STATE_CHANGE,
    translate(event) {
      const result = translateEvent(event);
      return result.ok ? { change: changeOf(result.message) } : { reason: result.reason };
    },
  },
  {
    source: CLOUDWATCH_SOURCE,
    detailType: ALARM_STATE_CHANGE,
    translate(event) {
      const result = translateAlarmEvent(event);
      if (!result.ok) return { reason: result.reason };
      const arn = parseAlarmArn(result.message.arn) as { region: string; account: string };
      return { change: alarmChangeOf(result.message, arn.region, arn.account) };
    },
  },
];

/** Every event translation, keyed by `{source} {detail-type}`: the built-ins', then each registered kind's. */
export function eventTranslations(): ReadonlyMap<string, KindEvent> {
  const all = [...BUILT_IN, ...KIND_NAMES.flatMap((kind) => specOf(kind).events ?? [])];
  return new Map(all.map((entry) => [`${entry.source} ${entry.detailType}`, entry]));
}
