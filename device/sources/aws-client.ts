/**
 * What every AWS SDK client of the agent is built with (EC2, CloudWatch), in a module that loads no
 * SDK, so a source importing it pulls in no other source's client: one attempt per request (the
 * sources retry pages themselves, sync.ts whole listings), the connect and request timeouts, and
 * the credentials and endpoint overrides when set.
 */
import type { CredentialProvider } from './credentials.ts';

/** Per AWS request (EC2, CloudWatch and the IoT credentials provider). */
export interface AwsTimeouts {
  /** TCP and TLS connect. */
  readonly connectMs: number;
  /** The whole request, first byte sent to last byte received. */
  readonly requestMs: number;
}

/**
 * 5 s to connect (a regional endpoint answers in well under a second), 30 s a request (a page of
 * 1,000 instances takes a few seconds). Longer only delays the retry of a listing that hangs.
 */
export const DEFAULT_AWS_TIMEOUTS: AwsTimeouts = { connectMs: 5_000, requestMs: 30_000 };

/** The client configuration for `region`: pass it to `new EC2Client(...)`, `new CloudWatchClient(...)`. */
export function awsClientConfig(
  region: string,
  timeouts: AwsTimeouts,
  credentials: CredentialProvider | undefined,
  endpoint: string | undefined,
) {
  return {
    region,
    maxAttempts: 1,
    requestHandler: {
      connectionTimeout: timeouts.connectMs,
      requestTimeout: timeouts.requestMs,
      throwOnRequestTimeout: true,
    },
    ...(credentials === undefined ? {} : { credentials }),
    ...(endpoint === undefined ? {} : { endpoint }),
  };
}
