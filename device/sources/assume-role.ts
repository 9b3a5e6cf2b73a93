/**
 * Credentials for another account: STS AssumeRole of `ec2led-reader` in that account, made with the
 * home account's credentials (the IoT credentials provider's, sources/credentials.ts). The session is
 * named after the thing (`RoleSessionName` and `SourceIdentity`), so CloudTrail in the member account
 * says which board read it.
 *
 * Both layers refresh themselves before they expire: the IoT credentials by their own provider, which
 * the STS client calls on every request, and each assumed session here, `refreshBeforeMs` (5 min)
 * before its expiration. Role chaining caps the session at one hour, so one hour is asked for. One
 * request at a time per account however many callers wait; a still-valid session keeps being served
 * when a refresh fails. Errors name the role, the account and the fix in STS's terms (ec2-errors.ts
 * `stsFix`: aws.stsEndpoint, the reader role's trust policy, the organization), never a secret.
 *
 * The client is `@aws-sdk/nested-clients/sts`, the STS client the SDK's own credential providers use:
 * already installed with @aws-sdk/client-ec2, so the agent gains no package for it. It is loaded on
 * the first AssumeRole only: a single-account board (the Pi's memory budget) never loads it.
 */
import type { STSClient } from '@aws-sdk/nested-clients/sts';
import { type Logger, silentLogger } from '../base/log.ts';
import type { AwsCredentials, CredentialProvider } from './credentials.ts';
import { ASSUME_ROLE_ERROR, stsFix } from './ec2-errors.ts';
import { defaultProvider } from './lazy-default-credentials.ts';

/** The role the member stack creates in every account (IAM names are global: one per account). */
export const READER_ROLE_NAME = 'ec2led-reader';

/** Role chaining (a role assuming a role) caps a session at one hour; asking for more fails. */
export const CHAINED_SESSION_SECONDS = 3600;

export interface AssumeRoleOptions {
  readonly account: string;
  /** RoleSessionName and SourceIdentity: the thing name. */
  readonly sessionName: string;
  /** The home account's credentials (the IoT credentials provider); undefined: the SDK default chain. */
  readonly source: CredentialProvider | undefined;
  /** The STS regional endpoint's region (the first of aws.regions). */
  readonly region: string;
  /** STS endpoint override (tests, a VPC endpoint); default the SDK's regional endpoint. */
  readonly endpoint?: string | undefined;
  /** Refresh this long before expiration, default 5 min. */
  readonly refreshBeforeMs?: number;
  readonly timeouts?: { readonly connectMs: number; readonly requestMs: number };
  /** A session assumed earlier (by an earlier listing process), served while it is fresh. */
  readonly initial?: AwsCredentials | undefined;
  /** Told every newly assumed session, so the next listing process can start from it. */
  readonly onSession?: ((credentials: AwsCredentials) => void) | undefined;
  readonly now?: () => number;
  readonly log?: Logger;
}

export interface AssumedRoleProvider extends CredentialProvider {
  close(): void;
}

export function roleArn(account: string): string {
  return `arn:aws:iam::${account}:role/${READER_ROLE_NAME}`;
}

/** A caching, refreshing credential provider for `ec2led-reader` in `options.account`. */
export function assumeRoleCredentials(options: AssumeRoleOptions): AssumedRoleProvider {
  const now = options.now ?? Date.now;
  const refreshBeforeMs = options.refreshBeforeMs ?? 5 * 60_000;
  const log = (options.log ?? silentLogger).child({ source: 'sts', account: options.account });
  const arn = roleArn(options.account);
  const makeClient = async (): Promise<STSClient> => {
    const sts = await import('@aws-sdk/nested-clients/sts');
    return new sts.STSClient({
      region: options.region,
      // No source: the SDK's default chain (aws.credentials "default"), loaded on first use only.
      ...(options.source === undefined
        ? { credentials: defaultProvider() as CredentialProvider }
        : { credentials: options.source }),
      maxAttempts: 1,
      ...(options.timeouts === undefined
        ? {}
        : {
            requestHandler: {
              connectionTimeout: options.timeouts.connectMs,
              requestTimeout: options.timeouts.requestMs,
              throwOnRequestTimeout: true,
            },
          }),
      ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
    });
  };
  let client: Promise<STSClient> | undefined;
  let cached: AwsCredentials | undefined = options.initial;
  let inFlight: Promise<AwsCredentials> | undefined;

  const fresh = (credentials: AwsCredentials | undefined, marginMs: number): boolean =>
    credentials?.expiration !== undefined && credentials.expiration.getTime() - marginMs > now();

  const assume = async (): Promise<AwsCredentials> => {
    try {
      client ??= makeClient();
      const { AssumeRoleCommand } = await import('@aws-sdk/nested-clients/sts');
      const output = await (await client).send(
        new AssumeRoleCommand({
          RoleArn: arn,
          RoleSessionName: options.sessionName,
          SourceIdentity: options.sessionName,
          DurationSeconds: CHAINED_SESSION_SECONDS,
        }),
      );
      const c = output.Credentials;
      if (c?.AccessKeyId === undefined || c.SecretAccessKey === undefined || c.Expiration === undefined) {
        throw new Error('AssumeRole answered without credentials');
      }
      const credentials: AwsCredentials = {
        accessKeyId: c.AccessKeyId,
        secretAccessKey: c.SecretAccessKey,
        ...(c.SessionToken === undefined ? {} : { sessionToken: c.SessionToken }),
        expiration: new Date(c.Expiration),
      };
      log.info(cached === undefined ? 'assumed role' : 'refreshed role session', {
        role: arn,
        expiration: credentials.expiration?.toISOString(),
      });
      cached = credentials;
      options.onSession?.(credentials);
      return credentials;
    } catch (error) {
      const name = (error as Error).name;
      const fix = stsFix(options.account, options.region, error, options.endpoint);
      const message = `AssumeRole ${arn} failed: ${name}: ${(error as Error).message}; ${fix}`;
      if (fresh(cached, 0) && cached !== undefined) {
        log.warn('role session refresh failed; using the current session until it expires', {
          error: message,
        });
        return cached;
      }
      const failure = new Error(message, { cause: error });
      // One name for every STS failure: ec2-errors.ts then gives the listing an STS fix, never EC2's.
      failure.name = ASSUME_ROLE_ERROR;
      throw failure;
    }
  };

  const provider = (async () => {
    if (cached !== undefined && fresh(cached, refreshBeforeMs)) return cached;
    inFlight ??= assume().finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  }) as AssumedRoleProvider;
  provider.close = () => {
    client?.then((c) => c.destroy()).catch(() => undefined);
  };
  return provider;
}
