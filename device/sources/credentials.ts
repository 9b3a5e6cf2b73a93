/**
 * AWS credentials for DescribeInstances without long-lived keys on the Pi: the AWS IoT credentials
 * provider exchanges the device certificate for short-lived role credentials (docs/reference/aws.md §2).
 *
 *   GET https://{credentialsEndpoint}/role-aliases/{roleAlias}/credentials
 *   x-amzn-iot-thingname: {thing}      (mutual TLS with the device certificate)
 *   -> {"credentials":{"accessKeyId","secretAccessKey","sessionToken","expiration"}}
 *
 * The provider caches, refreshes `refreshBeforeMs` (5 min) before expiration, runs one request at a
 * time however many callers wait (single flight), and keeps serving still-valid credentials when a
 * refresh fails. Error messages name the endpoint, thing, role alias and fix, never a secret.
 * AWS SDK v3 has no such provider (aws/aws-sdk-js#1917), hence this small one over node:https.
 */
import { readFile } from 'node:fs/promises';
import { request } from 'node:https';
import { isIP } from 'node:net';
import { type Logger, silentLogger } from '../base/log.ts';
import type { Config } from '../config/config.ts';

/** Structurally the SDK v3 `AwsCredentialIdentity`. */
export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  readonly expiration?: Date;
}

/** Structurally the SDK v3 `AwsCredentialIdentityProvider`: pass it as a client's `credentials`. */
export type CredentialProvider = () => Promise<AwsCredentials>;

export interface IotCredentialsOptions {
  /** The credentials endpoint host name (aws.credentialsEndpoint). */
  readonly endpoint: string;
  /** Default 443. */
  readonly port?: number;
  readonly roleAlias: string;
  /** Sent as x-amzn-iot-thingname; must be the thing the certificate is attached to. */
  readonly thingName: string;
  /** File paths of the device certificate, its key and the CA that signs the endpoint. */
  readonly cert: string;
  readonly key: string;
  readonly ca?: string | undefined;
  /**
   * The whole request (connect, TLS, answer), default 10 s: an endpoint that accepts and never
   * answers, or trickles, fails the request instead of holding every DescribeInstances behind it.
   */
  readonly timeoutMs?: number;
  /** Refresh this long before expiration, default 5 min. */
  readonly refreshBeforeMs?: number;
  readonly now?: () => number;
  readonly log?: Logger;
}

interface Response {
  readonly status: number;
  readonly body: string;
}

function get(
  options: IotCredentialsOptions,
  tls: { cert: Buffer; key: Buffer; ca?: Buffer },
): Promise<Response> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: options.endpoint,
        port: options.port ?? 443,
        method: 'GET',
        path: `/role-aliases/${encodeURIComponent(options.roleAlias)}/credentials`,
        headers: { 'x-amzn-iot-thingname': options.thingName, accept: 'application/json' },
        ...(isIP(options.endpoint) === 0 ? { servername: options.endpoint } : {}),
        ...tls,
        timeout: timeoutMs,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size <= 64 * 1024) chunks.push(chunk);
        });
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    const expire = (): void => {
      req.destroy(new Error(`no answer within ${timeoutMs} ms`));
    };
    // `timeout` above is an idle timeout; this one bounds the whole exchange.
    const deadline = setTimeout(expire, timeoutMs);
    req.on('timeout', expire);
    req.on('error', reject);
    req.on('close', () => clearTimeout(deadline));
    req.end();
  });
}

function parseCredentials(body: string): AwsCredentials | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  const c = (parsed as { credentials?: Record<string, unknown> } | null)?.credentials;
  if (typeof c !== 'object' || c === null) return undefined;
  const { accessKeyId, secretAccessKey, sessionToken, expiration } = c;
  if (typeof accessKeyId !== 'string' || typeof secretAccessKey !== 'string') return undefined;
  if (typeof sessionToken !== 'string' || typeof expiration !== 'string') return undefined;
  const expires = new Date(expiration);
  if (Number.isNaN(expires.getTime())) return undefined;
  return { accessKeyId, secretAccessKey, sessionToken, expiration: expires };
}

