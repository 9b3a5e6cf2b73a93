/** The EventBridge rule both stack kinds share: every EC2 instance state change on the default bus. */
import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import type { Construct } from 'constructs';
import { EC2_SOURCE, EC2_STATE_CHANGE } from '../../lambda/translate.ts';

/**
 * How long EventBridge keeps retrying the hand-off to a target, for both stack kinds: the Lambda in
 * the home region and the home bus from a forwarder. Past 15 minutes the device's own relist has
 * superseded the event, so it goes to the target's dead-letter queue instead.
 */
export const TARGET_MAX_EVENT_AGE = Duration.minutes(15);
export const TARGET_RETRY_ATTEMPTS = 8;

export interface Ec2StateChangeRuleProps {
  readonly description: string;
  /** Default the default bus, where AWS services send their events; the home ingest bus takes forwarded ones. */
  readonly eventBus?: events.IEventBus;
}

export class Ec2StateChangeRule extends events.Rule {
  constructor(scope: Construct, id: string, props: Ec2StateChangeRuleProps) {
    super(scope, id, {
      description: props.description,
      // AWS services send their events to the default bus of the instance's region.
      ...(props.eventBus === undefined ? {} : { eventBus: props.eventBus }),
      eventPattern: { source: [EC2_SOURCE], detailType: [EC2_STATE_CHANGE] },
    });
  }
}
