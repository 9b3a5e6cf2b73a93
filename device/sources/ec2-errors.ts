/**
 * What a failed DescribeInstances means and what to do about it, by cause: throttled, refused by
 * IAM, bad or expired credentials (or the IoT credentials provider failing first), a region not
 * enabled for the account, the endpoint unreachable, or reached but silent past the request timeout,
 * an EC2 server error, a page that is not a DescribeInstancesResponse (ec2-page.ts), or the member
 * account's role not assumed (STS failed first: assume-role.ts names the STS fix, `stsFix` here,
 * and EC2 was never asked). Only what matches none of these falls back to "check aws.regions and
 * aws.ec2Endpoint". Imports no SDK: the agent, which keeps the EC2 client out of its memory
 * (listing-process.ts), uses it too.
 */

/** A DescribeInstances failure after retries; `throttled` tells the sync core to back off harder. */
export class Ec2Error extends Error {
  readonly throttled: boolean;
  constructor(message: string, throttled: boolean, cause: unknown) {
    super(message, { cause });
    this.name = 'Ec2Error';
    this.throttled = throttled;
  }
}

export type ListingFailure =
  | 'throttled'
  | 'not-authorized'
  | 'credentials'
  | 'credentials-provider'
  | 'region-not-enabled'
  | 'unreachable'
  | 'timeout'
  | 'server-error'
  | 'malformed'
  | 'assume-role'
  | 'aborted'
  | 'other';

/** The name of the error for a page that is not a DescribeInstancesResponse, or beyond EC2's limits. */
export const MALFORMED_RESPONSE = 'MalformedResponse';

/** The name assume-role.ts gives every AssumeRole failure; its message carries the STS fix. */
export const ASSUME_ROLE_ERROR = 'AssumeRoleError';

export function malformedResponse(problem: string): Error {
  const error = new Error(`the answer is not a DescribeInstancesResponse EC2 could send: ${problem}`);
  error.name = MALFORMED_RESPONSE;
  return error;
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'ECONNABORTED',
  'UND_ERR_CONNECT_TIMEOUT',
]);

interface ErrorShape {
  readonly name?: string;
  readonly message?: string;
  readonly code?: string;
  readonly cause?: unknown;
  readonly $metadata?: { readonly httpStatusCode?: number };
}

function shape(error: unknown): ErrorShape {
  return typeof error === 'object' && error !== null ? (error as ErrorShape) : { message: String(error) };
}

/** The network error code of an error or its causes (the SDK wraps some), if any. */
function networkCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current !== undefined; depth += 1) {
    const code = shape(current).code;
    if (code !== undefined && NETWORK_CODES.has(code)) return code;
    current = shape(current).cause;
  }
  return undefined;
}

/** Whether `error` or one of its causes is named `name`. */
function inChain(error: unknown, name: string): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current !== undefined; depth += 1) {
    if (shape(current).name === name) return true;
    current = shape(current).cause;
  }
  return false;
}

export function classifyListingError(error: unknown): ListingFailure {
  const { name = '', message = '', $metadata } = shape(error);
  if (name === 'AbortError') return 'aborted';
  // Before anything read off the cause: an STS failure carries STS's AccessDenied, network codes, ...
  if (inChain(error, ASSUME_ROLE_ERROR)) return 'assume-role';
  if (name === MALFORMED_RESPONSE) return 'malformed';
  if (name === 'RequestLimitExceeded' || name === 'Throttling' || name === 'ThrottlingException') {
    return 'throttled';
  }
  if (name === 'OptInRequired' || /not (?:subscribed|enabled|opted in)/i.test(message)) {
    return 'region-not-enabled';
  }
  if (/^(?:UnauthorizedOperation|AccessDenied|AccessDeniedException)$/.test(name)) return 'not-authorized';
  // fetchIotCredentials names its own fix; EC2 was never asked.
  if (/IoT credentials provider|device certificate files/.test(message)) return 'credentials-provider';
  if (
    /^(?:AuthFailure|ExpiredToken|RequestExpired|InvalidClientTokenId|SignatureDoesNotMatch|UnrecognizedClientException|CredentialsProviderError)$/.test(
      name,
    )
  ) {
    return 'credentials';
  }
  // The SDK's request timeout: connected, but no answer in time (sources/aws-client.ts DEFAULT_AWS_TIMEOUTS).
  if (name === 'TimeoutError') return 'timeout';
  if (networkCode(error) !== undefined) return 'unreachable';
  if (($metadata?.httpStatusCode ?? 0) >= 500) return 'server-error';
  return 'other';
}

