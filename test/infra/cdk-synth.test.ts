/** The real `npx cdk synth` as on a clean clone: no AWS credentials, no version check, no telemetry, no Docker. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'ec2led-synth-'));

afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

function offlineEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^(AWS_|CDK_)/.test(key)) env[key] = value;
  }
  return {
    ...env,
    CDK_DISABLE_VERSION_CHECK: '1',
    CDK_DISABLE_CLI_TELEMETRY: 'true',
    // No credentials anywhere: no files, no instance metadata.
    AWS_CONFIG_FILE: join(scratch, 'no-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(scratch, 'no-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
  };
}

describe('npx cdk synth', () => {
  it('synthesizes offline without credentials and with every cdk-nag finding acknowledged', () => {
    const outdir = join(scratch, 'cdk.out');
    // No --quiet: cdk.json sets it, so a newcomer's plain `npx cdk synth` prints no template either.
    const result = spawnSync('npx', ['cdk', 'synth', '--output', outdir], {
      cwd: ROOT,
      env: offlineEnv(),
      encoding: 'utf8',
      timeout: 150_000,
    });
    expect(result.status, `${result.stdout}\n${result.stderr}`).toBe(0);
    expect(result.stdout).not.toContain('AWSTemplateFormatVersion');
    expect(result.stdout).not.toContain('Resources:');
    expect(result.stderr).toMatch(
      /^ec2led: cdk-nag AwsSolutions passed: no unacknowledged finding in Ec2Led \(.*templates in .*Ec2Led.template.json$/m,
    );
    expect(result.stderr).toMatch(
      /^ec2led: bootstrap once per account and region before the first deploy: npx cdk bootstrap/m,
    );
    expect(readdirSync(outdir)).toContain('Ec2Led.template.json');
    const assets = JSON.parse(readFileSync(join(outdir, 'Ec2Led.assets.json'), 'utf8')) as {
      dockerImages?: Record<string, unknown>;
    };
    expect(assets.dockerImages ?? {}).toEqual({});
  }, 150_000);

  it('prints one line naming the key, the value and the fix for a bad context value, no stack trace', () => {
    const result = spawnSync(
      'npx',
      ['cdk', 'synth', '--quiet', '--output', join(scratch, 'bad.out'), '-c', 'regions=eu-west-9'],
      { cwd: ROOT, env: offlineEnv(), encoding: 'utf8', timeout: 150_000 },
    );
    expect(result.status).not.toBe(0);
    const lines = result.stderr.split('\n').filter((line) => line.trim() !== '');
    expect(lines[0]).toMatch(
      /^ec2led: context regions: eu-west-9 is not an AWS region this app knows \(infra\/regions.ts, as of June 2026\); check the spelling/,
    );
    // The only other line is the CDK CLI's own exit notice.
    expect(lines.slice(1)).toEqual([expect.stringMatching(/Subprocess exited with error 1/)]);
    expect(result.stderr).not.toMatch(/\bat \w+ \(/);
  }, 150_000);
});
