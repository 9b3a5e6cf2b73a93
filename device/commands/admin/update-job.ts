/**
 * Pure: what `ec2led device update` sends to AWS for one package: the S3 key it uploads to, the
 * signed job document, and the CreateJob input with its rollout, abort and timeout settings. The
 * adapter (update.ts) only reads files and sends these.
 *
 * The settings, each a trade-off for a board fleet of a few Pis (docs/deploy.md, "Updating the Pis"):
 * - ROLLOUT_PER_MINUTE: executions started per minute; a bad package reaches at most this many
 *   Pis before the abort below can act.
 * - ABORT: cancel the rest of the job as soon as 20 % of the executions that ended failed, were
 *   rejected or timed out, counted from the first one: a package that breaks one Pi stops there.
 * - IN_PROGRESS_TIMEOUT_MINUTES: from the moment a Pi starts the execution (not from when the job is
 *   made: an offline Pi's execution waits QUEUED) until it must report success; enough to download
 *   the ~28 MB package, install it, restart and wait for the new agent to be ready.
 * - URL_EXPIRY_SECONDS: the pre-signed URL IoT puts in the document when a Pi takes the job (IoT's
 *   maximum, one hour).
 */
import {
  UPDATE_DOCUMENT_MAX_BYTES,
  UPDATE_OPERATION,
  type UpdateArch,
  type UpdateDocument,
} from '../../../shared/update-job.ts';
import { usageError } from './errors.ts';

export const ROLLOUT_PER_MINUTE = 5;
export const ABORT = {
  failureType: 'ALL',
  action: 'CANCEL',
  thresholdPercentage: 20,
  minNumberOfExecutedThings: 1,
} as const;
export const IN_PROGRESS_TIMEOUT_MINUTES = 30;
export const URL_EXPIRY_SECONDS = 3600;
/** Every job this command makes starts with this; `--status` without JOB takes the newest of them. */
export const JOB_ID_PREFIX = 'ec2led-update-';

export interface PackageFacts {
  readonly version: string;
  readonly arch: UpdateArch;
  readonly size: number;
  readonly sha256: string;
}

/** Where the package goes in the bucket: under `packages/` (the lifecycle rule), named by content. */
export function packageKey(facts: PackageFacts): string {
  return `packages/ec2-led_${facts.version}_${facts.arch}-${facts.sha256.slice(0, 16)}.deb`;
}

/** `ec2led-update-1.2.3-ab12cd34-20261207T161804Z`: at most 64 characters of [A-Za-z0-9_-]. */
export function jobIdOf(facts: PackageFacts, now: Date): string {
  const version = facts.version.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 24);
  const time = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `${JOB_ID_PREFIX}${version}-${facts.sha256.slice(0, 8)}-${time}`;
}

/** IoT's pre-signed URL placeholder for an object of the bucket (replaced per device by IoT). */
export function presignedUrlPlaceholder(region: string, bucket: string, key: string): string {
  return `\${aws:iot:s3-presigned-url:https://s3.${region}.amazonaws.com/${bucket}/${key}}`;
}

export interface JobPlan {
  readonly jobId: string;
  /** Thing ARNs. */
  readonly targets: readonly string[];
  readonly document: UpdateDocument;
  readonly downloadRoleArn: string;
  readonly stackName: string;
}

/** CreateJob's input, the fields this command sets (the SDK's type is checked where it is sent). */
export interface CreateJobInput {
  readonly jobId: string;
  readonly targets: string[];
  readonly document: string;
  readonly description: string;
  readonly targetSelection: 'SNAPSHOT';
  readonly presignedUrlConfig: { readonly roleArn: string; readonly expiresInSec: number };
  readonly jobExecutionsRolloutConfig: { readonly maximumPerMinute: number };
  readonly abortConfig: { readonly criteriaList: (typeof ABORT)[] };
  readonly timeoutConfig: { readonly inProgressTimeoutInMinutes: number };
}

/** The exact CreateJob input; a usage error when the document would pass IoT's 32 KB. */
export function createJobInput(plan: JobPlan): CreateJobInput {
  const document = JSON.stringify(plan.document);
  const bytes = Buffer.byteLength(document, 'utf8');
  if (bytes > UPDATE_DOCUMENT_MAX_BYTES) {
    throw usageError(
      `the job document takes ${bytes} bytes, over IoT's ${UPDATE_DOCUMENT_MAX_BYTES}; use a shorter bucket or stack name`,
    );
  }
  return {
    jobId: plan.jobId,
    targets: [...plan.targets],
    document,
    description:
      `ec2led update to ${plan.document.version} (${plan.document.arch}) from stack ${plan.stackName}`.slice(
        0,
        2028,
      ),
    targetSelection: 'SNAPSHOT',
    presignedUrlConfig: { roleArn: plan.downloadRoleArn, expiresInSec: URL_EXPIRY_SECONDS },
    jobExecutionsRolloutConfig: { maximumPerMinute: ROLLOUT_PER_MINUTE },
    abortConfig: { criteriaList: [{ ...ABORT }] },
    timeoutConfig: { inProgressTimeoutInMinutes: IN_PROGRESS_TIMEOUT_MINUTES },
  };
}

/** The document as created (its url is IoT's placeholder; the device sees the https URL). */
export function updateDocument(
  facts: PackageFacts,
  signed: { readonly keyId: string; readonly signature: string },
  allowDowngrade: boolean,
  url: string,
): UpdateDocument {
  return {
    operation: UPDATE_OPERATION,
    version: facts.version,
    arch: facts.arch,
    size: facts.size,
    sha256: facts.sha256,
    allowDowngrade,
    keyId: signed.keyId,
    signature: signed.signature,
    url,
  };
}

/** `arn:aws:cloudformation:eu-west-1:123456789012:stack/...` -> where the stack (and its things) live. */
export function stackPlace(
  stackId: string | undefined,
): { partition: string; region: string; account: string } | undefined {
  const match = /^arn:(aws[a-z-]*):cloudformation:([a-z0-9-]+):(\d{12}):stack\//.exec(stackId ?? '');
  if (match === null) return undefined;
  const [, partition = '', region = '', account = ''] = match;
  return { partition, region, account };
}

export function thingArn(
  place: { partition: string; region: string; account: string },
  thing: string,
): string {
  return `arn:${place.partition}:iot:${place.region}:${place.account}:thing/${thing}`;
}
