import { describe, expect, it } from 'vitest';
import {
  checkTopicPrefix,
  clientArn,
  instanceTopic,
  instanceTopicsArn,
  MAX_SUBSCRIPTIONS,
  parseInstanceTopic,
  roleAliasArn,
  subscriptionFilter,
  subscriptionFilterArn,
  subscriptionFilters,
} from '../../shared/topics.ts';

const address = { account: '123456789012', region: 'eu-west-1', instanceId: 'i-0a1b2c3d4e5f60718' };
const scope = { partition: 'aws', region: 'us-east-1', account: '123456789012' };

describe('topics', () => {
  it('builds the instance topic from the scheme', () => {
    expect(instanceTopic('ec2led', address)).toBe('ec2led/v1/123456789012/eu-west-1/i-0a1b2c3d4e5f60718');
  });

  it('parses what it builds, and nothing else', () => {
    expect(parseInstanceTopic('ec2led', instanceTopic('ec2led', address))).toEqual(address);
    expect(parseInstanceTopic('ec2led', 'other/v1/123456789012/eu-west-1/i-0a1b2c3d')).toBeUndefined();
    expect(parseInstanceTopic('ec2led', 'ec2led/v2/123456789012/eu-west-1/i-0a1b2c3d')).toBeUndefined();
    expect(parseInstanceTopic('ec2led', 'ec2led/v1/123456789012/eu-west-1')).toBeUndefined();
    expect(parseInstanceTopic('ec2led', 'ec2led/v1//eu-west-1/i-0a1b2c3d')).toBeUndefined();
  });

  it('stays within IoT Core limits of 7 slashes and 256 bytes', () => {
    const topic = instanceTopic('p'.repeat(64), address);
    expect(topic.split('/').length - 1).toBeLessThanOrEqual(7);
    expect(Buffer.byteLength(topic)).toBeLessThanOrEqual(256);
  });

  it('gives devices one filter for every account and region', () => {
    expect(subscriptionFilter('ec2led')).toBe('ec2led/v1/#');
  });

  it('subscribes a device to its accounts and regions only, one filter per pair', () => {
    expect(subscriptionFilters('ec2led', ['123456789012'], ['eu-west-1', 'us-east-1'])).toEqual([
      'ec2led/v1/123456789012/eu-west-1/+',
      'ec2led/v1/123456789012/us-east-1/+',
    ]);
    expect(subscriptionFilters('ec2led', ['123456789012', '123456789012'], ['eu-west-1'])).toEqual([
      'ec2led/v1/123456789012/eu-west-1/+',
    ]);
  });

  it('widens to one filter per account, then to every account, beyond the subscription quota', () => {
    const regions = Array.from({ length: 10 }, (_, i) => `eu-west-${i + 1}`);
    const accounts = (n: number) => Array.from({ length: n }, (_, i) => String(100000000000 + i));
    expect(subscriptionFilters('ec2led', accounts(5), regions)).toHaveLength(MAX_SUBSCRIPTIONS);
    expect(subscriptionFilters('ec2led', accounts(6), regions)).toEqual(
      accounts(6).map((account) => `ec2led/v1/${account}/+/+`),
    );
    expect(subscriptionFilters('ec2led', accounts(MAX_SUBSCRIPTIONS + 1), regions)).toEqual(['ec2led/v1/#']);
  });

  it('builds the IoT ARNs that policies use', () => {
    expect(instanceTopicsArn(scope, 'ec2led')).toBe('arn:aws:iot:us-east-1:123456789012:topic/ec2led/v1/*');
    expect(subscriptionFilterArn(scope, 'ec2led')).toBe(
      'arn:aws:iot:us-east-1:123456789012:topicfilter/ec2led/v1/*',
    );
    expect(clientArn(scope, '${iot:Connection.Thing.ThingName}')).toBe(
      'arn:aws:iot:us-east-1:123456789012:client/${iot:Connection.Thing.ThingName}',
    );
    expect(roleAliasArn(scope, 'ec2led-device')).toBe(
      'arn:aws:iot:us-east-1:123456789012:rolealias/ec2led-device',
    );
  });

  it.each(['', 'a/b', '$aws', 'a+', 'a#', 'x'.repeat(65), 'ec2 led'])(
    'rejects the prefix %j with the fix',
    (prefix) => {
      expect(() => checkTopicPrefix(prefix)).toThrow(/set topicPrefix/);
    },
  );
});
