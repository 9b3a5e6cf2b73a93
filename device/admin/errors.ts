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

/**
 * An AWS SDK failure as an AdminError whose message names the fix for the failures an admin can
 * fix: no credentials, no region, no permission. Anything else keeps the service's own message.
 */
export function awsError(error: unknown, doing: string): AdminError {
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
  if (/Region is missing/i.test(text)) {
    return new AdminError(
      `${doing}: no AWS region configured; pass --region with the home region of the stack, or set AWS_REGION`,
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
