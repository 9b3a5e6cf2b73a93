/**
 * docs/accounts.md path A's bootstrap command, run through the pinned CDK CLI's own argument parsing
 * and checks against a fake AWS on 127.0.0.1 (STS answers, CloudFormation has no CDKToolkit stack,
 * anything else is refused): the documented command passes every check and asks CloudFormation for
 * the bootstrap change set in each region it names, while the old `--trust` form stops at the CLI's
 * MissingExecutionPoliciesForTrust. No network beyond loopback, no AWS account.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CDK = join(ROOT, 'node_modules/aws-cdk/bin/cdk');
const MEMBER = '222222222222';

const scratch = mkdtempSync(join(tmpdir(), 'ec2led-bootstrap-cli-'));
let server: Server;
let endpoint: string;
let requests: { action: string; region: string }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      if (body.length < 1_000_000) body += chunk;
    });
    req.on('end', () => {
      const action = /(?:^|&)Action=(\w+)/.exec(body)?.[1] ?? '?';
      // SigV4 scope: Credential=KEY/DATE/REGION/SERVICE/aws4_request
      const region =
        /Credential=[^/]+\/\d+\/([a-z0-9-]+)\//.exec(req.headers.authorization ?? '')?.[1] ?? '?';
      requests.push({ action, region });
      res.setHeader('content-type', 'text/xml');
      if (action === 'GetCallerIdentity') {
        res.end(
          '<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>' +
            `<Arn>arn:aws:iam::${MEMBER}:user/admin</Arn><UserId>AIDAFAKE</UserId><Account>${MEMBER}</Account>` +
            '</GetCallerIdentityResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></GetCallerIdentityResponse>',
        );
        return;
      }
      res.statusCode = 400;
      const [code, message] =
        action === 'DescribeStacks'
          ? ['ValidationError', 'Stack with id CDKToolkit does not exist']
          : ['AccessDenied', 'the fake AWS of bootstrap-cli.test.ts stops here'];
      res.end(
        `<ErrorResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><Error><Type>Sender</Type>` +
          `<Code>${code}</Code><Message>${message}</Message></Error><RequestId>2</RequestId></ErrorResponse>`,
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  writeFileSync(join(scratch, 'config'), '[profile staging]\nregion = eu-west-1\n');
  writeFileSync(
    join(scratch, 'credentials'),
    '[staging]\naws_access_key_id = AKIAFAKE\naws_secret_access_key = fake\n',
  );
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(scratch, { recursive: true, force: true });
});

beforeEach(() => {
  requests = [];
});

/** `npx cdk bootstrap …` as docs/accounts.md path A gives it. */
function documentedCommand(): string[] {
  const doc = readFileSync(join(ROOT, 'docs/accounts.md'), 'utf8');
  const pathA = doc.slice(doc.indexOf('### Path A'), doc.indexOf('### Path B'));
  const line = /^npx cdk bootstrap .*$/m.exec(pathA)?.[0];
  if (line === undefined) throw new Error('docs/accounts.md path A has no npx cdk bootstrap line');
  return line.split(/\s+/).slice(2);
}

function runCdk(args: string[]): Promise<{ code: number | null; output: string }> {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^(AWS_|CDK_)/.test(key)) env[key] = value;
  }
  Object.assign(env, {
    HOME: scratch,
    AWS_CONFIG_FILE: join(scratch, 'config'),
    AWS_SHARED_CREDENTIALS_FILE: join(scratch, 'credentials'),
    AWS_ENDPOINT_URL: endpoint,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_MAX_ATTEMPTS: '1',
    CDK_DISABLE_VERSION_CHECK: '1',
    CDK_DISABLE_CLI_TELEMETRY: 'true',
  });
  return new Promise((resolve) => {
    // cwd has no cdk.json: the CLI bootstraps the environments named, without synthesizing the app.
    execFile(
      process.execPath,
      [CDK, ...args, '--no-notices'],
      { cwd: scratch, env, timeout: 90_000, maxBuffer: 4 * 1024 * 1024 },
      (error, stdout, stderr) => {
        resolve({
          code: error === null ? 0 : typeof error.code === 'number' ? error.code : null,
          output: stdout + stderr,
        });
      },
    );
  });
}

describe('docs/accounts.md path A: cdk bootstrap in a member account', () => {
  it('passes the pinned CLI checks and asks CloudFormation for the bootstrap stack in every region it names', async () => {
    const args = documentedCommand();
    expect(args).not.toContain('--trust');
    const regions = args.filter((arg) => arg.startsWith('aws://')).map((env) => env.split('/')[3]);
    expect(regions).toEqual(['eu-west-1', 'us-east-1']);
    const { code, output } = await runCdk(args);
    // The CLI warns of, and ignores, an option it does not know: none may be.
    expect(output).not.toMatch(/MissingExecutionPoliciesForTrust|Unknown option/);
    // Past every check, at the first write: the fake refuses it, so the run fails there and only there.
    expect(output).toContain('the fake AWS of bootstrap-cli.test.ts stops here');
    expect(code).not.toBe(0);
    const changeSets = requests.filter((r) => r.action === 'CreateChangeSet').map((r) => r.region);
    expect(changeSets.sort()).toEqual([...regions].sort());
  }, 120_000);

  it('refuses the old --trust form with MissingExecutionPoliciesForTrust, before any change', async () => {
    const { code, output } = await runCdk([...documentedCommand(), '--trust', '111111111111']);
    expect(code).not.toBe(0);
    expect(output).toContain('MissingExecutionPoliciesForTrust');
    expect(requests.filter((r) => r.action === 'CreateChangeSet')).toEqual([]);
  }, 120_000);
});
