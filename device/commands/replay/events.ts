/**
 * The EventBridge events replay reads, per kind: the built-in kinds' translations are the Lambda's
 * own (lambda/translate.ts, translate-alarm.ts, translate-deploy.ts), wired here because the kinds' specs (kinds/kinds.ts)
 * stay free of the Lambda; any registered kind adds its own in its spec's `events`.
 */
import { EC2_SOURCE, EC2_STATE_CHANGE, translateEvent } from '../../../lambda/translate.ts';
import {
  ALARM_STATE_CHANGE,
  CLOUDWATCH_SOURCE,
  translateAlarmEvent,
} from '../../../lambda/translate-alarm.ts';
import {
  CODEPIPELINE_SOURCE,
  ECS_DEPLOYMENT_CHANGE,
  ECS_SOURCE,
  PIPELINE_EXECUTION_CHANGE,
  translateDeployEvent,
} from '../../../lambda/translate-deploy.ts';
import { parseAlarmArn } from '../../../shared/alarm-message.ts';
import { parseDeployArn } from '../../../shared/deploy-message.ts';
import { alarmChangeOf, changeOf } from '../../fleet/item.ts';
import { KIND_NAMES, type KindEvent, specOf } from '../../kinds/kinds.ts';
import { deployChangeOf } from '../../sources/deploy-topics.ts';

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
  ...[
    [CODEPIPELINE_SOURCE, PIPELINE_EXECUTION_CHANGE],
    [ECS_SOURCE, ECS_DEPLOYMENT_CHANGE],
  ].map(
    ([source, detailType]): KindEvent => ({
      source: source as string,
      detailType: detailType as string,
      translate(event) {
        const result = translateDeployEvent(event);
        if (!result.ok)
          return result.skipped === true
            ? { reason: result.reason, ignored: true }
            : { reason: result.reason };
        const arn = parseDeployArn(result.message.arn) as { region: string; account: string };
        return { change: deployChangeOf(result.message, arn.region, arn.account) };
      },
    }),
  ),
];

/** Every event translation, keyed by `{source} {detail-type}`: the built-ins', then each registered kind's. */
export function eventTranslations(): ReadonlyMap<string, KindEvent> {
  const all = [...BUILT_IN, ...KIND_NAMES.flatMap((kind) => specOf(kind).events ?? [])];
  return new Map(all.map((entry) => [`${entry.source} ${entry.detailType}`, entry]));
}
