/**
 * The AWS side of `ec2led device create|delete|list`: CloudFormation for the home stack's outputs, IoT
 * Core for things and certificates. With shadow-set.ts and update.ts, the only modules that import
 * the admin SDK clients; loaded lazily by cli.ts, never by the agent.
 *
 * Every thing create makes carries the attribute `ec2led-stack` = the home stack's name: list finds
 * devices by it, and delete refuses a thing without it (unless forced), so a typo cannot remove
 * another project's device. Certificates are attached exclusively (EXCLUSIVE_THING): a device
 * certificate can never be attached to a second thing.
 *
 * Safe to rerun. create: a thing that already holds a certificate with our policy is reported, not
 * duplicated; a failure after anything was made removes what this run made (certificate, and the
 * thing if this run created it). delete: a missing thing is fine; detachments propagate
 * asynchronously, so the deletes that depend on them are retried.
 */

import {
  CloudFormationClient,
  DescribeStacksCommand,
  type DescribeStacksCommandOutput,
} from '@aws-sdk/client-cloudformation';
import {
  AttachPolicyCommand,
  AttachThingPrincipalCommand,
  CreateCertificateFromCsrCommand,
  CreateKeysAndCertificateCommand,
  CreateThingCommand,
  DeleteCertificateCommand,
  DeleteThingCommand,
  DescribeCertificateCommand,
  DescribeThingCommand,
  type DescribeThingCommandOutput,
  DetachPolicyCommand,
  DetachThingPrincipalCommand,
  IoTClient,
  paginateListAttachedPolicies,
  paginateListPrincipalThings,
  paginateListThingPrincipals,
  paginateListThings,
  UpdateCertificateCommand,
} from '@aws-sdk/client-iot';
import type { AccountEntry } from '../../fleet/accounts.ts';
import { bundleFiles, checkOutDir, writeBundle } from './bundle.ts';
import { AdminError, awsError } from './errors.ts';
import { type DeviceAccess, readDeviceAccess } from './stack-outputs.ts';
import type { PublicKey } from './update-key.ts';

export interface AdminClients {
  readonly iot: IoTClient;
  readonly cloudformation: CloudFormationClient;
}

/**
 * `region` undefined: the SDK's default chain (AWS_REGION, the profile), like `cdk deploy`. Every
 * request gives up after 10 s to connect and 60 s in all, so an endpoint that never answers ends the
 * command with a message instead of holding it.
 */
export function adminClients(region: string | undefined): AdminClients {
  const config = {
    ...(region === undefined ? {} : { region }),
    requestHandler: { connectionTimeout: 10_000, requestTimeout: 60_000, throwOnRequestTimeout: true },
  };
  return { iot: new IoTClient(config), cloudformation: new CloudFormationClient(config) };
}

export type Say = (line: string) => void;
export type Sleep = (ms: number) => Promise<void>;

const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function call<T>(doing: string, send: () => Promise<T>): Promise<T> {
  try {
    return await send();
  } catch (error) {
    throw awsError(error, doing);
  }
}

export async function describeDeviceAccess(
  cloudformation: CloudFormationClient,
  stackName: string,
): Promise<DeviceAccess> {
  let output: DescribeStacksCommandOutput;
  try {
    output = await cloudformation.send(new DescribeStacksCommand({ StackName: stackName }));
  } catch (error) {
    if (error instanceof Error && error.name === 'ValidationError' && /does not exist/.test(error.message)) {
      const region = await cloudformation.config.region().catch(() => 'the configured region');
      throw new AdminError(
        `stack ${stackName} is not deployed in ${region}; deploy it with \`npx cdk deploy ${stackName}\` ` +
          '(docs/deploy.md), or pass --stack NAME / --region R where it is deployed',
        1,
        { cause: error },
      );
    }
    throw awsError(error, `reading stack ${stackName}`);
  }
  const stack = output.Stacks?.[0];
  return readDeviceAccess(stackName, stack?.StackStatus, stack?.Outputs ?? [], stack?.StackId);
}

