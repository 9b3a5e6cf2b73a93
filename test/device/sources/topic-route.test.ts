/**
 * The MQTT routes of the sources (instance-topics.ts, alarm-topics.ts) and the one plan of the
 * subscription budget (topic-route.ts `planFilters`), without a broker.
 */
import { describe, expect, it } from 'vitest';
import { alarmRoute } from '../../../device/sources/alarm-topics.ts';
import { instanceRoute } from '../../../device/sources/instance-topics.ts';
import { planFilters } from '../../../device/sources/topic-route.ts';
import { encodeAlarmMessage } from '../../../shared/alarm-message.ts';
import { encodeMessage, type StateMessage } from '../../../shared/message.ts';
import { MAX_SUBSCRIPTIONS } from '../../../shared/topics.ts';

const HOME = '123456789012';
const MESSAGE: StateMessage = {
  v: 1,
  id: 'i-0123456789abcdef0',
  state: 'running',
  time: 1_764_115_200_000,
  region: 'eu-west-1',
  account: HOME,
  event: 'e-1',
};
const bytes = (text: string): ArrayBuffer => new TextEncoder().encode(text).buffer as ArrayBuffer;
const accounts = (n: number) => Array.from({ length: n }, (_, i) => String(100000000000 + i));

describe('planFilters', () => {
  const alarms = alarmRoute('ec2led', { account: HOME, regions: ['eu-west-1', 'us-east-1'], prefixes: [''] });

  it('gives every route its own filters when they all fit', () => {
    const instances = instanceRoute({ topicPrefix: 'ec2led', accounts: [HOME], regions: ['eu-west-1'] });
    expect(planFilters([instances, alarms], MAX_SUBSCRIPTIONS)).toEqual([
      `ec2led/v1/${HOME}/eu-west-1/+`,
      `ec2led/alarm/v1/${HOME}/eu-west-1`,
      `ec2led/alarm/v1/${HOME}/us-east-1`,
    ]);
  });

  it('collapses the later routes to one filter when short, and the first takes the rest, within the budget', () => {
    // 24 accounts x 2 regions = 48 per-region filters: with 2 alarm regions and 1 side topic, 51.
    const instances = instanceRoute({
      topicPrefix: 'ec2led',
      accounts: accounts(24),
      regions: ['eu-west-1', 'us-east-1'],
    });
    const plan = planFilters([instances, alarms], MAX_SUBSCRIPTIONS - 1);
    expect(plan).toHaveLength(49);
    expect(plan.at(-1)).toBe(`ec2led/alarm/v1/${HOME}/+`);
    // 26 accounts: per-region would be 52, so one filter per account (26) and the alarms' two.
    const more = instanceRoute({
      topicPrefix: 'ec2led',
      accounts: accounts(26),
      regions: ['eu-west-1', 'us-east-1'],
    });
    const wide = planFilters([more, alarms], MAX_SUBSCRIPTIONS - 1);
    expect(wide).toHaveLength(28);
    expect(wide[0]).toBe('ec2led/v1/100000000000/+/+');
  });
});

describe('the routes', () => {
  const instances = instanceRoute({ topicPrefix: 'ec2led', accounts: [HOME], regions: ['eu-west-1'] });
  const topic = `ec2led/v1/${HOME}/eu-west-1/${MESSAGE.id}`;

  it('turn a message on their topic into its change, and leave other topics to other routes', () => {
    expect(instances.route(topic, bytes(encodeMessage(MESSAGE)))).toEqual({
      change: {
        id: MESSAGE.id,
        state: 'running',
        timeMs: MESSAGE.time,
        region: 'eu-west-1',
        account: HOME,
        eventId: 'e-1',
      },
    });
    expect(instances.route(`ec2led/alarm/v1/${HOME}/eu-west-1`, bytes('{}'))).toBeUndefined();
  });

  it('say why they drop a message: out of scope, bad payload, topic mismatch, alarm name', () => {
    expect(instances.route(`ec2led/v1/${HOME}/us-east-1/${MESSAGE.id}`, bytes('{}'))).toEqual({
      outOfScope: `${HOME}/us-east-1`,
    });
    expect(instances.route(topic, bytes('{"v":1'))).toMatchObject({ drop: 'bad-payload' });
    expect(
      instances.route(topic, bytes(encodeMessage({ ...MESSAGE, id: 'i-0fedcba987654321f' }))),
    ).toMatchObject({ drop: 'topic-mismatch' });
    const alarms = alarmRoute('ec2led', { account: HOME, regions: ['eu-west-1'], prefixes: ['web-'] });
    const alarm = {
      v: 1 as const,
      kind: 'alarm' as const,
      arn: `arn:aws:cloudwatch:eu-west-1:${HOME}:alarm:db-cpu`,
      name: 'db-cpu',
      state: 'ALARM' as const,
      time: 1_764_115_200_000,
      event: 'e-2',
    };
    expect(alarms.route(`ec2led/alarm/v1/${HOME}/eu-west-1`, bytes(encodeAlarmMessage(alarm)))).toEqual({
      drop: 'out-of-scope',
      why: 'alarm name matches none of alarms.prefixes',
    });
  });
});
