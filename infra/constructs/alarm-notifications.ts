/**
 * Where a stack's alarms go. With context `alarmEmail`: an SNS topic in the stack's region (CloudWatch
 * alarms can only notify a topic in their own region) with an e-mail subscription, and every alarm of
 * the stack notifies it on ALARM and on OK. Without it: nothing is created, and the stack output
 * `AlarmNotifications` says that alarms notify no one and how to change that.
 *
 * Create it last in a stack: it attaches to every alarm already in the stack, so an alarm added later
 * in the code is still covered as long as this comes after it (the template tests check every alarm).
 *
 * The topic is encrypted with a customer-managed KMS key (cdk-nag AwsSolutions-SNS2) whose policy
 * lets CloudWatch use it: alarms cannot publish to a topic under the AWS-managed `alias/aws/sns` key.
 * Source: https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html ("Enable compatibility
 * between event sources from AWS services and encrypted topics"). The key costs $1.00 a month per
 * region, plus $1.00 for each of its first two yearly rotations (docs/deploy.md, Costs). The topic refuses non-TLS requests (AwsSolutions-SNS3) and allows
 * `sns:Publish` to CloudWatch only for alarms of this account and region.
 */
import { CfnOutput, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

export interface AlarmNotificationsProps {
  /** Undefined: alarms notify no one, and the stack output says so. */
  readonly email: string | undefined;
}

/** The stack output's logical ID; the same in every stack. */
export const ALARM_NOTIFICATIONS_OUTPUT = 'AlarmNotifications';

export const NO_ALARM_EMAIL_NOTICE =
  'none: the alarms notify no one. To be e-mailed on ALARM and OK, deploy with ' +
  '-c alarmEmail=you@example.com (or set alarmEmail in cdk.json context)';

export class AlarmNotifications extends Construct {
  /** Undefined without an e-mail address. */
  readonly topic: sns.Topic | undefined;

  constructor(scope: Construct, id: string, props: AlarmNotificationsProps) {
    super(scope, id);
    const stack = Stack.of(this);
    if (props.email === undefined) {
      this.topic = undefined;
      new CfnOutput(stack, ALARM_NOTIFICATIONS_OUTPUT, {
        value: NO_ALARM_EMAIL_NOTICE,
        description: 'Where the alarms of this stack send notifications',
      });
      return;
    }

    const key = new kms.Key(this, 'Key', {
      description: 'ec2led: encrypts the alarm notification topic',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
    });
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsPublishToTheEncryptedTopic',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
      }),
    );

    const topic = new sns.Topic(this, 'Topic', {
      displayName: 'ec2led alarms',
      masterKey: key,
      enforceSSL: true,
    });
    topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsOfThisAccountPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [topic.topicArn],
        conditions: {
          ArnLike: {
            'aws:SourceArn': `arn:${stack.partition}:cloudwatch:${stack.region}:${stack.account}:alarm:*`,
          },
        },
      }),
    );
    topic.addSubscription(new subscriptions.EmailSubscription(props.email));
    this.topic = topic;

    const action = new actions.SnsAction(topic);
    for (const construct of stack.node.findAll()) {
      if (construct instanceof cloudwatch.Alarm) {
        construct.addAlarmAction(action);
        construct.addOkAction(action);
      }
    }
    new CfnOutput(stack, ALARM_NOTIFICATIONS_OUTPUT, {
      value: `e-mail to ${props.email} (confirm the subscription from the AWS e-mail first)`,
      description: 'Where the alarms of this stack send notifications',
    });
  }
}
