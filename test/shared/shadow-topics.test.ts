import { describe, expect, it } from 'vitest';
import {
  MAX_SUBSCRIPTIONS,
  SHADOW_RESPONSES,
  shadowRequestArns,
  shadowResponseArns,
  shadowTopic,
  subscriptionFilters,
} from '../../shared/topics.ts';

const scope = { partition: 'aws', region: 'eu-west-1', account: '123456789012' };
const VARIABLE = '${iot:Connection.Thing.ThingName}';

describe('settings shadow topics', () => {
  it('builds the named shadow topics of the Device Shadow service', () => {
    expect(shadowTopic('desk-pi', 'get')).toBe('$aws/things/desk-pi/shadow/name/ec2led-settings/get');
    expect(shadowTopic('desk-pi', 'update/delta')).toBe(
      '$aws/things/desk-pi/shadow/name/ec2led-settings/update/delta',
    );
    expect(shadowTopic('desk-pi', 'update', 'other')).toBe('$aws/things/desk-pi/shadow/name/other/update');
  });

  it('names each topic of the thing in the policy variable exactly, no wildcard', () => {
    const base = `arn:aws:iot:eu-west-1:123456789012:topic/$aws/things/${VARIABLE}/shadow/name/ec2led-settings`;
    expect(shadowRequestArns(scope, VARIABLE)).toEqual([`${base}/get`, `${base}/update`]);
    expect(shadowResponseArns(scope, VARIABLE, 'topicfilter')).toEqual(
      ['get/accepted', 'get/rejected', 'update/accepted', 'update/rejected', 'update/delta'].map(
        (op) => `${base.replace(':topic/', ':topicfilter/')}/${op}`,
      ),
    );
    expect(shadowResponseArns(scope, VARIABLE, 'topic')).toHaveLength(5);
  });

  it('leaves room for the shadow topics in the per-connection subscription quota', () => {
    const accounts = Array.from({ length: 5 }, (_, i) => String(100000000000 + i));
    const regions = Array.from({ length: 10 }, (_, i) => `eu-west-${i + 1}`);
    const filters = subscriptionFilters(
      'ec2led',
      accounts,
      regions,
      MAX_SUBSCRIPTIONS - SHADOW_RESPONSES.length,
    );
    expect(filters).toHaveLength(5);
    expect(filters[0]).toBe('ec2led/v1/100000000000/+/+');
    expect(filters.length + SHADOW_RESPONSES.length).toBeLessThanOrEqual(MAX_SUBSCRIPTIONS);
  });
});
