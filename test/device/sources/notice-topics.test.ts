/**
 * The instance notices' route (notice-topics.ts) over the instances' one, without a broker: state
 * messages pass as before, a notice for the topic's instance is taken and handed over, a notice for
 * another instance and anything else are dropped with a reason.
 */
import { describe, expect, it } from 'vitest';
import { instanceRoute } from '../../../device/sources/instance-topics.ts';
import { withNotices } from '../../../device/sources/notice-topics.ts';
import { encodeMessage, type StateMessage } from '../../../shared/message.ts';
import { encodeNoticeMessage, type NoticeMessage } from '../../../shared/notice-message.ts';
import { instanceTopic } from '../../../shared/topics.ts';

const HOME = '123456789012';
const ID = 'i-0123456789abcdef0';
const TOPIC = instanceTopic('ec2led', { account: HOME, region: 'eu-west-1', instanceId: ID });
const STATE: StateMessage = {
  v: 1,
  id: ID,
  state: 'running',
  time: 1_764_115_200_000,
  region: 'eu-west-1',
  account: HOME,
  event: 'e-1',
};
const NOTICE: NoticeMessage = {
  v: 1,
  kind: 'notice',
  id: ID,
  notice: 'spot-interruption',
  action: 'terminate',
  start: 1_764_115_320_000,
  end: 1_764_115_380_000,
  time: 1_764_115_200_000,
  region: 'eu-west-1',
  account: HOME,
  event: 'e-2',
};
const bytes = (text: string): ArrayBuffer => new TextEncoder().encode(text).buffer as ArrayBuffer;

function route() {
  const taken: NoticeMessage[] = [];
  const states = instanceRoute({ topicPrefix: 'ec2led', accounts: [HOME], regions: ['eu-west-1'] });
  return { states, taken, notices: withNotices(states, 'ec2led', (m) => taken.push(m)) };
}

describe('withNotices', () => {
  it('subscribes nothing more than the instances do', () => {
    const { states, notices } = route();
    expect(notices.filters(50)).toEqual(states.filters(50));
  });

  it('lets a state message through as its change, and takes a notice for the same instance', () => {
    const { states, notices, taken } = route();
    const payload = bytes(encodeMessage(STATE));
    expect(notices.route(TOPIC, payload)).toEqual(states.route(TOPIC, payload));
    expect(notices.route(TOPIC, bytes(encodeNoticeMessage(NOTICE)))).toEqual({ taken: true });
    expect(taken).toEqual([NOTICE]);
  });

  it('drops a notice naming another instance, and keeps the state decoder reason for anything else', () => {
    const { notices, taken } = route();
    const other = encodeNoticeMessage({ ...NOTICE, id: 'i-0fedcba9876543210' });
    expect(notices.route(TOPIC, bytes(other))).toEqual({
      drop: 'topic-mismatch',
      why: 'topic does not match notice i-0fedcba9876543210',
    });
    expect(notices.route(TOPIC, bytes('{"v":1,"kind":"notice"}'))).toMatchObject({ drop: 'bad-payload' });
    expect(notices.route(TOPIC, bytes('not json'))).toMatchObject({ drop: 'bad-payload' });
    // Out of scope and other topics as the instances' route says: never tried as notices.
    const elsewhere = instanceTopic('ec2led', {
      account: '999999999999',
      region: 'eu-west-1',
      instanceId: ID,
    });
    expect(notices.route(elsewhere, bytes(encodeNoticeMessage(NOTICE)))).toEqual({
      outOfScope: '999999999999/eu-west-1',
    });
    expect(notices.route('ec2led/other', bytes(encodeNoticeMessage(NOTICE)))).toBeUndefined();
    expect(taken).toEqual([]);
  });
});
