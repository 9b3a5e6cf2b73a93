/**
 * The one error the device admin commands branch on: a message that names the value and the fix, and
 * the exit code it ends with (2: the command line is wrong, 1: AWS or the machine said no).
 */
export type ExitCode = 1 | 2;

export class AdminError extends Error {
  readonly exitCode: ExitCode;

  constructor(message: string, exitCode: ExitCode, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AdminError';
    this.exitCode = exitCode;
  }
}

export function usageError(message: string): AdminError {
  return new AdminError(message, 2);
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : '';
}

interface NetworkFields {
  readonly code?: unknown;
  readonly hostname?: unknown;
  readonly address?: unknown;
  readonly port?: unknown;
  readonly cause?: unknown;
}

/** The network failure in `error` or its causes (Node's own error, which the SDK passes on). */
function networkFailure(error: unknown): NetworkFields | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && typeof current === 'object' && current !== null; depth += 1) {
    const fields = current as NetworkFields;
    if (typeof fields.code === 'string' && /^(?:E[A-Z_]+|UND_ERR_[A-Z_]+)$/.test(fields.code)) {
      if (fields.hostname !== undefined || fields.address !== undefined) return fields;
    }
    current = fields.cause;
  }
  return undefined;
}

/** The AWS_ENDPOINT_URL* variables set, which send the SDK elsewhere than AWS. */
function endpointOverrides(env: NodeJS.ProcessEnv): string[] {
  return Object.keys(env)
    .filter((key) => /^AWS_ENDPOINT_URL(?:_[A-Z_]+)?$/.test(key) && env[key] !== '')
    .sort();
}

/** What to say when the endpoint could not be reached: which one, why, and the fix. */
function unreachable(
  doing: string,
  failure: NetworkFields,
  error: unknown,
  env: NodeJS.ProcessEnv,
): AdminError {
  const code = String(failure.code);
  const host =
    typeof failure.hostname === 'string'
      ? failure.hostname
      : `${String(failure.address)}${failure.port === undefined ? '' : `:${String(failure.port)}`}`;
  const overrides = endpointOverrides(env);
  const set =
    overrides.length === 0
      ? ''
      : `; ${overrides.join(', ')} ${overrides.length > 1 ? 'are' : 'is'} set and sends the request there`;
  const why =
    code === 'ENOTFOUND' || code === 'EAI_AGAIN'
      ? `the name ${host} does not resolve (${code}): check the region in it (--region, AWS_REGION or your profile's: ` +
        'the home region of the stack, spelled as in eu-west-1) and the DNS of this machine'
      : `${host} did not accept the connection (${code}): check the network, a firewall or proxy in between`;
  return new AdminError(`${doing}: cannot reach the AWS endpoint; ${why}${set}`, 1, { cause: error });
}

/**
 * An AWS SDK failure as an AdminError whose message names the fix for the failures an admin can
 * fix: no credentials, no region (a usage error, exit 2), no permission, an endpoint that cannot be
 * reached (which one, and whether the name or the connection failed) or does not answer in time.
 * Anything else keeps the service's own message.
 */
export function awsError(error: unknown, doing: string, env: NodeJS.ProcessEnv = process.env): AdminError {
  if (error instanceof AdminError) return error;
  const name = errorName(error);
  const text = error instanceof Error ? error.message : String(error);
  if (name === 'CredentialsProviderError' || /Could not load credentials/.test(text)) {
    return new AdminError(
      `${doing}: no AWS credentials found (${text}). Configure them as for cdk deploy: ` +
        '`aws configure`, or `aws sso login --profile NAME` with AWS_PROFILE=NAME, ' +
        'or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY',
      1,
      { cause: error },
    );
  }
  // A usage error (exit 2): the command line, or the environment it runs in, lacks the region.
  if (/Region is missing/i.test(text)) {
    return new AdminError(
      `${doing}: no AWS region configured; pass --region with the home region of the stack, or set AWS_REGION`,
      2,
      { cause: error },
    );
  }
  const network = networkFailure(error);
  if (network !== undefined) return unreachable(doing, network, error, env);
  if (name === 'TimeoutError') {
    return new AdminError(
      `${doing}: the AWS endpoint did not answer in time (${text}): check the network and any proxy, then rerun`,
      1,
      { cause: error },
    );
  }
  if (/AccessDenied|UnauthorizedException|NotAuthorized/i.test(name)) {
    return new AdminError(
      `${doing}: ${name}: ${text}. The admin credentials need IoT Core things, certificates and policy ` +
        'attachments (see docs/deploy.md, "Enrolling a Pi")',
      1,
      { cause: error },
    );
  }
  return new AdminError(`${doing}: ${name || 'Error'}: ${text}`, 1, { cause: error });
}
