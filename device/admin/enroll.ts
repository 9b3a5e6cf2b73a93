/**
 * The AWS side of `ec2led device create|delete`: CloudFormation for the home stack's outputs, IoT Core
 * for things and certificates. The only module that imports the admin SDK clients; loaded lazily by
 * cli.ts, never by the agent.
 *
 * Safe to rerun. create: a thing that already holds a certificate with our policy is reported, not
 * duplicated; a failure after the certificate exists removes it again. delete: a missing thing is
 * fine; detachments propagate asynchronously, so the deletes that depend on them are retried.
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
  DescribeThingCommand,
  DetachPolicyCommand,
  DetachThingPrincipalCommand,
  IoTClient,
  paginateListAttachedPolicies,
  paginateListPrincipalThings,
  paginateListThingPrincipals,
  UpdateCertificateCommand,
} from '@aws-sdk/client-iot';
import { bundleFiles, checkOutDir, writeBundle } from './bundle.ts';
import { AdminError, awsError } from './errors.ts';
import { type DeviceAccess, readDeviceAccess } from './stack-outputs.ts';

export interface AdminClients {
  readonly iot: IoTClient;
  readonly cloudformation: CloudFormationClient;
}

/** `region` undefined: the SDK's default chain (AWS_REGION, the profile), like `cdk deploy`. */
export function adminClients(region: string | undefined): AdminClients {
  const config = region === undefined ? {} : { region };
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

async function thingExists(iot: IoTClient, thingName: string): Promise<boolean> {
  try {
    await iot.send(new DescribeThingCommand({ thingName }));
    return true;
  } catch (error) {
    if (error instanceof Error && error.name === 'ResourceNotFoundException') return false;
    throw awsError(error, `describing thing ${thingName}`);
  }
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
  const { thingName } = request;
  const access = await describeDeviceAccess(clients.cloudformation, request.stackName);

  const exists = await thingExists(iot, thingName);
  if (exists) {
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
          `choose another NAME, or if it is yours run ec2led device delete ${thingName} first`,
        1,
      );
    }
  }
  await checkOutDir(request.outDir);

  if (!exists) {
    await call(`creating thing ${thingName}`, () => iot.send(new CreateThingCommand({ thingName })));
    say(`created thing ${thingName}`);
  }

  const {
    certificateArn,
    certificateId: id,
    certificatePem,
    privateKey,
  } = await issueCertificate(iot, request.csr);
  say(`created certificate ${id}${request.csr === undefined ? '' : ' from the CSR'}`);

  let policyAttached = false;
  let thingAttached = false;
  try {
    await call(`attaching policy ${access.policyName}`, () =>
      iot.send(new AttachPolicyCommand({ policyName: access.policyName, target: certificateArn })),
    );
    policyAttached = true;
    await call(`attaching the certificate to thing ${thingName}`, () =>
      iot.send(new AttachThingPrincipalCommand({ thingName, principal: certificateArn })),
    );
    thingAttached = true;
    await writeBundle(
      request.outDir,
      bundleFiles({ thingName, board: request.board, access, certificatePem, privateKey }),
    ).catch((error: unknown) => {
      throw new AdminError(`writing the bundle to ${request.outDir}: ${(error as Error).message}`, 1, {
        cause: error,
      });
    });
  } catch (error) {
    const cleanup = await removeCertificate(clients, thingName, certificateArn, id, sleep, {
      policyName: policyAttached ? access.policyName : undefined,
      thingAttached,
    });
    const message = error instanceof Error ? error.message : String(error);
    throw new AdminError(`${message}; ${cleanup}`, error instanceof AdminError ? error.exitCode : 1, {
      cause: error,
    });
  }
  say(`attached policy ${access.policyName} and thing ${thingName}; wrote ${request.outDir}`);
  return { status: 'created', certificateId: id, certificateArn };
}

/** Rollback of a half-made enrolment; returns what happened, for the error message. */
async function removeCertificate(
  clients: AdminClients,
  thingName: string,
  certificateArn: string,
  id: string,
  sleep: Sleep,
  attached: { policyName: string | undefined; thingAttached: boolean },
): Promise<string> {
  const { iot } = clients;
  try {
    if (attached.thingAttached) {
      await iot.send(new DetachThingPrincipalCommand({ thingName, principal: certificateArn }));
    }
    if (attached.policyName !== undefined) {
      await iot.send(new DetachPolicyCommand({ policyName: attached.policyName, target: certificateArn }));
    }
    await iot.send(new UpdateCertificateCommand({ certificateId: id, newStatus: 'INACTIVE' }));
    await afterDetach(
      `deleting certificate ${id}`,
      () => iot.send(new DeleteCertificateCommand({ certificateId: id })),
      sleep,
    );
    return `certificate ${id} was removed again; fix the cause and rerun`;
  } catch (cleanupError) {
    return (
      `certificate ${id} could not be removed (${(cleanupError as Error).message}); ` +
      `run ec2led device delete ${thingName}, or delete it in the IoT console`
    );
  }
}

export interface DeleteResult {
  readonly status: 'deleted' | 'absent';
  readonly deletedCertificates: readonly string[];
  readonly keptCertificates: readonly string[];
}

export async function deleteDevice(
  clients: AdminClients,
  thingName: string,
  say: Say,
  sleep: Sleep = realSleep,
): Promise<DeleteResult> {
  const { iot } = clients;
  if (!(await thingExists(iot, thingName))) {
    say(`thing ${thingName} does not exist; nothing to delete`);
    return { status: 'absent', deletedCertificates: [], keptCertificates: [] };
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
