/** docs/deploy.md tells a newcomer what to run before `cdk deploy`, and what the IAM prompt is. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const deploy = readFileSync(new URL('../../docs/deploy.md', import.meta.url), 'utf8');

describe('docs/deploy.md', () => {
  it('sets up credentials (aws configure, aws sso login) before the first cdk command', () => {
    const firstCdk = deploy.indexOf('npx cdk ');
    for (const step of ['aws configure', 'aws sso login', 'aws sts get-caller-identity']) {
      const at = deploy.indexOf(step);
      expect([step, at >= 0 && at < firstCdk]).toEqual([step, true]);
    }
  });

  it('says the IAM-change prompt is expected and how to answer it', () => {
    expect(deploy).toMatch(/\*\*The IAM prompt is expected\.\*\*/);
    expect(deploy).toMatch(/Do you\s+wish to deploy these changes \(y\/n\)\?/);
    expect(deploy).toContain('--require-approval never');
  });
});
