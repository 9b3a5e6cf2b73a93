/**
 * What a Pi may do, and nothing more.
 *
 * - IoT policy (attached to each device certificate by `ec2led device create`): connect only as the
 *   thing its certificate is attached to, subscribe to filters under the instance topics (the agent
 *   subscribes per account and region), receive instance topics, and exchange its certificate for
 *   AWS credentials through the role alias.
 * - IAM role (assumed through the IoT credentials provider): `ec2:DescribeInstances` and
 *   `ec2:DescribeInstanceStatus` (scheduled events, for the notices) in the configured regions, for
 *   the agent's periodic reconcile.
 * - With alarms selected (`alarmRegions`): `cloudwatch:DescribeAlarms` in those regions, and subscribe
 *   and receive on the alarm topics (`{prefix}/alarm/v1/...`). Nothing else.
 * - With deploys selected (`deploys`): `codepipeline:ListPipelines` and `ecs:ListServices` (no
 *   resource type) in the deploy regions, `codepipeline:ListPipelineExecutions` on the selected
 *   pipelines' ARNs and `ecs:DescribeServices` on the selected services' ARNs (by name prefix), and
 *   subscribe and receive on the deploy topics (`{prefix}/deploy/v1/...`).
 * - The settings shadow (`ec2led-settings`, named) of the device's own thing only: publish its `get`
 *   and `update`, subscribe to and receive its five response topics, each topic named exactly, the
 *   thing by the policy variable. The thing name is the client id (iot:Connect above), so a
 *   certificate reaches no other thing's shadow and no other shadow of its own thing.
 * - Its own AWS IoT Jobs topics (`jobsTopic`, for updates by job): publish `start-next` and
 *   `{jobId}/update`, subscribe to and receive `notify-next` and the accepted/rejected responses of
 *   both. The thing is the policy variable as for the shadow; the only wildcard is the job id level
 *   (`jobs/{any job id}/update...`), since job ids are made per update. No `get`, no other thing's jobs.
 */