/** The provider's own error text: a short `message` field, never the raw body. */
function refusal(body: string): string {
  try {
    const message = (JSON.parse(body) as { message?: unknown }).message;
    if (typeof message === 'string') return `: ${message.slice(0, 200).replace(/[^\x20-\x7e]/g, '?')}`;
  } catch {
    // not JSON: say nothing more
  }
  return '';
}

/** One request to the IoT credentials provider. Throws an Error naming the fix. */
export async function fetchIotCredentials(options: IotCredentialsOptions): Promise<AwsCredentials> {
  const where = `IoT credentials provider ${options.endpoint}`;
  const who = `thing "${options.thingName}", role alias "${options.roleAlias}"`;
  const [cert, key, ca] = await Promise.all([
    readFile(options.cert),
    readFile(options.key),
    options.ca === undefined ? undefined : readFile(options.ca),
  ]).catch((error: NodeJS.ErrnoException) => {
    throw new Error(
      `cannot read the device certificate files (${error.code}); check mqtt.cert, mqtt.key, mqtt.ca`,
    );
  });
  let response: Response;
  try {
    response = await get(options, ca === undefined ? { cert, key } : { cert, key, ca });
  } catch (error) {
    const text = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new Error(
      `cannot reach the ${where} (${text}); check aws.credentialsEndpoint, the network and that mqtt.cert is active`,
      { cause: error },
    );
  }
  if (response.status === 403 || response.status === 401) {
    throw new Error(
      `the ${where} refused ${who} (HTTP ${response.status}${refusal(response.body)}); check the certificate ` +
        `is attached to thing "${options.thingName}" and its IoT policy allows iot:AssumeRoleWithCertificate ` +
        `on rolealias/${options.roleAlias}`,
    );
  }
  if (response.status === 404) {
    throw new Error(
      `the ${where} knows no role alias "${options.roleAlias}" (HTTP 404); check aws.roleAlias`,
    );
  }
  if (response.status !== 200) {
    throw new Error(
      `the ${where} answered HTTP ${response.status}${refusal(response.body)} for ${who}; retrying`,
    );
  }
  const credentials = parseCredentials(response.body);
  if (credentials === undefined) {
    throw new Error(`the ${where} answered 200 without the documented credentials JSON for ${who}`);
  }
  return credentials;
}

/** A caching, single-flight provider over fetchIotCredentials. */
export function iotCredentialsProvider(options: IotCredentialsOptions): CredentialProvider {
  const now = options.now ?? Date.now;
  const refreshBeforeMs = options.refreshBeforeMs ?? 5 * 60_000;
  const log = (options.log ?? silentLogger).child({ source: 'credentials' });
  let cached: AwsCredentials | undefined;
  let inflight: Promise<AwsCredentials> | undefined;

  const expiresAt = (c: AwsCredentials): number => c.expiration?.getTime() ?? Number.POSITIVE_INFINITY;

  return () => {
    if (cached !== undefined && expiresAt(cached) - refreshBeforeMs > now()) return Promise.resolve(cached);
    inflight ??= fetchIotCredentials(options)
      .then((fresh) => {
        cached = fresh;
        log.info('credentials refreshed', { expiration: fresh.expiration?.toISOString() });
        return fresh;
      })
      .catch((error: unknown) => {
        if (cached !== undefined && expiresAt(cached) > now()) {
          log.warn('credentials refresh failed; using the current ones until they expire', { error });
          return cached;
        }
        throw error;
      })
      .finally(() => {
        inflight = undefined;
      });
    return inflight;
  };
}

/** The credentials DescribeInstances signs with: IoT credentials provider, or the SDK chain. */
export function credentialsFromConfig(
  config: Config,
  log: Logger,
  timeoutMs?: number,
): CredentialProvider | undefined {
  const { aws, mqtt } = config;
  if (aws.credentials === 'default' || aws.credentialsEndpoint === undefined || aws.roleAlias === undefined) {
    return undefined;
  }
  if (mqtt.cert === undefined || mqtt.key === undefined) return undefined;
  const [host = '', port] = aws.credentialsEndpoint.split(':');
  return iotCredentialsProvider({
    endpoint: host,
    ...(port === undefined ? {} : { port: Number(port) }),
    roleAlias: aws.roleAlias,
    thingName: mqtt.clientId,
    cert: mqtt.cert,
    key: mqtt.key,
    ca: mqtt.ca,
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
    log,
  });
}
