/** The EventBridge rule both stack kinds share: every EC2 instance state change on the default bus. */
import * as events from 'aws-cdk-lib/aws-events';
import type { Construct } from 'constructs';
import { EC2_SOURCE, EC2_STATE_CHANGE } from '../../lambda/translate.ts';

export interface Ec2StateChangeRuleProps {
  readonly description: string;
}

export class Ec2StateChangeRule extends events.Rule {
  constructor(scope: Construct, id: string, props: Ec2StateChangeRuleProps) {
    super(scope, id, {
      description: props.description,
      // No eventBus: AWS services send their events to the default bus of the instance's region.
      eventPattern: { source: [EC2_SOURCE], detailType: [EC2_STATE_CHANGE] },
    });
  }
}
