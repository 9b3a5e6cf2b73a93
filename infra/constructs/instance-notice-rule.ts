/**
 * The EventBridge rule for instance notices, on the same buses and to the same targets as the state
 * change rule (ec2-state-change-rule.ts): Spot interruption warnings and rebalance recommendations
 * (`aws.ec2`), and AWS Health scheduled changes for EC2 (`aws.health`, service EC2, category
 * scheduledChange). One rule with `$or`, so each stack adds one rule and one target
 * (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html#eb-filtering-complex-example-or).
 * CDK's `EventPattern` has no top-level `$or`, so the pattern is set on the L1 rule.
 */
import * as events from 'aws-cdk-lib/aws-events';
import type { Construct } from 'constructs';
import { EC2_SOURCE } from '../../lambda/translate.ts';
import {
  HEALTH_EVENT,
  HEALTH_SOURCE,
  REBALANCE_RECOMMENDATION,
  SPOT_INTERRUPTION,
} from '../../lambda/translate-notice.ts';

/** The sources and detail types the rule takes, for the ingest bus's resource policy. */
export const NOTICE_SOURCES = [EC2_SOURCE, HEALTH_SOURCE] as const;

export const INSTANCE_NOTICE_PATTERN = {
  $or: [
    { source: [EC2_SOURCE], 'detail-type': [SPOT_INTERRUPTION, REBALANCE_RECOMMENDATION] },
    {
      source: [HEALTH_SOURCE],
      'detail-type': [HEALTH_EVENT],
      detail: { service: ['EC2'], eventTypeCategory: ['scheduledChange'] },
    },
  ],
};

export interface InstanceNoticeRuleProps {
  readonly description: string;
  /** Default the default bus, where AWS services send their events. */
  readonly eventBus?: events.IEventBus;
}

export class InstanceNoticeRule extends events.Rule {
  constructor(scope: Construct, id: string, props: InstanceNoticeRuleProps) {
    super(scope, id, {
      description: props.description,
      ...(props.eventBus === undefined ? {} : { eventBus: props.eventBus }),
      // Replaced below; events.Rule refuses to be built without a pattern or a schedule.
      eventPattern: { source: [...NOTICE_SOURCES] },
    });
    const rule = this.node.defaultChild as events.CfnRule;
    // In this order: an override of EventPattern merges into the placeholder, then its source goes.
    // A copy: the deletion below writes into the override object it was given.
    rule.addPropertyOverride('EventPattern', structuredClone(INSTANCE_NOTICE_PATTERN));
    rule.addPropertyDeletionOverride('EventPattern.source');
  }
}
