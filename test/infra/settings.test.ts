import { describe, expect, it } from 'vitest';
import { forwarderStackName, parseRegions, readSettings, SettingsError } from '../../infra/settings.ts';

const context =
  (values: Record<string, unknown>) =>
  (key: string): unknown =>
    values[key];

describe('settings from context and environment', () => {
  it('defaults to the CLI region and account, prefix ec2led, endpoints looked up at deploy time', () => {
    expect(
      readSettings(context({}), { CDK_DEFAULT_REGION: 'eu-west-1', CDK_DEFAULT_ACCOUNT: '123456789012' }),
    ).toEqual({
      stackName: 'Ec2Led',
      account: '123456789012',
      regions: ['eu-west-1'],
      topicPrefix: 'ec2led',
      iotDataEndpoint: undefined,
      iotCredentialsEndpoint: undefined,
      alarmEmail: undefined,
      checks: [],
    });
  });

  it('leaves account and regions open when neither context nor the CLI gives them (offline synth)', () => {
    const settings = readSettings(context({}), {});
    expect(settings.account).toBeUndefined();
    expect(settings.regions).toBeUndefined();
  });

  it('prefers context over the environment', () => {
    const settings = readSettings(context({ account: '210987654321', regions: 'us-east-1,eu-west-1' }), {
      CDK_DEFAULT_REGION: 'eu-west-1',
      CDK_DEFAULT_ACCOUNT: '123456789012',
    });
    expect(settings.account).toBe('210987654321');
    expect(settings.regions).toEqual(['us-east-1', 'eu-west-1']);
  });

  it('reads regions as a comma list, a JSON array text or an array, home region first', () => {
    expect(parseRegions(' eu-west-1 , us-east-1 ')).toEqual(['eu-west-1', 'us-east-1']);
    expect(parseRegions('["eu-west-1","us-east-1"]')).toEqual(['eu-west-1', 'us-east-1']);
    expect(parseRegions(['ap-southeast-2'])).toEqual(['ap-southeast-2']);
  });

  it.each([
    ['eu-west-1,,us-east-1', /holds "", which is not a region name/],
    ['eu-west-1,Europe', /"Europe", which is not a region name like eu-west-1/],
    ['eu-west-1,eu-west-1', /lists eu-west-1 twice/],
    ['cn-north-1,cn-northwest-1', /cn-north-1 cannot forward events across regions.*one app per region/],
    ['eu-west-1,us-gov-west-1', /us-gov-west-1 cannot forward events across regions/],
    ['[1,2]', /expected a comma list or JSON array of region names/],
    [
      'eu-west-9',
      /eu-west-9 is not an AWS region this app knows \(infra\/regions.ts, as of June 2026\); check the spelling.*-c allowRegions=eu-west-9/,
    ],
    ['eu-west-1,us-east-7', /us-east-7 is not an AWS region this app knows/],
    [
      'af-south-1',
      /af-south-1 cannot be the home region: it has no IoT Core credentials provider \(AWS::IoT::RoleAlias\) as of June 2026 \(infra\/regions.ts\); put a region that has one first, e.g. eu-west-1,af-south-1, or, if AWS has added it since, deploy with -c allowRegions=af-south-1$/,
    ],
    [
      'eu-central-2,us-east-1',
      /eu-central-2 cannot be the home region.*e.g. us-east-1,eu-central-2, or.*-c allowRegions=eu-central-2$/,
    ],
  ])('rejects regions %j with a message naming the value and the fix', (value, message) => {
    expect(() => parseRegions(value)).toThrow(message);
    expect(() => parseRegions(value)).toThrow(SettingsError);
  });

  it('takes a region without a credentials provider as a forwarder, and China or GovCloud alone', () => {
    expect(parseRegions('eu-west-1,af-south-1,mx-central-1')).toEqual([
      'eu-west-1',
      'af-south-1',
      'mx-central-1',
    ]);
    expect(parseRegions('cn-north-1')).toEqual(['cn-north-1']);
    expect(parseRegions('us-gov-west-1')).toEqual(['us-gov-west-1']);
  });

  it('takes eu-south-1 and il-central-1 as home regions (AWS::IoT::RoleAlias there since April 2026)', () => {
    expect(parseRegions('eu-south-1,il-central-1')).toEqual(['eu-south-1', 'il-central-1']);
    expect(parseRegions('il-central-1')).toEqual(['il-central-1']);
  });

  it('lets context allowRegions vouch for a home region or a region newer than the lists, and only those', () => {
    const allowed = { CDK_DEFAULT_ACCOUNT: '123456789012' };
    expect(
      readSettings(context({ regions: 'eu-central-2', allowRegions: 'eu-central-2' }), allowed).regions,
    ).toEqual(['eu-central-2']);
    expect(
      readSettings(context({ regions: 'eu-west-1,xx-east-1', allowRegions: '["xx-east-1"]' }), allowed)
        .regions,
    ).toEqual(['eu-west-1', 'xx-east-1']);
    // The CLI's region as home goes through the same override.
    expect(
      readSettings(context({ allowRegions: 'ap-south-2' }), { CDK_DEFAULT_REGION: 'ap-south-2' }).regions,
    ).toEqual(['ap-south-2']);
    // Vouching for another region changes nothing for this one.
    expect(() =>
      readSettings(context({ regions: 'eu-central-2', allowRegions: 'ap-south-2' }), allowed),
    ).toThrow(/eu-central-2 cannot be the home region.*-c allowRegions=eu-central-2$/);
    // China and GovCloud still cannot forward, whatever is allowed.
    expect(() =>
      readSettings(context({ regions: 'cn-north-1,eu-west-1', allowRegions: 'cn-north-1' }), allowed),
    ).toThrow(/cn-north-1 cannot forward events across regions/);
    expect(() => readSettings(context({ allowRegions: 'Europe' }), allowed)).toThrow(
      /context allowRegions is "Europe", expected region names such as eu-south-2.*-c allowRegions=eu-south-2/,
    );
  });

  it("names the CLI's region when it is the one that cannot be used", () => {
    expect(() => readSettings(context({}), { CDK_DEFAULT_REGION: 'ap-southeast-7' })).toThrow(
      /the CLI's region "ap-southeast-7" \(AWS_REGION or the profile's region\) cannot be used: ap-southeast-7 cannot be the home region.*-c regions=/,
    );
  });

  it('takes an alarm e-mail address and rejects anything that is not one', () => {
    expect(readSettings(context({ alarmEmail: ' ops@example.com ' }), {}).alarmEmail).toBe('ops@example.com');
    expect(readSettings(context({}), {}).alarmEmail).toBeUndefined();
    expect(() => readSettings(context({ alarmEmail: 'ops at example.com' }), {})).toThrow(
      /context alarmEmail is "ops at example.com", expected one e-mail address such as you@example.com/,
    );
    expect(() => readSettings(context({ alarmEmail: 'a@example.com,b@example.com' }), {})).toThrow(
      /context alarmEmail/,
    );
  });

  it('validates the topic prefix with the shared rule', () => {
    expect(readSettings(context({ topicPrefix: 'lab_2' }), {}).topicPrefix).toBe('lab_2');
    expect(() => readSettings(context({ topicPrefix: 'a/b' }), {})).toThrow(
      /context topicPrefix: topic prefix "a\/b" is not one topic level/,
    );
  });

  it('takes endpoint host names and rejects URLs', () => {
    const settings = readSettings(
      context({
        iotDataEndpoint: 'abc123-ats.iot.eu-west-1.amazonaws.com',
        iotCredentialsEndpoint: 'def456.credentials.iot.eu-west-1.amazonaws.com',
      }),
      {},
    );
    expect(settings.iotDataEndpoint).toBe('abc123-ats.iot.eu-west-1.amazonaws.com');
    expect(settings.iotCredentialsEndpoint).toBe('def456.credentials.iot.eu-west-1.amazonaws.com');
    expect(() =>
      readSettings(context({ iotDataEndpoint: 'https://abc123-ats.iot.eu-west-1.amazonaws.com' }), {}),
    ).toThrow(/context iotDataEndpoint is "https:\/\/.*no https:\/\//);
  });

  it('rejects an account that is not 12 digits and a stack name CloudFormation would refuse', () => {
    expect(() => readSettings(context({ account: '1234' }), {})).toThrow(
      /account is "1234", expected 12 digits/,
    );
    expect(() => readSettings(context({ stackName: 'my stack' }), {})).toThrow(
      /context stackName is "my stack"/,
    );
  });

  it.each([
    [
      'stackName',
      { name: 'x' },
      /^context stackName is \{"name":"x"\}, expected a string; fix it in cdk.json or -c$/,
    ],
    [
      'organizationId',
      ['o-1'],
      /^context organizationId is \["o-1"\], expected a string; fix it in cdk.json or -c$/,
    ],
    ['topicPrefix', 7, /^context topicPrefix is 7, expected a string; fix it in cdk.json or -c$/],
    [
      'alarmEmail',
      `${'a'.repeat(100_000)}@`,
      /^context alarmEmail is "a{56}\.\.\., expected one e-mail address/,
    ],
  ])('refuses a hostile %s in one short sentence naming the value', (key, value, message) => {
    expect(() => readSettings(context({ [key]: value }), {})).toThrow(SettingsError);
    expect(() => readSettings(context({ [key]: value }), {})).toThrow(message);
  });

  it('names forwarder stacks after the home stack and their region', () => {
    const settings = readSettings(context({ stackName: 'Lab', regions: 'eu-west-1,us-east-1' }), {});
    expect(forwarderStackName(settings, 'us-east-1')).toBe('Lab-forwarder-us-east-1');
  });
});
