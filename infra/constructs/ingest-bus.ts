/**
 * The ingest bus: a custom event bus in the home account and region that member accounts send their
 * EC2 state changes to, so the default bus stays closed to others. Its resource policy lets any
 * principal of the organization (`aws:PrincipalOrgID`) call `events:PutEvents`, and only with
 * `source` aws.ec2 and the state-change detail type (`events:source`, `events:detail-type`). With
 * the organization form, senders must put events through a role (the member rule's target role).
 * Within the home account no policy is needed: its own rules send through their own roles.
 */
import { Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { EC2_SOURCE, EC2_STATE_CHANGE } from '../../lambda/translate.ts';

/** Fixed, so a member stack can name the bus without a lookup: arn:…:event-bus/ec2led-ingest. */
export const INGEST_BUS_NAME = 'ec2led-ingest';

export const ORGANIZATION_ID_PATTERN = /^o-[a-z0-9]{10,32}$/;

export function ingestBusArn(partition: string, region: string, account: string): string {
  return `arn:${partition}:events:${region}:${account}:event-bus/${INGEST_BUS_NAME}`;
}

export interface IngestBusProps {
  readonly organizationId: string;
}

export class IngestBus extends Construct {
  readonly bus: events.EventBus;

  constructor(scope: Construct, id: string, props: IngestBusProps) {
    super(scope, id);
    if (!ORGANIZATION_ID_PATTERN.test(props.organizationId)) {
      throw new Error(
        `IngestBus ${id}: organizationId ${JSON.stringify(props.organizationId)} is not an organization id ` +
          'like o-a1b2c3d4e5; copy it from `aws organizations describe-organization --query Organization.Id`',
      );
    }
    this.bus = new events.EventBus(this, 'Bus', {
      eventBusName: INGEST_BUS_NAME,
      description: 'ec2led: EC2 state changes from the accounts of the organization',
    });
    const stack = Stack.of(this);
    this.bus.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'OrganizationEc2StateChanges',
        principals: [new iam.AnyPrincipal()],
        actions: ['events:PutEvents'],
        resources: [ingestBusArn(stack.partition, stack.region, stack.account)],
        conditions: {
          StringEquals: {
            'aws:PrincipalOrgID': props.organizationId,
            'events:source': EC2_SOURCE,
            'events:detail-type': EC2_STATE_CHANGE,
          },
        },
      }),
    );
  }
}
