import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import {
  AttachPolicyCommand,
  AttachThingPrincipalCommand,
  CreateCertificateFromCsrCommand,
  CreateKeysAndCertificateCommand,
  CreateThingCommand,
  DeleteCertificateCommand,
  DeleteConflictException,
  DeleteThingCommand,
  DescribeCertificateCommand,
  DescribeThingCommand,
  DetachPolicyCommand,
  DetachThingPrincipalCommand,
  InvalidRequestException,
  IoTClient,
  ListAttachedPoliciesCommand,
  ListPrincipalThingsCommand,
  ListThingPrincipalsCommand,
  ListThingsCommand,
  ResourceNotFoundException,
  UpdateCertificateCommand,
} from '@aws-sdk/client-iot';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deviceMain } from '../../../../device/commands/admin/cli.ts';
import { createUpdateKey } from '../../../../device/commands/admin/update-key.ts';

const iot = mockClient(IoTClient);
const cloudformation = mockClient(CloudFormationClient);
const scratch = mkdtempSync(join(tmpdir(), 'ec2led-enroll-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const ID = 'a1'.repeat(32);
const CERT_ARN = `arn:aws:iot:eu-west-1:123456789012:cert/${ID}`;
const OTHER_ID = 'b2'.repeat(32);
const OTHER_ARN = `arn:aws:iot:eu-west-1:123456789012:cert/${OTHER_ID}`;
const POLICY = 'Ec2Led-DeviceAccessPolicy-1A2B3C';
const ALIAS = 'Ec2Led-DeviceAccessRoleAlias-4D5E6F';
const OUTPUTS = [
  { OutputKey: 'IotDataEndpoint', OutputValue: 'abc123-ats.iot.eu-west-1.amazonaws.com' },
  { OutputKey: 'IotCredentialsEndpoint', OutputValue: 'def456.credentials.iot.eu-west-1.amazonaws.com' },
  { OutputKey: 'DevicePolicyName', OutputValue: POLICY },
  { OutputKey: 'DeviceRoleAlias', OutputValue: ALIAS },
  { OutputKey: 'TopicPrefix', OutputValue: 'ec2led' },
  { OutputKey: 'Regions', OutputValue: 'eu-west-1,us-east-1' },
];
const STACK_ID =
  'arn:aws:cloudformation:eu-west-1:123456789012:stack/Ec2Led/5f0e6c10-ad33-11f0-8b1a-0a1b2c3d4e5f';
const MARKED = { thingName: 'desk-pi', attributes: { 'ec2led-stack': 'Ec2Led' } };
const notFound = () =>
  new ResourceNotFoundException({ message: 'Thing desk-pi cannot be found.', $metadata: {} });

let n = 0;
let out: string;
beforeEach(() => {
  n += 1;
  out = join(scratch, `bundle-${n}`);
  iot.reset();
  cloudformation.reset();
  cloudformation.on(DescribeStacksCommand, { StackName: 'Ec2Led' }).resolves({
    Stacks: [
      {
        StackName: 'Ec2Led',
        StackId: STACK_ID,
        StackStatus: 'CREATE_COMPLETE',
        CreationTime: new Date(0),
        Outputs: OUTPUTS,
      },
    ],
  });
});
afterEach(() => {
  iot.reset();
  cloudformation.reset();
});

/** Every IoT call in order, as [command, input]. */
function iotCalls(): Array<[string, unknown]> {
  return iot.calls().map((call) => {
    const command = call.args[0] as { constructor: { name: string }; input: unknown };
    return [command.constructor.name.replace(/Command$/, ''), command.input];
  });
}

async function run(argv: string[]) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const sleeps: number[] = [];
  const code = await deviceMain(
    argv,
    { stdout: (text) => stdout.push(text), stderr: (text) => stderr.push(text) },
    // No update key where the default one would be, whatever this machine's ~/.config holds.
    { sleep: async (ms) => void sleeps.push(ms), env: { XDG_CONFIG_HOME: join(scratch, 'no-config') } },
  );
  return { code, stdout: stdout.join(''), stderr: stderr.join(''), sleeps };
}

function freshThing() {
  iot.on(DescribeThingCommand).rejects(notFound());
  iot.on(CreateThingCommand).resolves({ thingName: 'desk-pi' });
  iot.on(AttachPolicyCommand).resolves({});
  iot.on(AttachThingPrincipalCommand).resolves({});
}

describe('ec2led device create', () => {
  it('puts the public half of --update-key in the bundle as update-keys/<keyId>.pem, and says so', async () => {
    freshThing();
    iot.on(CreateKeysAndCertificateCommand).resolves({
      certificateArn: CERT_ARN,
      certificateId: ID,
      certificatePem: 'CERT PEM',
      keyPair: { PublicKey: 'PUBLIC', PrivateKey: 'PRIVATE KEY PEM' },
    });
    const key = await createUpdateKey(join(scratch, `keys-${n}`, 'update-key.pem'));

    const result = await run(['create', 'desk-pi', '--out', out, '--update-key', key.privateKeyFile]);

    expect(result.code, result.stderr).toBe(0);
    expect(readdirSync(join(out, 'update-keys'))).toEqual([`${key.keyId}.pem`]);
    expect(readFileSync(join(out, 'update-keys', `${key.keyId}.pem`), 'utf8')).toBe(
      readFileSync(key.publicKeyFile, 'utf8'),
    );
    expect(result.stderr).toContain(`the bundle trusts update key ${key.keyId}`);
  });

  it('without an update key, writes none and says how to make one', async () => {
    freshThing();
    iot.on(CreateKeysAndCertificateCommand).resolves({
      certificateArn: CERT_ARN,
      certificateId: ID,
      certificatePem: 'CERT PEM',
      keyPair: { PublicKey: 'PUBLIC', PrivateKey: 'PRIVATE KEY PEM' },
    });
    const result = await run(['create', 'desk-pi', '--out', out]);
    expect(result.code, result.stderr).toBe(0);
    expect(readdirSync(out)).not.toContain('update-keys');
    expect(result.stderr).toMatch(/no update key in the bundle: .*ec2led device update-key create/);
  });

  it('creates the thing, a key pair and certificate, attaches policy and thing, and writes the bundle', async () => {
    freshThing();
    iot.on(CreateKeysAndCertificateCommand).resolves({
      certificateArn: CERT_ARN,
      certificateId: ID,
      certificatePem: 'CERT PEM',
      keyPair: { PublicKey: 'PUBLIC', PrivateKey: 'PRIVATE KEY PEM' },
    });

    const result = await run([
      'create',
      'desk-pi',
      '--out',
      out,
      '--region',
      'eu-west-1',
      '--board',
      'unicornhatmini',
    ]);

    expect(result.code, result.stderr).toBe(0);
    expect(cloudformation.commandCalls(DescribeStacksCommand).map((call) => call.args[0].input)).toEqual([
      { StackName: 'Ec2Led' },
    ]);
    expect(iotCalls()).toEqual([
      ['DescribeThing', { thingName: 'desk-pi' }],
      [
        'CreateThing',
        { thingName: 'desk-pi', attributePayload: { attributes: { 'ec2led-stack': 'Ec2Led' } } },
      ],
      ['CreateKeysAndCertificate', { setAsActive: true }],
      ['AttachPolicy', { policyName: POLICY, target: CERT_ARN }],
      [
        'AttachThingPrincipal',
        { thingName: 'desk-pi', principal: CERT_ARN, thingPrincipalType: 'EXCLUSIVE_THING' },
      ],
    ]);
    expect(JSON.parse(result.stdout)).toEqual({
      thing: 'desk-pi',
      status: 'created',
      certificateId: ID,
      certificateArn: CERT_ARN,
      bundle: out,
    });
    expect(readdirSync(out).sort()).toEqual([
      'AmazonRootCA1.pem',
      'certificate.pem.crt',
      'config.json',
      'private.pem.key',
    ]);
    expect(statSync(out).mode & 0o777).toBe(0o700);
    expect(statSync(join(out, 'private.pem.key')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(out, 'private.pem.key'), 'utf8')).toBe('PRIVATE KEY PEM');
    expect(readFileSync(join(out, 'certificate.pem.crt'), 'utf8')).toBe('CERT PEM');
    expect(JSON.parse(readFileSync(join(out, 'config.json'), 'utf8'))).toEqual({
      mqtt: {
        endpoint: 'abc123-ats.iot.eu-west-1.amazonaws.com',
        port: 8883,
        clientId: 'desk-pi',
        cert: 'certificate.pem.crt',
        key: 'private.pem.key',
        ca: 'AmazonRootCA1.pem',
      },
      aws: {
        credentialsEndpoint: 'def456.credentials.iot.eu-west-1.amazonaws.com',
        roleAlias: ALIAS,
        accounts: ['123456789012'],
        regions: ['eu-west-1', 'us-east-1'],
      },
      topicPrefix: 'ec2led',
      display: { board: 'unicornhatmini' },
      buttons: {},
    });
    expect(result.stderr).toMatch(
      /created thing desk-pi \(attribute ec2led-stack=Ec2Led\)\ncreated certificate a1a1/,
    );
    expect(result.stderr).not.toContain('PRIVATE KEY PEM');
  });

  it('signs a CSR made on the Pi and writes no private key', async () => {
    freshThing();
    iot.on(CreateCertificateFromCsrCommand).resolves({
      certificateArn: CERT_ARN,
      certificateId: ID,
      certificatePem: 'CERT PEM',
    });
    const csrFile = join(scratch, `pi-${n}.csr`);
    const csr = '-----BEGIN CERTIFICATE REQUEST-----\nMIIB\n-----END CERTIFICATE REQUEST-----\n';
    writeFileSync(csrFile, csr);

    const result = await run(['create', 'desk-pi', '--csr', csrFile, '--out', out, '--stack', 'Ec2Led']);

    expect(result.code, result.stderr).toBe(0);
    expect(iotCalls()).toContainEqual([
      'CreateCertificateFromCsr',
      { certificateSigningRequest: csr, setAsActive: true },
    ]);
    expect(iot.commandCalls(CreateKeysAndCertificateCommand)).toEqual([]);
    expect(readdirSync(out).sort()).toEqual(['AmazonRootCA1.pem', 'certificate.pem.crt', 'config.json']);
    expect(result.stderr).toMatch(/put the Pi's private key next to it as private.pem.key/);
  });

  it('reports a thing already enrolled with our policy and creates nothing (safe to rerun)', async () => {
    iot.on(DescribeThingCommand).resolves({ thingName: 'desk-pi' });
    iot.on(ListThingPrincipalsCommand).resolves({ principals: [CERT_ARN] });
    iot.on(ListAttachedPoliciesCommand).resolves({ policies: [{ policyName: POLICY }] });
    writeFileSync(join(scratch, `existing-${n}`), 'x');

    const result = await run(['create', 'desk-pi', '--out', scratch]);

    expect(result.code).toBe(0);
    expect(iotCalls()).toEqual([
      ['DescribeThing', { thingName: 'desk-pi' }],
      ['ListThingPrincipals', { thingName: 'desk-pi' }],
      ['ListAttachedPolicies', { target: CERT_ARN }],
    ]);
    expect(JSON.parse(result.stdout)).toEqual({
      thing: 'desk-pi',
      status: 'enrolled',
      certificateArn: CERT_ARN,
    });
    expect(result.stderr).toMatch(
      /already enrolled.*nothing to do.*ec2led device delete desk-pi, then create/,
    );
  });

  it('refuses a thing name taken by another certificate, naming the fix', async () => {
    iot.on(DescribeThingCommand).resolves({ thingName: 'desk-pi' });
    iot.on(ListThingPrincipalsCommand).resolves({ principals: [OTHER_ARN] });
    iot.on(ListAttachedPoliciesCommand).resolves({ policies: [{ policyName: 'someone-elses' }] });

    const result = await run(['create', 'desk-pi', '--out', out]);

    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      new RegExp(
        `thing desk-pi is taken: it holds ${OTHER_ARN} without policy ${POLICY}; choose another NAME, ` +
          'or if it is yours run ec2led device delete desk-pi --force first',
      ),
    );
    expect(iot.commandCalls(CreateKeysAndCertificateCommand)).toEqual([]);
  });

  it('marks the thing with the stack it was created for', async () => {
    freshThing();
    iot.on(CreateKeysAndCertificateCommand).resolves({
      certificateArn: CERT_ARN,
      certificateId: ID,
      certificatePem: 'CERT PEM',
      keyPair: { PrivateKey: 'KEY' },
    });
    cloudformation.on(DescribeStacksCommand, { StackName: 'Lab' }).resolves({
      Stacks: [
        {
          StackName: 'Lab',
          StackId: STACK_ID.replace('stack/Ec2Led/', 'stack/Lab/'),
          StackStatus: 'CREATE_COMPLETE',
          CreationTime: new Date(0),
          Outputs: OUTPUTS,
        },
      ],
    });
    const result = await run(['create', 'desk-pi', '--out', out, '--stack', 'Lab']);
    expect(result.code, result.stderr).toBe(0);
    expect(iot.commandCalls(CreateThingCommand).map((call) => call.args[0].input)).toEqual([
      { thingName: 'desk-pi', attributePayload: { attributes: { 'ec2led-stack': 'Lab' } } },
    ]);
  });

  it('refuses an existing thing without certificates that ec2led did not make, creating nothing', async () => {
    iot.on(DescribeThingCommand).resolves({ thingName: 'desk-pi', attributes: { owner: 'other-project' } });
    iot.on(ListThingPrincipalsCommand).resolves({ principals: [] });

    const result = await run(['create', 'desk-pi', '--out', out]);

    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /thing desk-pi exists but was not made by ec2led \(it has no attribute ec2led-stack\); choose another NAME/,
    );
    expect(iotCalls().map(([name]) => name)).toEqual(['DescribeThing', 'ListThingPrincipals']);
  });

  it('refuses a thing marked for another stack, naming it and --stack', async () => {
    iot.on(DescribeThingCommand).resolves({ thingName: 'desk-pi', attributes: { 'ec2led-stack': 'Lab' } });
    iot.on(ListThingPrincipalsCommand).resolves({ principals: [] });

    const result = await run(['create', 'desk-pi', '--out', out]);

    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/thing desk-pi belongs to stack Lab, not Ec2Led; pass --stack Lab/);
    expect(iot.commandCalls(CreateKeysAndCertificateCommand)).toEqual([]);
  });

  it('enrols an existing thing that has no certificate yet without creating it again', async () => {
    iot.on(DescribeThingCommand).resolves(MARKED);
    iot.on(ListThingPrincipalsCommand).resolves({ principals: [] });
    iot.on(CreateKeysAndCertificateCommand).resolves({
      certificateArn: CERT_ARN,
      certificateId: ID,
      certificatePem: 'CERT PEM',
      keyPair: { PrivateKey: 'KEY' },
    });
    iot.on(AttachPolicyCommand).resolves({});
    iot.on(AttachThingPrincipalCommand).resolves({});

    const result = await run(['create', 'desk-pi', '--out', out]);

    expect(result.code, result.stderr).toBe(0);
    expect(iot.commandCalls(CreateThingCommand)).toEqual([]);
    expect(iot.commandCalls(AttachThingPrincipalCommand)).toHaveLength(1);
  });

  it('refuses an --out folder that holds files before creating anything', async () => {
    freshThing();
    writeFileSync(join(scratch, `occupied-${n}`), 'x');

    const result = await run(['create', 'desk-pi', '--out', scratch]);

    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/already holds files/);
    expect(iot.commandCalls(CreateThingCommand)).toEqual([]);
  });

  it('removes the new certificate again when attaching it to the thing fails', async () => {
    freshThing();
    iot.on(CreateKeysAndCertificateCommand).resolves({
      certificateArn: CERT_ARN,
      certificateId: ID,
      certificatePem: 'CERT PEM',
      keyPair: { PrivateKey: 'KEY' },
    });
    iot
      .on(AttachThingPrincipalCommand)
      .rejects(new InvalidRequestException({ message: 'limit exceeded', $metadata: {} }));
    iot.on(DetachPolicyCommand).resolves({});
    iot.on(UpdateCertificateCommand).resolves({});
    iot.on(DeleteCertificateCommand).resolves({});

    iot.on(DeleteThingCommand).resolves({});

    const result = await run(['create', 'desk-pi', '--out', out]);

    expect(result.code).toBe(1);
    expect(iotCalls().slice(-5)).toEqual([
      [
        'AttachThingPrincipal',
        { thingName: 'desk-pi', principal: CERT_ARN, thingPrincipalType: 'EXCLUSIVE_THING' },
      ],
      ['DetachPolicy', { policyName: POLICY, target: CERT_ARN }],
      ['UpdateCertificate', { certificateId: ID, newStatus: 'INACTIVE' }],
      ['DeleteCertificate', { certificateId: ID }],
      ['DeleteThing', { thingName: 'desk-pi' }],
    ]);
    expect(result.stderr).toMatch(
      /attaching the certificate to thing desk-pi: InvalidRequestException: limit exceeded/,
    );
    expect(result.stderr).toMatch(
      /certificate a1a1\w* and thing desk-pi were removed again; fix the cause and rerun/,
    );
    expect(() => statSync(out)).toThrow();
  });

  it('deletes the thing it just created when the certificate cannot be made', async () => {
    freshThing();
    iot
      .on(CreateKeysAndCertificateCommand)
      .rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    iot.on(DeleteThingCommand).resolves({});

    const result = await run(['create', 'desk-pi', '--out', out]);

    expect(result.code).toBe(1);
    expect(iotCalls().map(([name]) => name)).toEqual([
      'DescribeThing',
      'CreateThing',
      'CreateKeysAndCertificate',
      'DeleteThing',
    ]);
    expect(result.stderr).toMatch(
      /creating the device certificate: ThrottlingException: Rate exceeded; thing desk-pi was removed again/,
    );
  });

  it('keeps a thing it did not create when a later step fails, removing only the certificate', async () => {
    iot.on(DescribeThingCommand).resolves(MARKED);
    iot.on(ListThingPrincipalsCommand).resolves({ principals: [] });
    iot.on(CreateKeysAndCertificateCommand).resolves({
      certificateArn: CERT_ARN,
      certificateId: ID,
      certificatePem: 'CERT PEM',
      keyPair: { PrivateKey: 'KEY' },
    });
    iot
      .on(AttachPolicyCommand)
      .rejects(Object.assign(new Error('no such policy'), { name: 'ResourceNotFoundException' }));
    iot.on(UpdateCertificateCommand).resolves({});
    iot.on(DeleteCertificateCommand).resolves({});

    const result = await run(['create', 'desk-pi', '--out', out]);

    expect(result.code).toBe(1);
    expect(iot.commandCalls(DeleteThingCommand)).toEqual([]);
    expect(iot.commandCalls(DetachPolicyCommand)).toEqual([]);
    expect(iotCalls().slice(-2)).toEqual([
      ['UpdateCertificate', { certificateId: ID, newStatus: 'INACTIVE' }],
      ['DeleteCertificate', { certificateId: ID }],
    ]);
    expect(result.stderr).toMatch(/certificate a1a1\w* was removed again/);
  });

  it('names what is left behind when the rollback itself fails', async () => {
    freshThing();
    iot.on(CreateKeysAndCertificateCommand).rejects(new Error('boom'));
    iot
      .on(DeleteThingCommand)
      .rejects(Object.assign(new Error('not allowed'), { name: 'AccessDeniedException' }));

    const result = await run(['create', 'desk-pi', '--out', out]);

    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /thing desk-pi could not be removed \(.*not allowed.*\); run ec2led device delete desk-pi, or delete it in the IoT console/,
    );
  });

  it('names the stack and `cdk deploy` when the stack is not deployed', async () => {
    cloudformation
      .on(DescribeStacksCommand)
      .rejects(Object.assign(new Error('Stack with id Ec2Led does not exist'), { name: 'ValidationError' }));

    const result = await run(['create', 'desk-pi', '--out', out, '--region', 'eu-west-1']);

    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /stack Ec2Led is not deployed in eu-west-1; deploy it with `npx cdk deploy Ec2Led`.*--stack NAME \/ --region R/,
    );
    expect(iotCalls()).toEqual([]);
  });

  it('names the missing output when the stack is from an older or unfinished deploy', async () => {
    cloudformation.on(DescribeStacksCommand).resolves({
      Stacks: [
        {
          StackName: 'Ec2Led',
          StackStatus: 'UPDATE_IN_PROGRESS',
          CreationTime: new Date(0),
          Outputs: OUTPUTS.slice(1),
        },
      ],
    });
    const result = await run(['create', 'desk-pi', '--out', out]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/stack Ec2Led \(status UPDATE_IN_PROGRESS\) has no output IotDataEndpoint/);
  });

  it('writes the account of the stack id, and refuses a stack without one', async () => {
    cloudformation.on(DescribeStacksCommand).resolves({
      Stacks: [
        { StackName: 'Ec2Led', StackStatus: 'CREATE_COMPLETE', CreationTime: new Date(0), Outputs: OUTPUTS },
      ],
    });
    const result = await run(['create', 'desk-pi', '--out', out]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/stack Ec2Led has no usable stack id \(null\) to read its account from/);
    expect(iotCalls()).toEqual([]);
  });

  it('says how to configure credentials when there are none', async () => {
    cloudformation.on(DescribeStacksCommand).rejects(
      Object.assign(new Error('Could not load credentials from any providers'), {
        name: 'CredentialsProviderError',
      }),
    );
    const result = await run(['create', 'desk-pi', '--out', out]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/no AWS credentials found.*`aws configure`.*AWS_PROFILE/);
  });
});

