/** Which environments `cdk deploy --all` needs bootstrapped: every stack's, the checks stack's us-east-1 too. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, type Stack } from 'aws-cdk-lib';
import { afterAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/app.ts';
import { bootstrapCommand, bootstrapEnvironments } from '../../infra/bootstrap.ts';

const scratch = mkdtempSync(join(tmpdir(), 'ec2led-bootstrap-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function stacks(context: Record<string, unknown>, env: Record<string, string> = {}): Stack[] {
  const app = new App({
    outdir: mkdtempSync(join(scratch, 'out-')),
    context: { 'aws:cdk:bundling-stacks': [], ...context },
  });
  const built = buildApp(app, env);
  return [built.home, ...built.forwarders, ...(built.checks === undefined ? [] : [built.checks])];
}

describe('the environments to bootstrap', () => {
  it('adds us-east-1 for the checks stack when home is elsewhere', () => {
    expect(
      bootstrapEnvironments(
        stacks({ account: '123456789012', regions: 'eu-west-1', checks: 'tcp://db.example.com:5432' }),
      ),
    ).toEqual(['aws://123456789012/eu-west-1', 'aws://123456789012/us-east-1']);
  });

  it('names each environment once: checks in us-east-1 with us-east-1 already home or forwarder', () => {
    const checks = 'tcp://db.example.com:5432';
    expect(bootstrapEnvironments(stacks({ account: '123456789012', regions: 'us-east-1', checks }))).toEqual([
      'aws://123456789012/us-east-1',
    ]);
    expect(
      bootstrapEnvironments(
        stacks({ account: '123456789012', regions: 'eu-west-1,us-east-1,ap-south-1', checks }),
      ),
    ).toEqual([
      'aws://123456789012/eu-west-1',
      'aws://123456789012/us-east-1',
      'aws://123456789012/ap-south-1',
    ]);
  });

  it('falls back to the app-wide cdk bootstrap when the account is left to deploy time', () => {
    const unknownAccount = stacks({ regions: 'eu-west-1', checks: 'tcp://db.example.com:5432' });
    expect(bootstrapEnvironments(unknownAccount)).toBeUndefined();
    expect(bootstrapCommand(unknownAccount)).toBe(
      'npx cdk bootstrap (with the same -c values or cdk.json; it bootstraps every environment of the app, ' +
        "here eu-west-1, us-east-1 in the CLI's account)",
    );
    expect(bootstrapCommand(stacks({}))).toMatch(/^npx cdk bootstrap \(.*here the CLI's region\)$/);
  });
});
