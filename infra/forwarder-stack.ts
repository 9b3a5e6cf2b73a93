/**
 * A forwarder stack, one per extra region: the same EC2 state-change rule, sending every event to the
 * home region's default event bus, where the home rule picks it up. The event keeps the instance's
 * ARN in `resources`, from which the Lambda takes the instance's own region and account.
 */
import { Aws, Stack, type StackProps } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type { Construct } from 'constructs';
import { AlarmNotifications } from './constructs/alarm-notifications.ts';
import { AlarmStateChangeRule } from './constructs/alarm-state-change-rule.ts';
import { DeadLetterQueue } from './constructs/dead-letter-queue.ts';
import { DeployStateChangeRules } from './constructs/deploy-state-change-rule.ts';
import {
  Ec2StateChangeRule,
  TARGET_MAX_EVENT_AGE,
  TARGET_RETRY_ATTEMPTS,
} from './constructs/ec2-state-change-rule.ts';
import { ingestBusArn } from './constructs/ingest-bus.ts';
import { InstanceNoticeRule } from './constructs/instance-notice-rule.ts';
import type { AlarmSelection, DeploySelection } from './settings.ts';

export interface ForwarderStackProps extends StackProps {
  readonly homeRegion: string;
  /** Where this region's alarm notifies (context alarmEmail); undefined: no one. */
  readonly alarmEmail: string | undefined;
  /** The alarms to forward to the home region as well (context alarmPrefix, alarmTag); undefined: none. */
  readonly alarms?: AlarmSelection;
  /** The pipelines and services to forward to the home region as well (context deployPrefix). */
  readonly deploys?: DeploySelection | undefined;
  /** With an organization: the home ingest bus's name (ingestBusName), where the home rule now is. */
  readonly ingestBusName?: string;
}

export function homeBusArn(homeRegion: string, account: string = Aws.ACCOUNT_ID): string {
  return `arn:${Aws.PARTITION}:events:${homeRegion}:${account}:event-bus/default`;
}

export class ForwarderStack extends Stack {
  constructor(scope: Construct, id: string, props: ForwarderStackProps) {
    super(scope, id, props);
    if (props.homeRegion === this.region) {
      throw new Error(
        `ForwarderStack ${id}: home region ${props.homeRegion} is also this stack's region; ` +
          'list each region once in context regions, home region first',
      );
    }
    const undelivered = new DeadLetterQueue(this, 'UndeliveredEvents', {
      holds: `ec2led: state changes this region could not forward to ${props.homeRegion}`,
    });
    const rule = new Ec2StateChangeRule(this, 'StateChangeRule', {
      description: `ec2led: EC2 instance state changes to the default bus in ${props.homeRegion}`,
    });
    const homeBus = events.EventBus.fromEventBusArn(
      this,
      'HomeBus',
      props.ingestBusName !== undefined
        ? ingestBusArn(Aws.PARTITION, props.homeRegion, this.account, props.ingestBusName)
        : homeBusArn(props.homeRegion, this.account),
    );
    // CDK creates the role EventBridge assumes, allowed events:PutEvents on the home bus only.
    rule.addTarget(new targets.EventBus(homeBus, { deadLetterQueue: undelivered.queue }));
    // An event bus target takes a RetryPolicy like any target (AWS::Events::Rule Target, "RetryPolicy":
    // https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-retry-policy.html), but CDK's
    // EventBus target class has no prop for it, so it is set on the L1 rule. Without it EventBridge
    // would retry for 24 hours, long after the device's relist made the event stale.
    (rule.node.defaultChild as events.CfnRule).addPropertyOverride('Targets.0.RetryPolicy', {
      MaximumEventAgeInSeconds: TARGET_MAX_EVENT_AGE.toSeconds(),
      MaximumRetryAttempts: TARGET_RETRY_ATTEMPTS,
    });
    // Instance notices go where the state changes go (the home default bus or the ingest bus).
    const noticeRule = new InstanceNoticeRule(this, 'NoticeRule', {
      description: `ec2led: instance notices to the home bus in ${props.homeRegion}`,
    });
    noticeRule.addTarget(new targets.EventBus(homeBus, { deadLetterQueue: undelivered.queue }));
    (noticeRule.node.defaultChild as events.CfnRule).addPropertyOverride('Targets.0.RetryPolicy', {
      MaximumEventAgeInSeconds: TARGET_MAX_EVENT_AGE.toSeconds(),
      MaximumRetryAttempts: TARGET_RETRY_ATTEMPTS,
    });
    if (props.alarms !== undefined) {
      const alarmRule = new AlarmStateChangeRule(this, 'AlarmStateChangeRule', {
        description: `ec2led: selected CloudWatch alarm state changes to the default bus in ${props.homeRegion}`,
        selection: props.alarms,
      });
      // Alarm events go to the home region's default bus, where the home alarm rule is, also when the
      // EC2 state changes go to the ingest bus (which takes only aws.ec2 events).
      const alarmBus =
        props.ingestBusName !== undefined
          ? events.EventBus.fromEventBusArn(
              this,
              'HomeDefaultBus',
              homeBusArn(props.homeRegion, this.account),
            )
          : homeBus;
      alarmRule.addTarget(new targets.EventBus(alarmBus, { deadLetterQueue: undelivered.queue }));
      (alarmRule.node.defaultChild as events.CfnRule).addPropertyOverride('Targets.0.RetryPolicy', {
        MaximumEventAgeInSeconds: TARGET_MAX_EVENT_AGE.toSeconds(),
        MaximumRetryAttempts: TARGET_RETRY_ATTEMPTS,
      });
    }
    if (props.deploys !== undefined) {
      // Like alarms: to the home region's default bus (the ingest bus takes only aws.ec2 events).
      const deployBus =
        props.ingestBusName !== undefined
          ? events.EventBus.fromEventBusArn(
              this,
              'HomeDefaultBusForDeploys',
              homeBusArn(props.homeRegion, this.account),
            )
          : homeBus;
      const deployRules = new DeployStateChangeRules(this, 'DeployStateChangeRule', {
        to: `to the default bus in ${props.homeRegion}`,
        selection: props.deploys,
      });
      deployRules.addTarget(() => new targets.EventBus(deployBus, { deadLetterQueue: undelivered.queue }));
      for (const rule of deployRules.rules) {
        (rule.node.defaultChild as events.CfnRule).addPropertyOverride('Targets.0.RetryPolicy', {
          MaximumEventAgeInSeconds: TARGET_MAX_EVENT_AGE.toSeconds(),
          MaximumRetryAttempts: TARGET_RETRY_ATTEMPTS,
        });
      }
    }
    // Last: it attaches to the alarm above. Alarms notify topics in their own region only.
    new AlarmNotifications(this, 'AlarmTopic', { email: props.alarmEmail });
  }
}