describe('ec2led device delete', () => {
  function enrolledThing() {
    iot.on(DescribeThingCommand).resolves(MARKED);
    iot.on(ListThingPrincipalsCommand).resolves({ principals: [CERT_ARN] });
    iot.on(DetachThingPrincipalCommand).resolves({});
    iot.on(ListPrincipalThingsCommand).resolves({ things: [] });
    iot.on(ListAttachedPoliciesCommand).resolves({ policies: [{ policyName: POLICY }] });
    iot.on(DetachPolicyCommand).resolves({});
    iot.on(UpdateCertificateCommand).resolves({});
    iot.on(DeleteCertificateCommand).resolves({});
    iot.on(DeleteThingCommand).resolves({});
  }

  it('detaches and deletes the certificate, then the thing', async () => {
    enrolledThing();

    const result = await run(['delete', 'desk-pi', '--region', 'eu-west-1']);

    expect(result.code, result.stderr).toBe(0);
    expect(iotCalls()).toEqual([
      ['DescribeThing', { thingName: 'desk-pi' }],
      ['ListThingPrincipals', { thingName: 'desk-pi' }],
      ['DetachThingPrincipal', { thingName: 'desk-pi', principal: CERT_ARN }],
      ['ListPrincipalThings', { principal: CERT_ARN }],
      ['ListAttachedPolicies', { target: CERT_ARN }],
      ['DetachPolicy', { policyName: POLICY, target: CERT_ARN }],
      ['UpdateCertificate', { certificateId: ID, newStatus: 'INACTIVE' }],
      ['DeleteCertificate', { certificateId: ID }],
      ['DeleteThing', { thingName: 'desk-pi' }],
    ]);
    expect(cloudformation.calls()).toEqual([]);
    expect(JSON.parse(result.stdout)).toEqual({
      thing: 'desk-pi',
      status: 'deleted',
      deletedCertificates: [ID],
      keptCertificates: [],
    });
  });

  it('refuses a thing without the ec2-led mark and deletes nothing, naming list and --force', async () => {
    enrolledThing();
    iot.on(DescribeThingCommand).resolves({ thingName: 'desk-pi', attributes: {} });

    const result = await run(['delete', 'desk-pi']);

    expect(result.code).toBe(1);
    expect(iotCalls()).toEqual([['DescribeThing', { thingName: 'desk-pi' }]]);
    expect(result.stderr).toMatch(
      /thing desk-pi is not an ec2-led device: it has no attribute ec2led-stack.*nothing was deleted.*ec2led device list.*--force/,
    );
    expect(result.stdout).toBe('');
  });

  it('deletes a thing without the mark when forced, saying so', async () => {
    enrolledThing();
    iot.on(DescribeThingCommand).resolves({ thingName: 'desk-pi' });

    const result = await run(['delete', 'desk-pi', '--force']);

    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/has no attribute ec2led-stack; deleting it anyway \(--force\)/);
    expect(iotCalls().at(-1)).toEqual(['DeleteThing', { thingName: 'desk-pi' }]);
  });

  it('exits 0 with a message when the thing does not exist', async () => {
    iot.on(DescribeThingCommand).rejects(notFound());
    const result = await run(['delete', 'desk-pi']);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('thing desk-pi does not exist; nothing to delete\n');
    expect(JSON.parse(result.stdout)).toMatchObject({ thing: 'desk-pi', status: 'absent' });
    expect(iotCalls()).toEqual([['DescribeThing', { thingName: 'desk-pi' }]]);
  });

  it('waits for the detachment to propagate before the certificate and the thing can go', async () => {
    enrolledThing();
    iot
      .on(DeleteCertificateCommand)
      .rejectsOnce(new DeleteConflictException({ message: 'certificate is attached', $metadata: {} }))
      .resolves({});
    iot
      .on(DeleteThingCommand)
      .rejectsOnce(
        new InvalidRequestException({
          message: 'Cannot delete. Thing desk-pi is still attached to one or more principals',
          $metadata: {},
        }),
      )
      .resolves({});

    const result = await run(['delete', 'desk-pi']);

    expect(result.code, result.stderr).toBe(0);
    expect(iot.commandCalls(DeleteCertificateCommand)).toHaveLength(2);
    expect(iot.commandCalls(DeleteThingCommand)).toHaveLength(2);
    expect(result.sleeps).toEqual([1000, 1000]);
  });

  it('keeps a certificate that other things still use, only detaching it from this one', async () => {
    enrolledThing();
    iot.on(ListPrincipalThingsCommand).resolves({ things: ['desk-pi', 'kitchen-pi'] });

    const result = await run(['delete', 'desk-pi']);

    expect(result.code).toBe(0);
    expect(iot.commandCalls(DeleteCertificateCommand)).toEqual([]);
    expect(iot.commandCalls(DeleteThingCommand)).toHaveLength(1);
    expect(result.stderr).toMatch(/kept it: it is also attached to kitchen-pi/);
    expect(JSON.parse(result.stdout)).toMatchObject({ keptCertificates: [CERT_ARN] });
  });

  it('exits 1 naming the step when AWS refuses', async () => {
    enrolledThing();
    iot
      .on(DetachPolicyCommand)
      .rejects(
        Object.assign(new Error('not authorized to iot:DetachPolicy'), { name: 'AccessDeniedException' }),
      );

    const result = await run(['delete', 'desk-pi']);

    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      new RegExp(`detaching policy ${POLICY} from certificate a1a1.*AccessDeniedException.*docs/deploy.md`),
    );
  });
});

