/**
 * The AWS side of `ec2led device update`: reads and signs the package, uploads it to the home
 * stack's update bucket (S3 checks the upload against its SHA-256), and creates the IoT job
 * (update-job.ts decides what is sent). `--status` lists the executions of a job. Loaded lazily by
 * cli.ts, like enroll.ts; the agent never imports it.
 *
 * Order: everything that can fail on this machine (package, key, targets, stack outputs) is checked
 * before the upload, and the upload before the job, so a refused command leaves nothing in AWS; a
 * job that fails to be created leaves an uploaded package, which the bucket's lifecycle expires.
 */
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import {
  CloudFormationClient,
  DescribeStacksCommand,
  type DescribeStacksCommandOutput,
} from '@aws-sdk/client-cloudformation';
import {
  CreateJobCommand,
  DescribeJobCommand,
  DescribeJobExecutionCommand,
  DescribeThingCommand,
  IoTClient,
  paginateListJobExecutionsForJob,
  paginateListJobs,
  paginateListThings,
} from '@aws-sdk/client-iot';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { UPDATE_OUTPUT_KEYS } from '../../../shared/stack.ts';
import { UPDATE_PACKAGE_MAX_BYTES } from '../../../shared/update-job.ts';
import { type DpkgDebField, readDebFields } from './deb.ts';
import { STACK_ATTRIBUTE } from './enroll.ts';
import { AdminError, awsError, usageError } from './errors.ts';
import {
  createJobInput,
  JOB_ID_PREFIX,
  jobIdOf,
  type PackageFacts,
  packageKey,
  presignedUrlPlaceholder,
  stackPlace,
  thingArn,
  updateDocument,
} from './update-job.ts';
import { loadSigningKey, signUpdate } from './update-key.ts';

export interface UpdateClients {
  readonly iot: IoTClient;
  readonly s3: S3Client;
  readonly cloudformation: CloudFormationClient;
}

/** As enroll.ts's adminClients, plus S3 (the upload may take minutes: 10 min in all). */
export function updateClients(region: string | undefined): UpdateClients {
  const base = region === undefined ? {} : { region };
  const handler = { connectionTimeout: 10_000, requestTimeout: 60_000, throwOnRequestTimeout: true };
  return {
    iot: new IoTClient({ ...base, requestHandler: handler }),
    cloudformation: new CloudFormationClient({ ...base, requestHandler: handler }),
    s3: new S3Client({ ...base, requestHandler: { ...handler, requestTimeout: 600_000 } }),
  };
}

export type Say = (line: string) => void;

async function call<T>(doing: string, send: () => Promise<T>): Promise<T> {
  try {
    return await send();
  } catch (error) {
    throw awsError(error, doing);
  }
}

export interface ReadPackage extends PackageFacts {
  readonly bytes: Uint8Array;
}

/** Reads the package (at most UPDATE_PACKAGE_MAX_BYTES), its control fields, size and SHA-256. */
export async function readPackage(file: string, dpkgDeb?: DpkgDebField): Promise<ReadPackage> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    throw usageError(
      `--package ${file} cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); ` +
        'pass the ec2-led_*_arm64.deb that npm run package:pi wrote',
    );
  }
  let bytes: Buffer;
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw usageError(`--package ${file} is not a file; pass the .deb`);
    if (info.size > UPDATE_PACKAGE_MAX_BYTES) {
      throw usageError(
        `--package ${file} is ${info.size} bytes, over the ${UPDATE_PACKAGE_MAX_BYTES} a device downloads; is it the right file?`,
      );
    }
    // Read at most one byte more than allowed, so a file that grows while read is caught too.
    bytes = Buffer.alloc(Math.min(info.size, UPDATE_PACKAGE_MAX_BYTES) + 1);
    let length = 0;
    while (length < bytes.length) {
      const { bytesRead } = await handle.read(bytes, length, bytes.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    if (length > UPDATE_PACKAGE_MAX_BYTES || length !== info.size) {
      throw usageError(`--package ${file} changed while it was read; rerun when it is written`);
    }
    bytes = bytes.subarray(0, length);
  } finally {
    await handle.close();
  }
  const fields = await readDebFields(bytes, file, dpkgDeb);
  return {
    version: fields.version,
    arch: fields.arch,
    size: bytes.length,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    bytes,
  };
}

interface UpdateStack {
  readonly bucket: string;
  readonly downloadRoleArn: string;
  readonly place: { partition: string; region: string; account: string };
}

