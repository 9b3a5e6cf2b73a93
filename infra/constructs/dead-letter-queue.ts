/**
 * A queue that catches what could not be delivered, and an alarm as soon as it holds anything.
 *
 * Encrypted (SSE-SQS: EventBridge and Lambda destinations can send to it without a KMS key policy),
 * TLS only, messages kept 14 days (the maximum) so there is time to look at them.
 */
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export interface DeadLetterQueueProps {
  /** What lands here, for the alarm description: "events the rule could not hand to the Lambda". */
  readonly holds: string;
}

export class DeadLetterQueue extends Construct {
  readonly queue: sqs.Queue;
  readonly alarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: DeadLetterQueueProps) {
    super(scope, id);
    if (props.holds.trim() === '') {
      throw new Error(`DeadLetterQueue ${id}: holds is empty; say what lands in the queue, for the alarm`);
    }
    this.queue = new sqs.Queue(this, 'Queue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy: RemovalPolicy.DESTROY,
    });
    Validations.of(this.queue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is itself a dead-letter queue (an EventBridge target DLQ or a Lambda on-failure ' +
        'destination); the rule only recognises SQS redrive and Lambda DeadLetterConfig as DLQ use.',
    });

    this.alarm = new cloudwatch.Alarm(this, 'NotEmpty', {
      alarmDescription: `${props.holds}: the queue holds messages; read them in the SQS console`,
      metric: this.queue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(5),
        statistic: cloudwatch.Stats.MAXIMUM,
      }),
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      threshold: 0,
      evaluationPeriods: 1,
      // SQS stops sending data points for a queue idle for hours: no data means nothing arrived.
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
  }
}
