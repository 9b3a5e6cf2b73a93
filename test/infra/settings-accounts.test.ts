import { describe, expect, it } from 'vitest';
import { readSettings, SettingsError } from '../../infra/settings.ts';

const read = (context: Record<string, unknown>) => readSettings((key) => context[key], {});

describe('settings: organizationId and deviceRoleArn', () => {
  it('reads both; the member stack needs the regions too', () => {
    const settings = read({
      regions: 'eu-west-1',
      organizationId: 'o-a1b2c3d4e5',
      deviceRoleArn: 'arn:aws:iam::111111111111:role/Ec2Led-DeviceAccessRole-ABC',
    });
    expect(settings).toMatchObject({
      organizationId: 'o-a1b2c3d4e5',
      deviceRoleArn: expect.stringMatching(/^arn:/),
    });
  });

  it('names a bad value and the fix', () => {
    expect(() => read({ organizationId: 'org-1' })).toThrow(
      /context organizationId is "org-1", expected an organization id like o-a1b2c3d4e5; copy it from `aws organizations describe-organization/,
    );
    expect(() => read({ organizationId: 'o-a1b2c3d4e5', deviceRoleArn: 'Ec2Led-Role' })).toThrow(
      'context deviceRoleArn is "Ec2Led-Role", expected a role ARN; copy the home stack output DeviceRoleArn',
    );
    expect(() => read({ regions: 'eu-west-1', deviceRoleArn: 'arn:aws:iam::111111111111:role/R' })).toThrow(
      SettingsError,
    );
  });
});