/** The thing attribute that marks a thing as an ec2-led device; its value is the home stack's name. */
export const STACK_ATTRIBUTE = 'ec2led-stack';

interface Thing {
  /** The home stack that made it; undefined: not made by `ec2led device create`. */
  readonly stack: string | undefined;
}

/** Undefined when there is no such thing. */
async function describeThing(iot: IoTClient, thingName: string): Promise<Thing | undefined> {
  let output: DescribeThingCommandOutput;
  try {
    output = await iot.send(new DescribeThingCommand({ thingName }));
  } catch (error) {
    if (error instanceof Error && error.name === 'ResourceNotFoundException') return undefined;
    throw awsError(error, `describing thing ${thingName}`);
  }
  return { stack: output.attributes?.[STACK_ATTRIBUTE] };
}

async function thingPrincipals(iot: IoTClient, thingName: string): Promise<string[]> {
  const principals: string[] = [];
  await call(`listing the principals of thing ${thingName}`, async () => {
    for await (const page of paginateListThingPrincipals({ client: iot }, { thingName })) {
      principals.push(...(page.principals ?? []));
    }
  });
  return principals;
}

async function attachedPolicies(iot: IoTClient, target: string): Promise<string[]> {
  const names: string[] = [];
  await call(`listing the policies of ${target}`, async () => {
    for await (const page of paginateListAttachedPolicies({ client: iot }, { target })) {
      for (const policy of page.policies ?? []) if (policy.policyName) names.push(policy.policyName);
    }
  });
  return names;
}

async function principalThings(iot: IoTClient, principal: string): Promise<string[]> {
  const names: string[] = [];
  await call(`listing the things of ${principal}`, async () => {
    for await (const page of paginateListPrincipalThings({ client: iot }, { principal })) {
      names.push(...(page.things ?? []));
    }
  });
  return names;
}

/** The certificate id is the last part of its ARN: arn:aws:iot:REGION:ACCOUNT:cert/ID. */
export function certificateId(principal: string): string | undefined {
  const match = /^arn:aws[a-z-]*:iot:[a-z0-9-]+:\d{12}:cert\/([0-9a-f]{64})$/.exec(principal);
  return match?.[1];
}

/** Retries `send` while AWS still sees an attachment that was just removed (it propagates in seconds). */
async function afterDetach(
  doing: string,
  send: () => Promise<unknown>,
  sleep: Sleep,
  attempts = 8,
): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      await send();
      return;
    } catch (error) {
      const name = error instanceof Error ? error.name : '';
      const stillAttached =
        name === 'DeleteConflictException' ||
        (name === 'InvalidRequestException' && /attached/i.test((error as Error).message));
      if (!stillAttached || attempt >= attempts) throw awsError(error, doing);
      await sleep(Math.min(1000 * attempt, 5000));
    }
  }
}

interface IssuedCertificate {
  readonly certificateArn: string;
  readonly certificateId: string;
  readonly certificatePem: string;
  readonly privateKey: string | undefined;
}

/** From the Pi's CSR when given (the key never leaves the Pi), else a key pair made by IoT Core. */
async function issueCertificate(iot: IoTClient, csr: string | undefined): Promise<IssuedCertificate> {
  const doing = 'creating the device certificate';
  let output: { certificateArn?: string; certificateId?: string; certificatePem?: string };
  let privateKey: string | undefined;
  if (csr === undefined) {
    const made = await call(doing, () =>
      iot.send(new CreateKeysAndCertificateCommand({ setAsActive: true })),
    );
    output = made;
    privateKey = made.keyPair?.PrivateKey;
  } else {
    output = await call(doing, () =>
      iot.send(new CreateCertificateFromCsrCommand({ certificateSigningRequest: csr, setAsActive: true })),
    );
  }
  const { certificateArn, certificateId, certificatePem } = output;
  if (certificateArn === undefined || certificateId === undefined || certificatePem === undefined) {
    throw new AdminError(`${doing}: IoT Core returned no ARN, id or PEM; run the command again`, 1);
  }
  if (csr === undefined && privateKey === undefined) {
    throw new AdminError(`${doing}: IoT Core returned no private key; run the command again`, 1);
  }
  return { certificateArn, certificateId, certificatePem, privateKey };
}

