/**
 * The EventBridge rule for CloudWatch alarm state changes, for both stack kinds: the alarms the user
 * selected (context `alarmPrefix`, `alarmTag`; docs/checks.md), on the default bus, where CloudWatch
 * sends every alarm's state changes. Home: to the publisher Lambda. Forwarder: to the home bus.
 */
import * as events from 'aws-cdk-lib/aws-events';
import type { Construct } from 'constructs';
import { ALARM_STATE_CHANGE, CLOUDWATCH_SOURCE } from '../../lambda/translate-alarm.ts';
import type { AlarmSelection } from '../settings.ts';

export interface AlarmStateChangeRuleProps {
  readonly description: string;
  readonly selection: AlarmSelection;
}

/**
 * The `detail` part of the pattern. Prefixes are alternatives (any one matches); a tag narrows them
 * (EventBridge ANDs fields). The tag is in the event only for alarms with tag propagation on
 * (`ActionConfiguration.AlarmTagsPropagation`), so an alarm without it never matches a tag.
 */
export function alarmDetailPattern(selection: AlarmSelection): Record<string, unknown> {
  const detail: Record<string, unknown> = {};
  if (selection.namePrefixes.length > 0) {
    detail.alarmName = selection.namePrefixes.map((prefix) => ({ prefix }));
  }
  if (selection.tag !== undefined) {
    detail.alarmTags = {
      [selection.tag.key]: selection.tag.value === undefined ? [{ exists: true }] : [selection.tag.value],
    };
  }
  return detail;
}

export class AlarmStateChangeRule extends events.Rule {
  constructor(scope: Construct, id: string, props: AlarmStateChangeRuleProps) {
    super(scope, id, {
      description: props.description,
      eventPattern: {
        source: [CLOUDWATCH_SOURCE],
        detailType: [ALARM_STATE_CHANGE],
        detail: alarmDetailPattern(props.selection),
      },
    });
  }
}