describe('ec2led device list', () => {
  it("lists the stack's marked things with each certificate's status, one JSON line each", async () => {
    iot
      .on(ListThingsCommand, { attributeName: 'ec2led-stack', attributeValue: 'Ec2Led' })
      .resolvesOnce({ things: [{ thingName: 'kitchen-pi' }], nextToken: 'page-2' })
      .resolvesOnce({ things: [{ thingName: 'desk-pi' }] });
    iot.on(ListThingPrincipalsCommand, { thingName: 'desk-pi' }).resolves({ principals: [CERT_ARN] });
    iot.on(ListThingPrincipalsCommand, { thingName: 'kitchen-pi' }).resolves({ principals: [OTHER_ARN] });
    iot
      .on(DescribeCertificateCommand, { certificateId: ID })
      .resolves({ certificateDescription: { certificateId: ID, status: 'ACTIVE' } });
    iot
      .on(DescribeCertificateCommand, { certificateId: OTHER_ID })
      .resolves({ certificateDescription: { certificateId: OTHER_ID, status: 'INACTIVE' } });

    const result = await run(['list', '--region', 'eu-west-1']);

    expect(result.code, result.stderr).toBe(0);
    // Two pages, both filtered by the mark (the paginator reuses one input object, so its
    // nextToken cannot be asserted per call).
    const listings = iot.commandCalls(ListThingsCommand).map((call) => call.args[0].input);
    expect(listings).toHaveLength(2);
    for (const input of listings) {
      expect(input).toMatchObject({ attributeName: 'ec2led-stack', attributeValue: 'Ec2Led' });
    }
    expect(iotCalls().slice(2)).toEqual([
      ['ListThingPrincipals', { thingName: 'desk-pi' }],
      ['DescribeCertificate', { certificateId: ID }],
      ['ListThingPrincipals', { thingName: 'kitchen-pi' }],
      ['DescribeCertificate', { certificateId: OTHER_ID }],
    ]);
    expect(
      result.stdout
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line)),
    ).toEqual([
      { thing: 'desk-pi', stack: 'Ec2Led', certificates: [{ id: ID, status: 'ACTIVE' }] },
      { thing: 'kitchen-pi', stack: 'Ec2Led', certificates: [{ id: OTHER_ID, status: 'INACTIVE' }] },
    ]);
    expect(result.stderr).toBe('2 devices of stack Ec2Led\n');
    expect(cloudformation.calls()).toEqual([]);
  });

  it('says how to enrol one when the stack has no devices', async () => {
    iot.on(ListThingsCommand).resolves({ things: [] });
    const result = await run(['list', '--stack', 'Lab']);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe('0 devices of stack Lab; enrol one with ec2led device create NAME\n');
    expect(iotCalls()).toEqual([['ListThings', { attributeName: 'ec2led-stack', attributeValue: 'Lab' }]]);
  });
});