export interface CreateRequest {
  readonly thingName: string;
  readonly board: string;
  readonly outDir: string;
  readonly stackName: string;
  /** PEM text of a CSR made on the Pi; undefined: AWS makes the key pair. */
  readonly csr: string | undefined;
  /** Member accounts (`--accounts`), written after the home account into aws.accounts. */
  readonly accounts?: readonly AccountEntry[];
  /** The public half of the update signing key, written as `update-keys/<keyId>.pem`. */
  readonly updateKey?: PublicKey;
}

export type CreateResult =
  | { readonly status: 'created'; readonly certificateId: string; readonly certificateArn: string }
  | { readonly status: 'enrolled'; readonly certificateArn: string };

export async function createDevice(
  clients: AdminClients,
  request: CreateRequest,
  say: Say,
  sleep: Sleep = realSleep,
): Promise<CreateResult> {
  const { iot } = clients;
  const { thingName, stackName } = request;
  const access = await describeDeviceAccess(clients.cloudformation, stackName);

  const thing = await describeThing(iot, thingName);
  if (thing !== undefined) {
    const principals = await thingPrincipals(iot, thingName);
    for (const principal of principals) {
      if ((await attachedPolicies(iot, principal)).includes(access.policyName)) {
        say(
          `thing ${thingName} is already enrolled with ${principal} (policy ${access.policyName}); nothing to do. ` +
            `Its bundle was written when it was created; for a new one: ec2led device delete ${thingName}, then create`,
        );
        return { status: 'enrolled', certificateArn: principal };
      }
    }
    if (principals.length > 0) {
      throw new AdminError(
        `thing ${thingName} is taken: it holds ${principals.join(', ')} without policy ${access.policyName}; ` +
          `choose another NAME, or if it is yours run ec2led device delete ${thingName}` +
          `${thing.stack === undefined ? ' --force' : ''} first`,
        1,
      );
    }
    if (thing.stack !== stackName) {
      throw new AdminError(
        thing.stack === undefined
          ? `thing ${thingName} exists but was not made by ec2led (it has no attribute ${STACK_ATTRIBUTE}); ` +
              'choose another NAME, or delete that thing in the IoT console if it is a leftover of yours'
          : `thing ${thingName} belongs to stack ${thing.stack}, not ${stackName}; pass --stack ${thing.stack}, ` +
              'or choose another NAME',
        1,
      );
    }
  }
  await checkOutDir(request.outDir);

  const made: Made = {
    thingName,
    thingCreated: false,
    certificate: undefined,
    policyName: undefined,
    thingAttached: false,
  };
  try {
    if (thing === undefined) {
      await call(`creating thing ${thingName}`, () =>
        iot.send(
          new CreateThingCommand({
            thingName,
            attributePayload: { attributes: { [STACK_ATTRIBUTE]: stackName } },
          }),
        ),
      );
      made.thingCreated = true;
      say(`created thing ${thingName} (attribute ${STACK_ATTRIBUTE}=${stackName})`);
    }

    const issued = await issueCertificate(iot, request.csr);
    made.certificate = { arn: issued.certificateArn, id: issued.certificateId };
    say(`created certificate ${issued.certificateId}${request.csr === undefined ? '' : ' from the CSR'}`);

    await call(`attaching policy ${access.policyName}`, () =>
      iot.send(new AttachPolicyCommand({ policyName: access.policyName, target: issued.certificateArn })),
    );
    made.policyName = access.policyName;
    await call(`attaching the certificate to thing ${thingName}`, () =>
      iot.send(
        new AttachThingPrincipalCommand({
          thingName,
          principal: issued.certificateArn,
          // This certificate can never be attached to a second thing.
          thingPrincipalType: 'EXCLUSIVE_THING',
        }),
      ),
    );
    made.thingAttached = true;
    await writeBundle(
      request.outDir,
      bundleFiles({
        thingName,
        board: request.board,
        access,
        certificatePem: issued.certificatePem,
        privateKey: issued.privateKey,
        ...(request.accounts === undefined ? {} : { accounts: request.accounts }),
        ...(request.updateKey === undefined ? {} : { updateKey: request.updateKey }),
      }),
    ).catch((error: unknown) => {
      throw new AdminError(`writing the bundle to ${request.outDir}: ${(error as Error).message}`, 1, {
        cause: error,
      });
    });
    say(`attached policy ${access.policyName} and thing ${thingName}; wrote ${request.outDir}`);
    return { status: 'created', certificateId: issued.certificateId, certificateArn: issued.certificateArn };
  } catch (error) {
    const cleanup = await rollBack(iot, made, sleep);
    const message = error instanceof Error ? error.message : String(error);
    throw new AdminError(`${message}; ${cleanup}`, error instanceof AdminError ? error.exitCode : 1, {
      cause: error,
    });
  }
}

