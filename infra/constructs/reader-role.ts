/**
 * `ec2led-reader`, in every member account: the role the home account's board assumes to list that
 * account's instances. Fixed name (IAM is global, so one per account: the member stack makes it in the
 * home region only). Trusts only the home device role, and only from within the organization; may
 * only call `ec2:DescribeInstances` and `ec2:DescribeInstanceStatus` (scheduled events), only in the
 * watched regions. The session may carry the thing
 * name as its source identity (`sts:SetSourceIdentity`).
 */
import { Duration, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

/** device/sources/assume-role.ts READER_ROLE_NAME says the same. */
export const READER_ROLE_NAME = 'ec2led-reader';

export interface ReaderRoleProps {
  /** The home stack's device role (output DeviceRoleArn). */
  readonly deviceRoleArn: string;
  readonly organizationId: string;
  readonly regions: readonly string[];
}

export class ReaderRole extends Construct {
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: ReaderRoleProps) {
    super(scope, id);
    const principal = new iam.ArnPrincipal(props.deviceRoleArn).withConditions({
      StringEquals: { 'aws:PrincipalOrgID': props.organizationId },
    });
    this.role = new iam.Role(this, 'Role', {
      roleName: READER_ROLE_NAME,
      assumedBy: principal,
      description: 'ec2led: the home board lists the EC2 instances of this account',
      // Role chaining caps a session at one hour whatever this says.
      maxSessionDuration: Duration.hours(1),
      inlinePolicies: {
        DescribeInstances: new iam.PolicyDocument({
          statements: [
            new iam.PolicyStatement({
              actions: ['ec2:DescribeInstances', 'ec2:DescribeInstanceStatus'],
              resources: ['*'],
              conditions: { StringEquals: { 'aws:RequestedRegion': [...props.regions] } },
            }),
          ],
        }),
      },
    });
    this.role.assumeRolePolicy?.addStatements(
      new iam.PolicyStatement({
        principals: [new iam.ArnPrincipal(props.deviceRoleArn)],
        actions: ['sts:SetSourceIdentity'],
        conditions: { StringEquals: { 'aws:PrincipalOrgID': props.organizationId } },
      }),
    );
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'ec2:DescribeInstances and ec2:DescribeInstanceStatus (scheduled events) support no resource-level permissions, so "*" is the only valid ' +
        'resource; the statement is read-only and limited to the watched regions by aws:RequestedRegion.',
    });
  }
}
