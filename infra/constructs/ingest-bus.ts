/**
 * The ingest bus: a custom event bus in the home account and region that member accounts send their
 * EC2 state changes to, so the default bus stays closed to others. Its resource policy lets any
 * principal of the organization (`aws:PrincipalOrgID`) call `events:PutEvents`, and only with
 * `source` aws.ec2 or aws.health and the detail types the publisher translates (state changes and
 * the instance notices of translate-notice.ts), in the form of AWS's own example
 * (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-bus-example-policy-cross-account-custom-bus-source.html):
 * `events:source` is multivalued (one PutEvents call carries up to 10 entries), so it takes
 * `ForAllValues:StringEquals`, which holds only when every entry's source is one of them; plain
 * `StringEquals` on a multivalued key is not what IAM documents for it. `events:detail-type` stays
 * under `StringEquals`, as in the example. With the organization form, senders must put events
 * through a role (the member rule's target role). Within the home account no policy is needed: its
 * own rules send through their own roles.
 */
import { Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { EC2_SOURCE, EC2_STATE_CHANGE } from '../../lambda/translate.ts';
import { HEALTH_SOURCE, NOTICE_DETAIL_TYPES } from '../../lambda/translate-notice.ts';
import { DEFAULT_STACK_NAME } from '../../shared/stack.ts';

/** The bus of the default home stack `Ec2Led`, as it was named before names followed the stack. */
export const INGEST_BUS_NAME = 'ec2led-ingest';

/**
 * The ingest bus name of the home stack `homeStackName`: derived from the stack, so two home stacks in
 * one account and region each get their own bus, and known without a lookup, so the member and
 * forwarder stacks can name it. The default stack keeps `ec2led-ingest`, which deployments made
 * before this already use; any other stack gets `ec2led-ingest-<stackName>` (bus names allow letters,
 * digits and `.-_/`, up to 256; stack names are letters, digits and `-`, at most 101).
 */
export function ingestBusName(homeStackName: string): string {
  return homeStackName === DEFAULT_STACK_NAME ? INGEST_BUS_NAME : `${INGEST_BUS_NAME}-${homeStackName}`;
}

export const ORGANIZATION_ID_PATTERN = /^o-[a-z0-9]{10,32}$/;

export function ingestBusArn(partition: string, region: string, account: string, busName: string): string {
  return `arn:${partition}:events:${region}:${account}:event-bus/${busName}`;
}

export interface IngestBusProps {
  readonly organizationId: string;
  /** ingestBusName(home stack name). */
  readonly busName: string;
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
      eventBusName: props.busName,
      description: 'ec2led: EC2 state changes from the accounts of the organization',
    });
    const stack = Stack.of(this);
    this.bus.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'OrganizationEc2StateChanges',
        principals: [new iam.AnyPrincipal()],
        actions: ['events:PutEvents'],
        resources: [ingestBusArn(stack.partition, stack.region, stack.account, props.busName)],
        conditions: {
          'ForAllValues:StringEquals': { 'events:source': [EC2_SOURCE, HEALTH_SOURCE] },
          StringEquals: {
            'aws:PrincipalOrgID': props.organizationId,
            'events:detail-type': [EC2_STATE_CHANGE, ...NOTICE_DETAIL_TYPES],
          },
        },
      }),
    );
  }
}
