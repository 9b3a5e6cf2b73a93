/**
 * The home stack, in the first region of `regions`: the rule, the Lambda publishing to IoT Core, the
 * dead-letter queues, the alarms and where they notify, the IoT endpoints, device access, the update
 * packages' bucket, and the outputs that `ec2led device create` and `ec2led device update` read. Composition only; each part lives in constructs/.
 */
import { Aws, CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type { Construct } from 'constructs';
import { STACK_OUTPUT_KEYS, UPDATE_OUTPUT_KEYS } from '../shared/stack.ts';
import { AlarmNotifications } from './constructs/alarm-notifications.ts';
import { AlarmStateChangeRule } from './constructs/alarm-state-change-rule.ts';
import { DeadLetterQueue } from './constructs/dead-letter-queue.ts';
import { DeployStateChangeRules } from './constructs/deploy-state-change-rule.ts';
import { DeviceAccess } from './constructs/device-access.ts';
import {
  Ec2StateChangeRule,
  TARGET_MAX_EVENT_AGE,
  TARGET_RETRY_ATTEMPTS,
} from './constructs/ec2-state-change-rule.ts';
import { IngestBus, ingestBusName } from './constructs/ingest-bus.ts';
import { InstanceNoticeRule } from './constructs/instance-notice-rule.ts';
import { IotEndpoints } from './constructs/iot-endpoints.ts';
import { PublisherFunction } from './constructs/publisher-function.ts';
import { UpdatePackages } from './constructs/update-packages.ts';
import type { Settings } from './settings.ts';

export interface HomeStackProps extends StackProps {
  readonly settings: Settings;
}

export class HomeStack extends Stack {
  constructor(scope: Construct, id: string, props: HomeStackProps) {
    super(scope, id, props);
    const { settings } = props;
    const regions = settings.regions ?? [Aws.REGION];

    const endpoints = new IotEndpoints(this, 'IotEndpoints', {
      dataEndpoint: settings.iotDataEndpoint,
      credentialsEndpoint: settings.iotCredentialsEndpoint,
    });

    const publishFailures = new DeadLetterQueue(this, 'PublishFailures', {
      holds: 'ec2led: state changes the Lambda could not publish to IoT Core',
    });
    const publisher = new PublisherFunction(this, 'Publisher', {
      iotDataEndpoint: endpoints.dataEndpoint,
      topicPrefix: settings.topicPrefix,
      onFailure: publishFailures.queue,
      publishesAlarms: settings.alarms !== undefined,
      publishesDeploys: settings.deploys !== undefined,
    });

    const undelivered = new DeadLetterQueue(this, 'UndeliveredEvents', {
      holds: 'ec2led: state changes the EventBridge rule could not hand to the Lambda',
    });
    const toPublisher = new targets.LambdaFunction(publisher.function, {
      deadLetterQueue: undelivered.queue,
      maxEventAge: TARGET_MAX_EVENT_AGE,
      retryAttempts: TARGET_RETRY_ATTEMPTS,
    });
    const organizationId = settings.organizationId;
    if (organizationId === undefined) {
      const rule = new Ec2StateChangeRule(this, 'StateChangeRule', {
        description: 'ec2led: EC2 instance state changes to the publisher Lambda',
      });
      rule.addTarget(toPublisher);
      new InstanceNoticeRule(this, 'NoticeRule', {
        description: 'ec2led: instance notices (Spot, rebalance, scheduled changes) to the publisher Lambda',
      }).addTarget(toPublisher);
    } else {
      // An organization: every account and region sends to the ingest bus, and the publisher's rule
      // is there. The home region's own changes reach it like any other region's, through a rule.
      const ingest = new IngestBus(this, 'Ingest', {
        organizationId,
        busName: ingestBusName(this.stackName),
      });
      new Ec2StateChangeRule(this, 'IngestRule', {
        description: 'ec2led: EC2 instance state changes of the organization to the publisher Lambda',
        eventBus: ingest.bus,
      }).addTarget(toPublisher);
      const rule = new Ec2StateChangeRule(this, 'StateChangeRule', {
        description: 'ec2led: EC2 instance state changes of the home region to the ingest bus',
      });
      rule.addTarget(new targets.EventBus(ingest.bus, { deadLetterQueue: undelivered.queue }));
      (rule.node.defaultChild as events.CfnRule).addPropertyOverride('Targets.0.RetryPolicy', {
        MaximumEventAgeInSeconds: TARGET_MAX_EVENT_AGE.toSeconds(),
        MaximumRetryAttempts: TARGET_RETRY_ATTEMPTS,
      });
      new InstanceNoticeRule(this, 'IngestNoticeRule', {
        description: 'ec2led: instance notices of the organization to the publisher Lambda',
        eventBus: ingest.bus,
      }).addTarget(toPublisher);
      const noticeRule = new InstanceNoticeRule(this, 'NoticeRule', {
        description: 'ec2led: instance notices of the home region to the ingest bus',
      });
      noticeRule.addTarget(new targets.EventBus(ingest.bus, { deadLetterQueue: undelivered.queue }));
      (noticeRule.node.defaultChild as events.CfnRule).addPropertyOverride('Targets.0.RetryPolicy', {
        MaximumEventAgeInSeconds: TARGET_MAX_EVENT_AGE.toSeconds(),
        MaximumRetryAttempts: TARGET_RETRY_ATTEMPTS,
      });
      new CfnOutput(this, 'IngestBusArn', {
        value: ingest.bus.eventBusArn,
        description: 'The bus member accounts send their EC2 state changes to',
      });
    }

    if (settings.alarms !== undefined) {
      new AlarmStateChangeRule(this, 'AlarmStateChangeRule', {
        description: 'ec2led: selected CloudWatch alarm state changes to the publisher Lambda',
        selection: settings.alarms,
      }).addTarget(
        new targets.LambdaFunction(publisher.function, {
          deadLetterQueue: undelivered.queue,
          maxEventAge: TARGET_MAX_EVENT_AGE,
          retryAttempts: TARGET_RETRY_ATTEMPTS,
        }),
      );
    }

    if (settings.deploys !== undefined) {
      // Deploys of the home account only, like alarms: the forwarders send theirs to this default bus.
      new DeployStateChangeRules(this, 'DeployStateChangeRule', {
        to: 'to the publisher Lambda',
        selection: settings.deploys,
      }).addTarget(
        () =>
          new targets.LambdaFunction(publisher.function, {
            deadLetterQueue: undelivered.queue,
            maxEventAge: TARGET_MAX_EVENT_AGE,
            retryAttempts: TARGET_RETRY_ATTEMPTS,
          }),
      );
    }

    const device = new DeviceAccess(this, 'DeviceAccess', {
      topicPrefix: settings.topicPrefix,
      regions,
      // Check alarms live in us-east-1 (infra/checks-stack.ts).
      alarmRegions:
        settings.alarms === undefined
          ? undefined
          : [...new Set([...regions, ...(settings.checks.length > 0 ? ['us-east-1'] : [])])],
      organizationId,
      ...(settings.deploys === undefined
        ? {}
        : { deploys: { regions, namePrefixes: settings.deploys.namePrefixes } }),
    });
    new CfnOutput(this, 'DeviceRoleArn', {
      value: device.role.roleArn,
      description: 'The device role: member stacks let it assume ec2led-reader (-c deviceRoleArn=...)',
    });

    // Created at the stack root so each logical ID is exactly its key (the CLI reads them by key).
    const outputs: Record<keyof typeof STACK_OUTPUT_KEYS, { value: string; description: string }> = {
      dataEndpoint: {
        value: endpoints.dataEndpoint,
        description: 'IoT Core data endpoint (MQTT, port 8883)',
      },
      credentialsEndpoint: {
        value: endpoints.credentialsEndpoint,
        description: 'IoT Core credentials provider endpoint',
      },
      policyName: {
        value: device.policy.ref,
        description: 'IoT policy to attach to each device certificate',
      },
      roleAlias: {
        value: device.roleAlias.ref,
        description: 'Role alias the device exchanges its certificate at',
      },
      topicPrefix: { value: settings.topicPrefix, description: 'First level of every instance topic' },
      regions: {
        value: settings.regions?.join(',') ?? Aws.REGION,
        description: 'Regions watched, home first',
      },
    };
    for (const [key, output] of Object.entries(outputs)) {
      new CfnOutput(this, STACK_OUTPUT_KEYS[key as keyof typeof STACK_OUTPUT_KEYS], output);
    }

    const updates = new UpdatePackages(this, 'Updates');
    new CfnOutput(this, UPDATE_OUTPUT_KEYS.bucket, {
      value: updates.bucket.bucketName,
      description: 'The bucket ec2led device update uploads packages to',
    });
    new CfnOutput(this, UPDATE_OUTPUT_KEYS.downloadRoleArn, {
      value: updates.downloadRole.roleArn,
      description: 'The role IoT Jobs pre-signs package download URLs with (presignedUrlConfig)',
    });

    // Last: it attaches to every alarm above.
    new AlarmNotifications(this, 'AlarmTopic', { email: settings.alarmEmail });
  }
}