/** The fix for a failed listing in `region`, naming the cause. */
export function listingFix(region: string, error: unknown, endpoint: string | undefined): string {
  const where = endpoint === undefined ? `ec2.${region}.amazonaws.com` : `aws.ec2Endpoint ${endpoint}`;
  switch (classifyListingError(error)) {
    case 'throttled':
      return (
        `EC2 throttled DescribeInstances in ${region}: the agent backs off and relists by itself; ` +
        'if it persists, other tools in this account share the same request limit'
      );
    case 'not-authorized':
      return 'check the role behind the IoT role alias allows ec2:DescribeInstances (aws.credentials, aws.roleAlias)';
    case 'credentials':
      return `the credentials were not accepted in ${region}: check the clock (NTP), aws.credentials, and that ${region} is enabled for the account`;
    case 'credentials-provider':
      return 'no credentials to list with: fix what the credentials error above names (EC2 was not asked)';
    case 'region-not-enabled':
      return `region ${region} is not enabled for this account: enable it (AWS console, Account, AWS Regions) or remove it from aws.regions`;
    case 'unreachable':
      return `${where} is unreachable (${networkCode(error) ?? 'timed out'}): check the network, DNS and aws.ec2Endpoint; the agent relists with backoff`;
    case 'timeout':
      return `${where} did not answer in time: check the network and aws.ec2Endpoint; the agent relists with backoff`;
    case 'server-error':
      return `EC2 answered HTTP ${shape(error).$metadata?.httpStatusCode} (a server error, usually brief): the agent relists with backoff`;
    case 'malformed':
      return (
        `${where} answered with a page the agent cannot take as the truth, so the listing failed: ` +
        'something between the agent and EC2 (an HTTP proxy, a captive portal, aws.ec2Endpoint) changes or cuts ' +
        'the answer; the agent keeps the board as it was and relists with backoff'
      );
    case 'assume-role':
      return 'EC2 was not asked: fix what the AssumeRole error names; the agent relists with backoff';
    case 'aborted':
      return 'the listing was cancelled (the agent is stopping or a newer listing took over)';
    case 'other':
      return 'check aws.regions and aws.ec2Endpoint';
  }
}

/**
 * The fix for a failed AssumeRole of `roleArn` (assume-role.ts), by cause, in STS's terms: the STS
 * endpoint (aws.stsEndpoint, or sts.REGION.amazonaws.com), the reader role's trust policy and the
 * organization, the home credentials. `region` is the STS region (the first of aws.regions).
 */
export function stsFix(
  account: string,
  region: string,
  error: unknown,
  endpoint: string | undefined,
): string {
  const where = endpoint === undefined ? `sts.${region}.amazonaws.com` : `aws.stsEndpoint ${endpoint}`;
  const { name = '' } = shape(error);
  if (name === 'AccessDenied' || name === 'AccessDeniedException') {
    return (
      `STS refused: deploy the ec2-led member stack in ${account} (docs/accounts.md) so that ec2led-reader exists, ` +
      "and check that its trust policy admits the home account's device role and that both accounts are in " +
      `the organization it names; or remove ${account} from aws.accounts`
    );
  }
  if (name === 'RegionDisabledException') {
    return `STS is not activated in ${region} for the home account: activate it (IAM, Account settings) or put another region first in aws.regions`;
  }
  if (name === 'ValidationError') {
    return `STS refused the request as invalid: check that ${account} in aws.accounts is a 12-digit account id`;
  }
  switch (classifyListingError(error)) {
    case 'throttled':
      return 'STS throttled AssumeRole: the agent backs off and relists by itself';
    case 'credentials':
      return (
        `STS did not accept the home credentials (${name}): check the clock (NTP), aws.credentials and ` +
        'aws.roleAlias; the IoT credentials provider must hand out the home device role'
      );
    case 'credentials-provider':
      return 'no home credentials to assume the role with: fix what the credentials error names (STS was not asked)';
    case 'region-not-enabled':
      return `STS is not enabled in ${region}: put an enabled region first in aws.regions`;
    case 'unreachable':
      return `${where} is unreachable (${networkCode(error) ?? 'no connection'}): check the network, DNS and aws.stsEndpoint; the agent relists with backoff`;
    case 'timeout':
      return `${where} did not answer in time: check the network and aws.stsEndpoint; the agent relists with backoff`;
    case 'server-error':
      return `STS answered HTTP ${shape(error).$metadata?.httpStatusCode} (a server error, usually brief): the agent relists with backoff`;
    default:
      return `check aws.stsEndpoint (now ${endpoint ?? 'the default'}) and the home credentials; the agent relists with backoff`;
  }
}