/** What a create run has made so far, for its rollback. */
interface Made {
  readonly thingName: string;
  thingCreated: boolean;
  certificate: { readonly arn: string; readonly id: string } | undefined;
  policyName: string | undefined;
  thingAttached: boolean;
}

/** Removes what this create run made, in reverse; returns what happened, for the error message. */
async function rollBack(iot: IoTClient, made: Made, sleep: Sleep): Promise<string> {
  const { thingName, certificate } = made;
  const removed: string[] = [];
  try {
    if (certificate !== undefined) {
      if (made.thingAttached) {
        await iot.send(new DetachThingPrincipalCommand({ thingName, principal: certificate.arn }));
      }
      if (made.policyName !== undefined) {
        await iot.send(new DetachPolicyCommand({ policyName: made.policyName, target: certificate.arn }));
      }
      await iot.send(new UpdateCertificateCommand({ certificateId: certificate.id, newStatus: 'INACTIVE' }));
      await afterDetach(
        `deleting certificate ${certificate.id}`,
        () => iot.send(new DeleteCertificateCommand({ certificateId: certificate.id })),
        sleep,
      );
      removed.push(`certificate ${certificate.id}`);
    }
    if (made.thingCreated) {
      await afterDetach(
        `deleting thing ${thingName}`,
        () => iot.send(new DeleteThingCommand({ thingName })),
        sleep,
      );
      removed.push(`thing ${thingName}`);
    }
  } catch (cleanupError) {
    const left = [
      ...(certificate !== undefined && !removed.includes(`certificate ${certificate.id}`)
        ? [`certificate ${certificate.id}`]
        : []),
      ...(made.thingCreated ? [`thing ${thingName}`] : []),
    ];
    return (
      `${left.join(' and ')} could not be removed (${(cleanupError as Error).message}); ` +
      `run ec2led device delete ${thingName}, or delete ${left.length > 1 ? 'them' : 'it'} in the IoT console`
    );
  }
  if (removed.length === 0) return 'nothing had been made yet; fix the cause and rerun';
  return `${removed.join(' and ')} ${removed.length > 1 ? 'were' : 'was'} removed again; fix the cause and rerun`;
}

export interface DeleteResult {
  readonly status: 'deleted' | 'absent';
  readonly deletedCertificates: readonly string[];
  readonly keptCertificates: readonly string[];
}

export interface DeleteOptions {
  /** Delete a thing that lacks the ec2-led mark (made before things were marked, or by hand). */
  readonly force: boolean;
}

