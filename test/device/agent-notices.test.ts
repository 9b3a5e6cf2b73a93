/**
 * Instance notices end to end on 127.0.0.1: real mosquitto (mutual TLS), FakeEc2 answering
 * DescribeInstanceStatus, the real agent. A listing with a scheduled event lights the overlay; a stop
 * ends it; a Spot warning published as the Lambda would lights it at once, urgent.
 */
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { type Agent, startAgent } from '../../device/agent/agent.ts';
import { silentLogger } from '../../device/base/log.ts';
import type { LegendNotice } from '../../device/picture/legend.ts';
import { encodeNoticeMessage } from '../../shared/notice-message.ts';
import { instanceTopic } from '../../shared/topics.ts';
import { connectPublisher, type Publisher } from '../fakes/mqtt-publisher.ts';
import { waitFor } from '../fakes/wait.ts';
import { ACCOUNT, instance, REGION, startWorld, type World } from '../fakes/world.ts';

const NOT_BEFORE = Date.now() + 7 * 24 * 3_600_000;
const WEB = {
  ...instance(1, 'running', 'web'),
  events: [{ code: 'system-reboot', notBeforeMs: NOT_BEFORE, notAfterMs: NOT_BEFORE + 7_200_000 }],
};
const API = instance(2, 'running', 'api');

let world: World;
let agent: Agent | undefined;
let publisher: Publisher | undefined;

function noticeOf(a: Agent, name: string): LegendNotice | undefined {
  return a.legend().pixels.find((p) => p.entry?.name === name)?.entry?.notice;
}

beforeAll(async () => {
  world = await startWorld([WEB, API]);
});
afterEach(async () => {
  await agent?.stop();
  agent = undefined;
});
afterAll(async () => {
  await publisher?.close();
  await world?.close();
});

it('shows a listed scheduled event on its pixel, in /metrics, and ends it when the instance stops', async () => {
  const a = await startAgent({ config: world.config, log: silentLogger });
  agent = a;
  const notice = await waitFor('notice listed', () => noticeOf(a, 'web'), 8_000);
  expect(notice).toEqual({ code: 'system-reboot', startMs: NOT_BEFORE, endMs: NOT_BEFORE + 7_200_000 });
  expect(noticeOf(a, 'api')).toBeUndefined();
  expect(a.metrics()).toContain('ec2led_notices{notice="system-reboot"} 1');
  expect(world.ec2.statusCalls[REGION]).toBeGreaterThanOrEqual(1);

  await world.publish(WEB.instanceId, 'stopping', Date.now());
  await waitFor('notice ended', () => noticeOf(a, 'web') === undefined, 3_000);
  expect(a.metrics()).toContain('ec2led_notices{notice="system-reboot"} 0');
});

it('shows a Spot warning the moment it arrives, urgent, on the instance it names; acknowledged until it ends', async () => {
  const a = await startAgent({ config: world.config, log: silentLogger });
  agent = a;
  await waitFor('synced', () => a.legend().synced, 8_000);
  publisher ??= await connectPublisher(world.broker.port, world.pki);
  const now = Date.now();
  await publisher.publish(
    instanceTopic('ec2led', { account: ACCOUNT, region: REGION, instanceId: API.instanceId }),
    encodeNoticeMessage({
      v: 1,
      kind: 'notice',
      id: API.instanceId,
      notice: 'spot-interruption',
      action: 'terminate',
      start: now + 120_000,
      end: now + 180_000,
      time: now,
      region: REGION,
      account: ACCOUNT,
      event: 'spot-e2e',
    }),
  );
  const notice = await waitFor('spot notice', () => noticeOf(a, 'api'), 3_000);
  expect(notice).toEqual({
    code: 'spot-interruption',
    action: 'terminate',
    startMs: now + 120_000,
    endMs: now + 180_000,
    urgent: true,
  });
  expect(a.metrics()).toContain('ec2led_notice_messages_received_total 1');

  // The urgent notice can be acknowledged (picture/attention.ts): `all` takes it, the legend says who.
  const entryOf = () => a.legend().pixels.find((p) => p.entry?.name === 'api')?.entry;
  expect(a.acknowledge({ all: true }, 'cli')).toEqual({
    ok: true,
    ids: [API.instanceId],
    message: `acknowledged "api" (${API.instanceId})`,
  });
  await waitFor('acknowledged', () => entryOf()?.attention?.acknowledged, 3_000);
  expect(entryOf()?.attention?.acknowledged?.by).toBe('cli');
  expect(a.metrics()).toContain('ec2led_acknowledged_items 1');
  expect(a.acknowledge({ all: true }, 'cli')).toMatchObject({ ok: true, ids: [] });

  // The instance stops: the notice ends, and the acknowledgement with it.
  await world.publish(API.instanceId, 'stopping', Date.now());
  await waitFor('notice ended', () => noticeOf(a, 'api') === undefined, 3_000);
  await waitFor('acknowledgement ended', () => a.metrics().includes('ec2led_acknowledged_items 0'), 3_000);
  expect(entryOf()?.attention).toBeUndefined();
});
