/**
 * The member stack, for every other account of the organization whose instances the board shows. One
 * template for every account and region (env-agnostic, no assets), so a service-managed StackSet can
 * deploy it as is, with auto-deployment on an OU; `cdk deploy` per account and region works too.
 *
 * In each region: the EC2 state-change rule on the default bus, sending straight to the home ingest
 * bus (cross-account and cross-region in one hop) through a role limited to `events:PutEvents` on that
 * one ARN, with a dead-letter queue, its alarm and where the alarm notifies. In the home region only
 * (IAM is global): the `ec2led-reader` role, made under a CloudFormation condition on `AWS::Region`.
 */
import { Aws, CfnCondition, Fn, Stack, type StackProps } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { AlarmNotifications } from './constructs/alarm-notifications.ts';
import { DeadLetterQueue } from './constructs/dead-letter-queue.ts';
import {
  Ec2StateChangeRule,
  TARGET_MAX_EVENT_AGE,
  TARGET_RETRY_ATTEMPTS,
} from './constructs/ec2-state-change-rule.ts';
import { ingestBusArn } from './constructs/ingest-bus.ts';
import { InstanceNoticeRule } from './constructs/instance-notice-rule.ts';
import { ReaderRole } from './constructs/reader-role.ts';

export interface MemberStackProps extends StackProps {
  readonly homeAccount: string;
  /** The home ingest bus's name (ingestBusName of the home stack). */
  readonly ingestBusName: string;
  /** The home region: where the ingest bus is, and where the reader role is made. */
  readonly homeRegion: string;
  readonly organizationId: string;
  /** The home stack's output DeviceRoleArn. */
  readonly deviceRoleArn: string;
  /** Every watched region, for the reader role's aws:RequestedRegion. */
  readonly regions: readonly string[];
  readonly alarmEmail: string | undefined;
}

export class MemberStack extends Stack {
  readonly readerRole: iam.Role;

  constructor(scope: Construct, id: string, props: MemberStackProps) {
    super(scope, id, props);
    const target = ingestBusArn(Aws.PARTITION, props.homeRegion, props.homeAccount, props.ingestBusName);
    const undelivered = new DeadLetterQueue(this, 'UndeliveredEvents', {
      holds: `ec2led: state changes this account could not send to the ingest bus in ${props.homeAccount}`,
    });
    const rule = new Ec2StateChangeRule(this, 'StateChangeRule', {
      description: `ec2led: EC2 instance state changes to the ingest bus of ${props.homeAccount} in ${props.homeRegion}`,
    });
    const ingest = events.EventBus.fromEventBusArn(this, 'IngestBus', target);
    // CDK makes the role EventBridge assumes, allowed events:PutEvents on that one bus ARN.
    rule.addTarget(new targets.EventBus(ingest, { deadLetterQueue: undelivered.queue }));
    (rule.node.defaultChild as events.CfnRule).addPropertyOverride('Targets.0.RetryPolicy', {
      MaximumEventAgeInSeconds: TARGET_MAX_EVENT_AGE.toSeconds(),
      MaximumRetryAttempts: TARGET_RETRY_ATTEMPTS,
    });
    const noticeRule = new InstanceNoticeRule(this, 'NoticeRule', {
      description: `ec2led: instance notices to the ingest bus of ${props.homeAccount} in ${props.homeRegion}`,
    });
    noticeRule.addTarget(new targets.EventBus(ingest, { deadLetterQueue: undelivered.queue }));
    (noticeRule.node.defaultChild as events.CfnRule).addPropertyOverride('Targets.0.RetryPolicy', {
      MaximumEventAgeInSeconds: TARGET_MAX_EVENT_AGE.toSeconds(),
      MaximumRetryAttempts: TARGET_RETRY_ATTEMPTS,
    });

    const inHomeRegion = new CfnCondition(this, 'InHomeRegion', {
      expression: Fn.conditionEquals(Aws.REGION, props.homeRegion),
    });
    const reader = new ReaderRole(this, 'Reader', {
      deviceRoleArn: props.deviceRoleArn,
      organizationId: props.organizationId,
      regions: props.regions,
    });
    (reader.role.node.defaultChild as iam.CfnRole).cfnOptions.condition = inHomeRegion;
    this.readerRole = reader.role;

    // Last: it attaches to the alarm above.
    new AlarmNotifications(this, 'AlarmTopic', { email: props.alarmEmail });
  }
}