async function describeUpdateStack(
  cloudformation: CloudFormationClient,
  stackName: string,
): Promise<UpdateStack> {
  let stacks: DescribeStacksCommandOutput;
  try {
    stacks = await cloudformation.send(new DescribeStacksCommand({ StackName: stackName }));
  } catch (error) {
    if (error instanceof Error && error.name === 'ValidationError' && /does not exist/.test(error.message)) {
      throw new AdminError(
        `stack ${stackName} is not deployed here; deploy it with \`npx cdk deploy ${stackName}\` (docs/deploy.md), ` +
          'or pass --stack NAME / --region R where it is deployed',
        1,
        { cause: error },
      );
    }
    throw awsError(error, `reading stack ${stackName}`);
  }
  const stack = stacks.Stacks?.[0];
  const output = (key: string) => {
    const value = stack?.Outputs?.find((item) => item.OutputKey === key)?.OutputValue;
    if (value === undefined || value === '') {
      throw new AdminError(
        `stack ${stackName} (status ${stack?.StackStatus ?? 'unknown'}) has no output ${key}: it was deployed before ` +
          `updates by job; deploy the current version with \`npx cdk deploy ${stackName}\``,
        1,
      );
    }
    return value;
  };
  const place = stackPlace(stack?.StackId);
  if (place === undefined) {
    throw new AdminError(
      `stack ${stackName} has no usable stack id (${JSON.stringify(stack?.StackId ?? null)}); rerun`,
      1,
    );
  }
  return {
    bucket: output(UPDATE_OUTPUT_KEYS.bucket),
    downloadRoleArn: output(UPDATE_OUTPUT_KEYS.downloadRoleArn),
    place,
  };
}

/** The named device, checked to be one of the stack's; or every device of the stack. */
async function targetThings(iot: IoTClient, stackName: string, thing: string | 'all'): Promise<string[]> {
  if (thing === 'all') {
    const names: string[] = [];
    await call(`listing the devices of stack ${stackName}`, async () => {
      for await (const page of paginateListThings(
        { client: iot },
        { attributeName: STACK_ATTRIBUTE, attributeValue: stackName },
      )) {
        for (const item of page.things ?? []) if (item.thingName) names.push(item.thingName);
      }
    });
    if (names.length === 0) {
      throw usageError(
        `stack ${stackName} has no devices to update; enrol one with ec2led device create NAME`,
      );
    }
    return names.sort();
  }
  let attributes: Record<string, string> | undefined;
  try {
    attributes = (await iot.send(new DescribeThingCommand({ thingName: thing }))).attributes;
  } catch (error) {
    if (error instanceof Error && error.name === 'ResourceNotFoundException') {
      throw usageError(`there is no device ${thing}; ec2led device list shows the devices of the stack`);
    }
    throw awsError(error, `describing thing ${thing}`);
  }
  if (attributes?.[STACK_ATTRIBUTE] !== stackName) {
    throw usageError(
      `thing ${thing} is not a device of stack ${stackName} (its ${STACK_ATTRIBUTE} is ${JSON.stringify(attributes?.[STACK_ATTRIBUTE] ?? null)}); ` +
        'check the name with ec2led device list, or pass --stack',
    );
  }
  return [thing];
}

export interface UpdateRequest {
  /** A thing name, or every device of the stack. */
  readonly target: string | 'all';
  readonly packageFile: string;
  readonly keyFile: string;
  readonly allowDowngrade: boolean;
  readonly stackName: string;
}

export interface UpdateResult {
  readonly job: string;
  readonly things: readonly string[];
  readonly version: string;
  readonly arch: string;
  readonly size: number;
  readonly sha256: string;
  readonly keyId: string;
  readonly bucket: string;
  readonly key: string;
}

