/**
 * A loopback stand-in for the STS Query API, enough of it for AssumeRole as the AWS SDK v3 sends it:
 * form-encoded `POST /` with `Action=AssumeRole&Version=2011-06-15`, answered with the documented XML
 * (AssumeRoleResult / Credentials / AssumedRoleUser, or an ErrorResponse).
 *
 * Behaviour, not a mock: it issues sessions that expire `DurationSeconds` after its own clock, with
 * access key ids that carry the account (`ASIA` + 12 digits + 4 letters), so the fake EC2 serves each
 * session its own account's fleet; accounts can be denied (AccessDenied, as for a missing role or a
 * trust policy that does not admit the caller); every request is recorded. Used by the tests, the
 * demo and the benchmarks.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface AssumeRoleRequest {
  readonly roleArn: string;
  readonly roleSessionName: string;
  readonly sourceIdentity: string | undefined;
  readonly durationSeconds: number;
  /** The access key id that signed the request (the caller's credentials). */
  readonly signedBy: string | undefined;
}

export interface FakeSts {
  readonly url: string;
  /** AssumeRole requests received, in order (denied ones included). */
  readonly requests: readonly AssumeRoleRequest[];
  /** AssumeRole into this account fails with AccessDenied until allowed again. */
  deny(account: string): void;
  allow(account: string): void;
  close(): Promise<void>;
}

export interface FakeStsOptions {
  /** The clock sessions expire by; default Date.now. */
  readonly now?: () => number;
}

/** `ASIA` + account + 4 letters: the fake EC2 reads the caller's account from it. */
export function accountOfAccessKey(accessKeyId: string | undefined): string | undefined {
  return /^ASIA(\d{12})[A-Z]{4}$/.exec(accessKeyId ?? '')?.[1];
}

function xml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

function errorXml(code: string, message: string): string {
  return (
    '<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type>' +
    `<Code>${code}</Code><Message>${xml(message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`
  );
}

async function bodyOf(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startFakeSts(options: FakeStsOptions = {}): Promise<FakeSts> {
  const now = options.now ?? Date.now;
  const denied = new Set<string>();
  const requests: AssumeRoleRequest[] = [];
  let serial = 0;

  const send = (res: ServerResponse, status: number, body: string): void => {
    res.writeHead(status, { 'content-type': 'text/xml', 'x-amzn-requestid': randomUUID() });
    res.end(body);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const params = new URLSearchParams(await bodyOf(req));
    if (req.method !== 'POST' || !/Credential=\S+\/sts\/aws4_request/.test(req.headers.authorization ?? '')) {
      send(res, 403, errorXml('MissingAuthenticationToken', 'expected a SigV4-signed POST for service sts'));
      return;
    }
    if (params.get('Action') !== 'AssumeRole') {
      send(
        res,
        400,
        errorXml('InvalidAction', `The action ${params.get('Action')} is not valid for this fake`),
      );
      return;
    }
    const roleArn = params.get('RoleArn') ?? '';
    const roleSessionName = params.get('RoleSessionName') ?? '';
    const durationSeconds = Number(params.get('DurationSeconds') ?? 3600);
    requests.push({
      roleArn,
      roleSessionName,
      sourceIdentity: params.get('SourceIdentity') ?? undefined,
      durationSeconds,
      signedBy: /Credential=([^/,\s]+)\//.exec(req.headers.authorization ?? '')?.[1],
    });
    const account = /^arn:aws:iam::(\d{12}):role\/([\w+=,.@-]+)$/.exec(roleArn);
    if (account === null || roleSessionName === '') {
      send(res, 400, errorXml('ValidationError', `RoleArn ${roleArn} or RoleSessionName is not valid`));
      return;
    }
    if (denied.has(account[1] as string)) {
      send(
        res,
        403,
        errorXml('AccessDenied', `User is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`),
      );
      return;
    }
    if (durationSeconds > 3600) {
      send(
        res,
        400,
        errorXml(
          'ValidationError',
          'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.',
        ),
      );
      return;
    }
    serial += 1;
    const suffix = String.fromCharCode(...[3, 2, 1, 0].map((i) => 65 + (Math.floor(serial / 26 ** i) % 26)));
    const expiration = new Date(now() + durationSeconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    send(
      res,
      200,
      '<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult>' +
        `<SourceIdentity>${xml(params.get('SourceIdentity') ?? '')}</SourceIdentity>` +
        `<AssumedRoleUser><Arn>arn:aws:sts::${account[1]}:assumed-role/${account[2]}/${xml(roleSessionName)}</Arn>` +
        `<AssumedRoleId>AROAFAKEFAKEFAKE:${xml(roleSessionName)}</AssumedRoleId></AssumedRoleUser>` +
        `<Credentials><AccessKeyId>ASIA${account[1]}${suffix}</AccessKeyId>` +
        `<SecretAccessKey>fake-secret-${serial}</SecretAccessKey><SessionToken>fake-token-${serial}</SessionToken>` +
        `<Expiration>${expiration}</Expiration></Credentials><PackedPolicySize>0</PackedPolicySize>` +
        `</AssumeRoleResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></AssumeRoleResponse>`,
    );
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => send(res, 500, errorXml('InternalFailure', 'fake-sts failed')));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { address, port } = server.address() as AddressInfo;
  return {
    url: `http://${address}:${port}`,
    requests,
    deny: (account) => void denied.add(account),
    allow: (account) => void denied.delete(account),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