import { Duration, Stack, Token, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as iot from 'aws-cdk-lib/aws-iot';
import { Construct } from 'constructs';
import {
  alarmFilterArn,
  alarmTopicsArn,
  checkTopicPrefix,
  clientArn,
  deployFilterArn,
  deployTopicsArn,
  instanceTopicsArn,
  iotArn,
  type JobsTopic,
  jobsTopic,
  roleAliasArn,
  shadowRequestArns,
  shadowResponseArns,
  subscriptionFilterArn,
} from '../../shared/topics.ts';
import { READER_ROLE_NAME } from './reader-role.ts';

export interface DeviceAccessProps {
  readonly topicPrefix: string;
  /** Where the device may call DescribeInstances: every region the app watches (may hold tokens). */
  readonly regions: readonly string[];
  /**
   * Where the device may call DescribeAlarms: the home and forwarder regions, plus us-east-1 when
   * checks are deployed. Undefined: no alarms selected, no CloudWatch permission, no alarm topics.
   */
  readonly alarmRegions?: readonly string[];
  /**
   * Deploys selected (context deployPrefix): where the device lists them and which names (none:
   * every one). Undefined: no CodePipeline or ECS permission, no deploy topics.
   */
  readonly deploys?: { readonly regions: readonly string[]; readonly namePrefixes: readonly string[] };
  /**
   * With an organization: the device may also assume `ec2led-reader` in any account of it (and name
   * the session after the thing), to list member accounts. Default none.
   */
  readonly organizationId?: string | undefined;
}

/** Credentials the Pi gets per exchange; equal to the role's maximum session (IAM default 1 h). */
export const CREDENTIAL_DURATION = Duration.hours(1);
/** The IoT policy variable for the name of the thing the connecting certificate is attached to. */
export const THING_NAME_VARIABLE = '${iot:Connection.Thing.ThingName}';

/** The job id level of the jobs topics in the policy: any job of the thing (ids are made per update). */
const ANY_JOB = '*';
/** What the device publishes to the Jobs service. */
const JOBS_REQUESTS: readonly JobsTopic[] = [{ op: 'start-next' }, { op: 'update', jobId: ANY_JOB }];
/** What the Jobs service sends the device. */
const JOBS_RESPONSES: readonly JobsTopic[] = [
  { op: 'notify-next' },
  { op: 'start-next/accepted' },
  { op: 'start-next/rejected' },
  { op: 'update/accepted', jobId: ANY_JOB },
  { op: 'update/rejected', jobId: ANY_JOB },
];

export class DeviceAccess extends Construct {
  readonly role: iam.Role;
  readonly roleAlias: iot.CfnRoleAlias;
  readonly policy: iot.CfnPolicy;

  constructor(scope: Construct, id: string, props: DeviceAccessProps) {
    super(scope, id);
    checkTopicPrefix(props.topicPrefix);
    if (props.regions.length === 0) {
      throw new Error(`DeviceAccess ${id}: regions is empty; pass at least the home region`);
    }

    // No aws:SourceAccount / aws:SourceArn condition on the trust: AWS documents those keys for roles
    // IoT Core itself assumes (iot.amazonaws.com), not for the credentials provider, and a condition
    // on a key the provider does not send would refuse every credentials request. Why the role stays
    // bound to this account anyway: docs/deploy.md, "Device role trust".
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('credentials.iot.amazonaws.com'),
      description: 'ec2led device: lists EC2 instances to reconcile the board',
      maxSessionDuration: CREDENTIAL_DURATION,
      inlinePolicies: {
        ...(props.alarmRegions === undefined
          ? {}
          : {
              DescribeAlarms: new iam.PolicyDocument({
                statements: [
                  new iam.PolicyStatement({
                    actions: ['cloudwatch:DescribeAlarms'],
                    resources: ['*'],
                    conditions: { StringEquals: { 'aws:RequestedRegion': [...props.alarmRegions] } },
                  }),
                ],
              }),
            }),
        ...(props.deploys === undefined
          ? {}
          : {
              DeployReads: deployReads(props.deploys, {
                partition: Stack.of(this).partition,
                account: Stack.of(this).account,
              }),
            }),
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
    if (props.organizationId !== undefined) {
      const stack = Stack.of(this);
      const readers = `arn:${stack.partition}:iam::*:role/${READER_ROLE_NAME}`;
      this.role.addToPolicy(
        new iam.PolicyStatement({
          actions: ['sts:AssumeRole', 'sts:SetSourceIdentity'],
          resources: [readers],
          conditions: { StringEquals: { 'aws:ResourceOrgID': props.organizationId } },
        }),
      );
      Validations.of(this.role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::*:role/${READER_ROLE_NAME}]`,
        reason:
          'The reader role has one fixed name in every member account; the account is the wildcard, and ' +
          'aws:ResourceOrgID keeps it to accounts of the organization.',
      });
    }
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'ec2:DescribeInstances and ec2:DescribeInstanceStatus (scheduled events) support no resource-level permissions (the IAM service authorization ' +
        'reference lists no resource type for it), so "*" is the only valid resource; the statement ' +
        'is limited to the configured regions with aws:RequestedRegion and is read-only.' +
        (props.alarmRegions === undefined
          ? ''
          : ' cloudwatch:DescribeAlarms (alarms selected) is granted on "*" too: the agent lists every ' +
            'alarm of a region and keeps the selected ones, the alarms are not known at deploy time, and ' +
            'the statement is read-only and limited to the alarm regions with aws:RequestedRegion.') +
        (props.deploys === undefined
          ? ''
          : ' codepipeline:ListPipelines and ecs:ListServices (deploys selected) have no resource type ' +
            'either; read-only, limited to the deploy regions with aws:RequestedRegion.'),
    });

    if (props.deploys !== undefined) {
      const stack = Stack.of(this);
      const nag = {
        partition: Token.isUnresolved(stack.partition) ? '<AWS::Partition>' : stack.partition,
        account: Token.isUnresolved(stack.account) ? '<AWS::AccountId>' : stack.account,
      };
      for (const arn of deployArns(nag, props.deploys.namePrefixes)) {
        Validations.of(this.role).acknowledge({
          id: `AwsSolutions-IAM5[Resource::${arn}]`,
          reason:
            'The selected pipelines and ECS services by name prefix (context deployPrefix): their names are ' +
            'not known at deploy time; read-only calls, limited to the deploy regions with aws:RequestedRegion.',
        });
      }
    }

    this.roleAlias = new iot.CfnRoleAlias(this, 'RoleAlias', {
      roleArn: this.role.roleArn,
      credentialDurationSeconds: CREDENTIAL_DURATION.toSeconds(),
    });

    const stack = Stack.of(this);
    const scopeOf = { partition: stack.partition, region: stack.region, account: stack.account };
    const jobsArn = (kind: 'topic' | 'topicfilter', topic: JobsTopic) =>
      iotArn(scopeOf, `${kind}/${jobsTopic(THING_NAME_VARIABLE, topic)}`);
    this.policy = new iot.CfnPolicy(this, 'Policy', {
      policyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Action: 'iot:Connect',
            Resource: clientArn(scopeOf, THING_NAME_VARIABLE),
            // Only a certificate attached to a registered thing, and only under that thing's name.
            Condition: { Bool: { 'iot:Connection.Thing.IsAttached': 'true' } },
          },
          {
            Effect: 'Allow',
            Action: 'iot:Subscribe',
            Resource: subscriptionFilterArn(scopeOf, props.topicPrefix),
          },
          { Effect: 'Allow', Action: 'iot:Receive', Resource: instanceTopicsArn(scopeOf, props.topicPrefix) },
          ...(props.alarmRegions === undefined
            ? []
            : [
                {
                  Effect: 'Allow',
                  Action: 'iot:Subscribe',
                  Resource: alarmFilterArn(scopeOf, props.topicPrefix),
                },
                {
                  Effect: 'Allow',
                  Action: 'iot:Receive',
                  Resource: alarmTopicsArn(scopeOf, props.topicPrefix),
                },
              ]),
          ...(props.deploys === undefined
            ? []
            : [
                {
                  Effect: 'Allow',
                  Action: 'iot:Subscribe',
                  Resource: deployFilterArn(scopeOf, props.topicPrefix),
                },
                {
                  Effect: 'Allow',
                  Action: 'iot:Receive',
                  Resource: deployTopicsArn(scopeOf, props.topicPrefix),
                },
              ]),
          {
            Effect: 'Allow',
            Action: 'iot:Publish',
            Resource: shadowRequestArns(scopeOf, THING_NAME_VARIABLE),
          },
          {
            Effect: 'Allow',
            Action: 'iot:Subscribe',
            Resource: shadowResponseArns(scopeOf, THING_NAME_VARIABLE, 'topicfilter'),
          },
          {
            Effect: 'Allow',
            Action: 'iot:Receive',
            Resource: shadowResponseArns(scopeOf, THING_NAME_VARIABLE, 'topic'),
          },
          {
            Effect: 'Allow',
            Action: 'iot:Publish',
            Resource: JOBS_REQUESTS.map((topic) => jobsArn('topic', topic)),
          },
          {
            Effect: 'Allow',
            Action: 'iot:Subscribe',
            Resource: JOBS_RESPONSES.map((topic) => jobsArn('topicfilter', topic)),
          },
          {
            Effect: 'Allow',
            Action: 'iot:Receive',
            Resource: JOBS_RESPONSES.map((topic) => jobsArn('topic', topic)),
          },
          {
            Effect: 'Allow',
            Action: 'iot:AssumeRoleWithCertificate',
            Resource: roleAliasArn(scopeOf, this.roleAlias.ref),
          },
        ],
      },
    });
  }
}

/** The selected pipelines' and services' ARNs, any region (the condition names the regions). */
function deployArns(
  scope: { readonly partition: string; readonly account: string },
  namePrefixes: readonly string[],
): string[] {
  const names = namePrefixes.length === 0 ? [''] : namePrefixes;
  return names.flatMap((prefix) => [
    `arn:${scope.partition}:codepipeline:*:${scope.account}:${prefix}*`,
    `arn:${scope.partition}:ecs:*:${scope.account}:service/*/${prefix}*`,
  ]);
}

/**
 * The deploy listing's reads (device/sources/deploys.ts): the two list calls on "*" (neither has a
 * resource type in the service authorization reference), the two per-item calls on the selected ARNs.
 */
function deployReads(
  deploys: NonNullable<DeviceAccessProps['deploys']>,
  scope: { readonly partition: string; readonly account: string },
): iam.PolicyDocument {
  const regions = { StringEquals: { 'aws:RequestedRegion': [...deploys.regions] } };
  const arns = (service: 'codepipeline' | 'ecs') =>
    deployArns(scope, deploys.namePrefixes).filter((arn) => arn.includes(`:${service}:`));
  return new iam.PolicyDocument({
    statements: [
      new iam.PolicyStatement({
        actions: ['codepipeline:ListPipelines', 'ecs:ListServices'],
        resources: ['*'],
        conditions: regions,
      }),
      new iam.PolicyStatement({
        actions: ['codepipeline:ListPipelineExecutions'],
        resources: arns('codepipeline'),
        conditions: regions,
      }),
      new iam.PolicyStatement({
        actions: ['ecs:DescribeServices'],
        resources: arns('ecs'),
        conditions: regions,
      }),
    ],
  });
}
