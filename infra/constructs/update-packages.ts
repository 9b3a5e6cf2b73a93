/**
 * Where `ec2led device update` puts the packages its IoT jobs deliver, and the role IoT Jobs uses to
 * pre-sign their download URLs (docs/deploy.md, "Updating the Pis").
 *
 * - Bucket: private (every public access blocked, owner-enforced objects), encrypted at rest (SSE-S3:
 *   a pre-signed GET then needs no KMS permission), TLS-only, versioned. Packages live under
 *   `packages/` and expire PACKAGE_EXPIRY after upload (a job's pre-signed URL is valid one hour;
 *   a device that was offline longer than that finds its package gone, and the execution fails with
 *   the reason); old versions go NONCURRENT_EXPIRY later. Retained when the stack is deleted: it may
 *   hold the package a rollout still needs (empty and delete it by hand, docs/deploy.md).
 * - Download role: trusted by IoT Core in this account only; may `s3:GetObject` on `packages/*` of
 *   this bucket and nothing else. IoT signs each job document's
 *   `${aws:iot:s3-presigned-url:...}` with it when a device takes the job (`presignedUrlConfig`).
 */
import { Duration, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

/** The key prefix of every package `ec2led device update` uploads. */
export const PACKAGE_PREFIX = 'packages/';
/** How long a package stays after its upload: far beyond any rollout (a job's timeout is minutes). */
export const PACKAGE_EXPIRY = Duration.days(90);
/** How long an overwritten or deleted package version stays. */
export const NONCURRENT_EXPIRY = Duration.days(7);

export class UpdatePackages extends Construct {
  readonly bucket: s3.Bucket;
  readonly downloadRole: iam.Role;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.bucket = new s3.Bucket(this, 'Bucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      versioned: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [
        {
          id: 'ExpirePackages',
          prefix: PACKAGE_PREFIX,
          expiration: PACKAGE_EXPIRY,
          noncurrentVersionExpiration: NONCURRENT_EXPIRY,
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
    });
    Validations.of(this.bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'Server access logs would need a second bucket for a handful of uploads a month; every upload ' +
        'is an IoT job the admin made (ListJobs), downloads are pre-signed by IoT for one hour per ' +
        'device, and CloudTrail data events can be enabled on the bucket when an audit needs them.',
    });

    const account = Stack.of(this).account;
    this.downloadRole = new iam.Role(this, 'DownloadRole', {
      assumedBy: new iam.ServicePrincipal('iot.amazonaws.com', {
        // Confused deputy: only IoT Core acting for this account may use it (the PresignedUrlConfig
        // reference sends readers to IoT's cross-service confused deputy prevention page).
        conditions: { StringEquals: { 'aws:SourceAccount': account } },
      }),
      description: 'ec2led update jobs: IoT pre-signs the package download URL of a job with this role',
      inlinePolicies: {
        GetPackages: new iam.PolicyDocument({
          statements: [
            new iam.PolicyStatement({
              actions: ['s3:GetObject'],
              resources: [this.bucket.arnForObjects(`${PACKAGE_PREFIX}*`)],
            }),
          ],
        }),
      },
    });
    Validations.of(this.downloadRole).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(this.bucket.node.defaultChild as s3.CfnBucket)}.Arn>/${PACKAGE_PREFIX}*]`,
      reason:
        'One object per uploaded package, named by version and hash at upload time; the role may only ' +
        'read objects under packages/ of this one bucket, and only IoT Core of this account assumes it.',
    });
  }
}