export async function deleteDevice(
  clients: AdminClients,
  thingName: string,
  say: Say,
  sleep: Sleep = realSleep,
  options: DeleteOptions = { force: false },
): Promise<DeleteResult> {
  const { iot } = clients;
  const thing = await describeThing(iot, thingName);
  if (thing === undefined) {
    say(`thing ${thingName} does not exist; nothing to delete`);
    return { status: 'absent', deletedCertificates: [], keptCertificates: [] };
  }
  if (thing.stack === undefined) {
    if (!options.force) {
      throw new AdminError(
        `thing ${thingName} is not an ec2-led device: it has no attribute ${STACK_ATTRIBUTE}, which ` +
          'ec2led device create sets; nothing was deleted. Check the name (ec2led device list shows ours); ' +
          `if it is an ec2-led device made before devices were marked, rerun with --force`,
        1,
      );
    }
    say(`thing ${thingName} has no attribute ${STACK_ATTRIBUTE}; deleting it anyway (--force)`);
  }
  const deleted: string[] = [];
  const kept: string[] = [];
  for (const principal of await thingPrincipals(iot, thingName)) {
    await call(`detaching ${principal} from thing ${thingName}`, () =>
      iot.send(new DetachThingPrincipalCommand({ thingName, principal })),
    );
    const id = certificateId(principal);
    const others =
      id === undefined ? [] : (await principalThings(iot, principal)).filter((name) => name !== thingName);
    if (id === undefined || others.length > 0) {
      say(
        `detached ${principal} from ${thingName}; kept it` +
          (others.length > 0 ? `: it is also attached to ${others.join(', ')}` : ': not a certificate'),
      );
      kept.push(principal);
      continue;
    }
    for (const policyName of await attachedPolicies(iot, principal)) {
      await call(`detaching policy ${policyName} from certificate ${id}`, () =>
        iot.send(new DetachPolicyCommand({ policyName, target: principal })),
      );
    }
    await call(`deactivating certificate ${id}`, () =>
      iot.send(new UpdateCertificateCommand({ certificateId: id, newStatus: 'INACTIVE' })),
    );
    await afterDetach(
      `deleting certificate ${id}`,
      () => iot.send(new DeleteCertificateCommand({ certificateId: id })),
      sleep,
    );
    say(`deleted certificate ${id}`);
    deleted.push(id);
  }
  await afterDetach(
    `deleting thing ${thingName}`,
    () => iot.send(new DeleteThingCommand({ thingName })),
    sleep,
  );
  say(`deleted thing ${thingName}`);
  return { status: 'deleted', deletedCertificates: deleted, keptCertificates: kept };
}

export interface ListedCertificate {
  readonly id: string;
  /** ACTIVE, INACTIVE, REVOKED, PENDING_TRANSFER, ... as IoT Core reports it. */
  readonly status: string;
}

export interface ListedDevice {
  readonly thing: string;
  readonly stack: string;
  readonly certificates: readonly ListedCertificate[];
}

/**
 * The things marked as devices of `stackName`, with their certificates' status. No last-connection
 * time: IoT Core only exposes it through fleet indexing with connectivity enabled, which is billed
 * per update and per query (docs/deploy.md).
 */
export async function listDevices(clients: AdminClients, stackName: string): Promise<ListedDevice[]> {
  const { iot } = clients;
  const names: string[] = [];
  await call(`listing the things of stack ${stackName}`, async () => {
    for await (const page of paginateListThings(
      { client: iot },
      { attributeName: STACK_ATTRIBUTE, attributeValue: stackName },
    )) {
      for (const thing of page.things ?? []) if (thing.thingName) names.push(thing.thingName);
    }
  });
  const devices: ListedDevice[] = [];
  for (const thing of names.sort()) {
    const certificates: ListedCertificate[] = [];
    for (const principal of await thingPrincipals(iot, thing)) {
      const id = certificateId(principal);
      if (id === undefined) continue;
      const description = await call(`describing certificate ${id}`, () =>
        iot.send(new DescribeCertificateCommand({ certificateId: id })),
      );
      certificates.push({ id, status: description.certificateDescription?.status ?? 'unknown' });
    }
    devices.push({ thing, stack: stackName, certificates });
  }
  return devices;
}
