import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/app.ts';
import { type StackView, viewStack } from './template-view.ts';

const SYNTH_TIMEOUT = 90_000;
const ACCOUNT = '123456789012';
const HOME = 'eu-west-1';
const iotArn = (resource: string) => `arn:\${AWS::Partition}:iot:${HOME}:${ACCOUNT}:${resource}`;
const scratch = mkdtempSync(join(tmpdir(), 'ec2led-updates-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

let home: StackView;
beforeAll(() => {
  // buildApp adds cdk-nag: Template.fromStack throws on any unacknowledged finding.
  const app = new App({
    outdir: mkdtempSync(join(scratch, 'out-')),
    context: { 'aws:cdk:bundling-stacks': [], account: ACCOUNT, regions: HOME },
  });
  home = viewStack(buildApp(app, {}).home);
}, SYNTH_TIMEOUT);

describe('home stack: update packages bucket', () => {
  it('is private, encrypted, TLS-only and versioned, and expires packages by lifecycle', () => {
    expect(home.resources('AWS::S3::Bucket')).toEqual({
      'Updates/Bucket': {
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
        },
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
        VersioningConfiguration: { Status: 'Enabled' },
        LifecycleConfiguration: {
          Rules: [
            {
              Id: 'ExpirePackages',
              Prefix: 'packages/',
              Status: 'Enabled',
              ExpirationInDays: 90,
              NoncurrentVersionExpiration: { NoncurrentDays: 7 },
              AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
            },
          ],
        },
      },
    });
  });

  it('refuses every request without TLS', () => {
    expect(home.resources('AWS::S3::BucketPolicy')).toEqual({
      'Updates/Bucket/Policy': {
        Bucket: '${Updates/Bucket}',
        PolicyDocument: {
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Deny',
              Principal: { AWS: '*' },
              Action: 's3:*',
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
              Resource: ['${Updates/Bucket.Arn}', '${Updates/Bucket.Arn}/*'],
            },
          ],
        },
      },
    });
  });

  it('is kept when the stack is deleted: a rollout may still need its package', () => {
    const bucket = Object.values(home.json.Resources).find((r) => r.Type === 'AWS::S3::Bucket') as {
      DeletionPolicy?: string;
      UpdateReplacePolicy?: string;
    };
    expect(bucket.DeletionPolicy).toBe('Retain');
    expect(bucket.UpdateReplacePolicy).toBe('Retain');
  });
});

describe('home stack: the pre-signed URL role', () => {
  it('is assumed by IoT Core of this account only and may only get packages of the bucket', () => {
    expect(home.roles()['Updates/DownloadRole']).toEqual({
      trust: [
        {
          Effect: 'Allow',
          Principal: { Service: 'iot.amazonaws.com' },
          Action: 'sts:AssumeRole',
          Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT } },
        },
      ],
      statements: [{ Action: 's3:GetObject', Resource: '${Updates/Bucket.Arn}/packages/*' }],
    });
  });

  it('outputs the bucket and the role for ec2led device update', () => {
    const outputs = home.show(home.template.findOutputs('*')) as Record<string, unknown>;
    expect({
      UpdateBucketName: outputs.UpdateBucketName,
      UpdateDownloadRoleArn: outputs.UpdateDownloadRoleArn,
    }).toEqual({
      UpdateBucketName: { Description: expect.any(String), Value: '${Updates/Bucket}' },
      UpdateDownloadRoleArn: { Description: expect.any(String), Value: '${Updates/DownloadRole.Arn}' },
    });
  });
});

describe('home stack: the device policy for jobs', () => {
  it('lets a device use exactly its own jobs topics: start-next, a job update and their responses', () => {
    const jobs = (kind: string, topic: string) =>
      iotArn(`${kind}/$aws/things/\${iot:Connection.Thing.ThingName}/jobs/${topic}`);
    const policy = home.resources('AWS::IoT::Policy')['DeviceAccess/Policy'] as {
      PolicyDocument: { Statement: { Action: string; Resource: string | string[] }[] };
    };
    const jobStatements = policy.PolicyDocument.Statement.filter((s) =>
      [s.Resource].flat().some((arn) => arn.includes('/jobs/')),
    );
    const responses = [
      'notify-next',
      'start-next/accepted',
      'start-next/rejected',
      '*/update/accepted',
      '*/update/rejected',
    ];
    expect(jobStatements).toEqual([
      {
        Effect: 'Allow',
        Action: 'iot:Publish',
        Resource: [jobs('topic', 'start-next'), jobs('topic', '*/update')],
      },
      {
        Effect: 'Allow',
        Action: 'iot:Subscribe',
        Resource: responses.map((topic) => jobs('topicfilter', topic)),
      },
      { Effect: 'Allow', Action: 'iot:Receive', Resource: responses.map((topic) => jobs('topic', topic)) },
    ]);
  });

  it('has no wildcard in a jobs topic but the job id level, and no get or other thing', () => {
    const policy = home.resources('AWS::IoT::Policy')['DeviceAccess/Policy'] as {
      PolicyDocument: { Statement: { Resource: string | string[] }[] };
    };
    const arns = policy.PolicyDocument.Statement.flatMap((s) => [s.Resource].flat()).filter((arn) =>
      arn.includes('/jobs/'),
    );
    expect(arns).toHaveLength(12);
    for (const arn of arns) {
      expect(arn).toMatch(
        /:topic(filter)?\/\$aws\/things\/\$\{iot:Connection\.Thing\.ThingName\}\/jobs\/(notify-next|start-next(\/accepted|\/rejected)?|\*\/update(\/accepted|\/rejected)?)$/,
      );
    }
  });
});
