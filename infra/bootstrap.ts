/**
 * What `cdk deploy --all` needs bootstrapped, and the lines the app prints after a synth that
 * passed cdk-nag (app.ts). The home stack, every forwarder and the checks stack (always us-east-1)
 * each deploy through CDK's bootstrap resources of their own account and region; a region left out
 * fails the deploy with "SSM parameter /cdk-bootstrap/hnb659fds/version not found". The member
 * stack is left out: it deploys in other accounts, with their credentials (docs/accounts.md).
 */
import { type Stack, Token } from 'aws-cdk-lib';

/**
 * `aws://account/region` of every stack, each once, in stack order. Undefined when a stack leaves
 * its account or region to deploy time: then plain `cdk bootstrap`, run with the same context,
 * resolves them from the CLI's credentials and region.
 */
export function bootstrapEnvironments(stacks: readonly Stack[]): string[] | undefined {
  const environments: string[] = [];
  for (const stack of stacks) {
    if (Token.isUnresolved(stack.account) || Token.isUnresolved(stack.region)) return undefined;
    const environment = `aws://${stack.account}/${stack.region}`;
    if (!environments.includes(environment)) environments.push(environment);
  }
  return environments;
}

/** The bootstrap command for `stacks`: explicit environments when known, else the app-wide form. */
export function bootstrapCommand(stacks: readonly Stack[]): string {
  const environments = bootstrapEnvironments(stacks);
  if (environments !== undefined) return `npx cdk bootstrap ${environments.join(' ')}`;
  const regions = [...new Set(stacks.map((stack) => stack.region).filter((r) => !Token.isUnresolved(r)))];
  return (
    'npx cdk bootstrap (with the same -c values or cdk.json; it bootstraps every environment of the app' +
    `${regions.length > 0 ? `, here ${regions.join(', ')} in the CLI's account` : ", here the CLI's region"})`
  );
}

/**
 * What app.ts prints on stderr after a synth in which cdk-nag found nothing unacknowledged. cdk.json
 * sets `quiet`, so the CLI prints no template: these lines say where they are instead.
 */
export function synthSummary(
  stacks: readonly Stack[],
  memberStack: Stack | undefined,
  outdir: string,
): string[] {
  const all = [...stacks, ...(memberStack === undefined ? [] : [memberStack])];
  return [
    `ec2led: cdk-nag AwsSolutions passed: no unacknowledged finding in ${all.map((s) => s.stackName).join(', ')} ` +
      `(the acknowledged ones and why: infra/README.md); templates in ${outdir}: ` +
      all.map((s) => s.templateFile).join(', '),
    `ec2led: bootstrap once per account and region before the first deploy: ${bootstrapCommand(stacks)}`,
  ];
}