export async function startUpdate(
  clients: UpdateClients,
  request: UpdateRequest,
  say: Say,
  options: { readonly now?: () => Date; readonly dpkgDeb?: DpkgDebField } = {},
): Promise<UpdateResult> {
  const pkg = await readPackage(request.packageFile, options.dpkgDeb);
  const privateKey = await loadSigningKey(request.keyFile);
  const signed = signUpdate(
    {
      version: pkg.version,
      arch: pkg.arch,
      size: pkg.size,
      sha256: pkg.sha256,
      allowDowngrade: request.allowDowngrade,
    },
    privateKey,
  );
  say(
    `package ${pkg.version} (${pkg.arch}), ${pkg.size} bytes, sha256 ${pkg.sha256}; signed with key ${signed.keyId}`,
  );
  const stack = await describeUpdateStack(clients.cloudformation, request.stackName);
  const things = await targetThings(clients.iot, request.stackName, request.target);

  const key = packageKey(pkg);
  await call(`uploading ${request.packageFile} to s3://${stack.bucket}/${key}`, () =>
    clients.s3.send(
      new PutObjectCommand({
        Bucket: stack.bucket,
        Key: key,
        Body: pkg.bytes,
        ContentLength: pkg.size,
        ContentType: 'application/vnd.debian.binary-package',
        // S3 refuses the upload unless the bytes it got have this hash.
        ChecksumSHA256: Buffer.from(pkg.sha256, 'hex').toString('base64'),
      }),
    ),
  );
  say(`uploaded s3://${stack.bucket}/${key}`);

  const jobId = jobIdOf(pkg, (options.now ?? (() => new Date()))());
  const document = updateDocument(
    pkg,
    signed,
    request.allowDowngrade,
    presignedUrlPlaceholder(stack.place.region, stack.bucket, key),
  );
  const input = createJobInput({
    jobId,
    targets: things.map((thing) => thingArn(stack.place, thing)),
    document,
    downloadRoleArn: stack.downloadRoleArn,
    stackName: request.stackName,
  });
  await call(`creating job ${jobId}`, () => clients.iot.send(new CreateJobCommand(input)));
  say(
    `created job ${jobId} for ${things.join(', ')}; a Pi that is online takes it within seconds, one that is ` +
      `offline when it connects. Follow it with: ec2led device update --status ${jobId}`,
  );
  return {
    job: jobId,
    things,
    version: pkg.version,
    arch: pkg.arch,
    size: pkg.size,
    sha256: pkg.sha256,
    keyId: signed.keyId,
    bucket: stack.bucket,
    key,
  };
}

export interface ExecutionStatus {
  readonly job: string;
  readonly thing: string;
  /** QUEUED, IN_PROGRESS, SUCCEEDED, FAILED, TIMED_OUT, REJECTED, REMOVED, CANCELED. */
  readonly status: string;
  readonly queuedAt?: string;
  readonly startedAt?: string;
  readonly lastUpdatedAt?: string;
  /** What the device reported (statusDetails), e.g. the reason it refused the package. */
  readonly details?: Readonly<Record<string, string>>;
}

export interface JobStatus {
  readonly job: string;
  readonly status: string;
  readonly executions: readonly ExecutionStatus[];
}

const iso = (date: Date | undefined) => date?.toISOString();

/** The newest job this command made, when `jobId` is not given. */
async function newestJob(iot: IoTClient): Promise<string> {
  let newest: { id: string; at: number } | undefined;
  await call('listing the update jobs', async () => {
    for await (const page of paginateListJobs({ client: iot }, {})) {
      for (const job of page.jobs ?? []) {
        if (!job.jobId?.startsWith(JOB_ID_PREFIX)) continue;
        const at = job.createdAt?.getTime() ?? 0;
        if (newest === undefined || at > newest.at) newest = { id: job.jobId, at };
      }
    }
  });
  if (newest === undefined) {
    throw usageError('there is no update job yet; start one with ec2led device update NAME --package FILE');
  }
  return newest.id;
}

/** Each device's execution of the job (its latest attempt), with what the device reported. */
export async function updateStatus(
  clients: Pick<UpdateClients, 'iot'>,
  jobId: string | undefined,
): Promise<JobStatus> {
  const { iot } = clients;
  const job = jobId ?? (await newestJob(iot));
  let status: string;
  try {
    status = (await iot.send(new DescribeJobCommand({ jobId: job }))).job?.status ?? 'unknown';
  } catch (error) {
    if (error instanceof Error && error.name === 'ResourceNotFoundException') {
      throw usageError(`there is no job ${job}; ec2led device update --status alone shows the newest one`);
    }
    throw awsError(error, `describing job ${job}`);
  }
  const executions: ExecutionStatus[] = [];
  await call(`listing the executions of job ${job}`, async () => {
    for await (const page of paginateListJobExecutionsForJob({ client: iot }, { jobId: job })) {
      for (const item of page.executionSummaries ?? []) {
        const thing = item.thingArn?.split('/').at(-1);
        if (thing === undefined) continue;
        const described = await iot.send(new DescribeJobExecutionCommand({ jobId: job, thingName: thing }));
        const execution = described.execution;
        const details = execution?.statusDetails?.detailsMap;
        executions.push({
          job,
          thing,
          status: execution?.status ?? item.jobExecutionSummary?.status ?? 'unknown',
          ...(execution?.queuedAt === undefined ? {} : { queuedAt: iso(execution.queuedAt) }),
          ...(execution?.startedAt === undefined ? {} : { startedAt: iso(execution.startedAt) }),
          ...(execution?.lastUpdatedAt === undefined ? {} : { lastUpdatedAt: iso(execution.lastUpdatedAt) }),
          ...(details === undefined || Object.keys(details).length === 0 ? {} : { details }),
        });
      }
    }
  });
  executions.sort((a, b) => a.thing.localeCompare(b.thing));
  return { job, status, executions };
}
