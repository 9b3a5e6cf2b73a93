/** End to end without AWS: an event forwarded from eu-west-1 to the home bus, through the real handler. */
import { describe, expect, it } from 'vitest';
import { createHandler } from '../../lambda/handler.ts';
import type { Publisher } from '../../lambda/publish.ts';
import { decodeMessage } from '../../shared/message.ts';
import { fixture } from '../fixtures/load.ts';

function recordingPublisher() {
  const published: Array<{ topic: string; payload: string }> = [];
  const publisher: Publisher = {
    async publish(topic, payload) {
      published.push({ topic, payload });
    },
  };
  return { published, publisher };
}

describe('events forwarded from another region', () => {
  it.each([
    ['forwarded-eu-west-1', 'running'],
    ['forwarded-rewritten-envelope', 'stopped'],
  ])('%s is published under the instance region eu-west-1 and its own account', async (name, state) => {
    const { published, publisher } = recordingPublisher();
    const handler = createHandler({ publisher: () => publisher, topicPrefix: 'ec2led', log: () => {} });

    await handler(fixture('eventbridge', name));

    expect(published.map((entry) => entry.topic)).toEqual([
      'ec2led/v1/123456789012/eu-west-1/i-0a1b2c3d4e5f60718',
    ]);
    const decoded = decodeMessage(published[0]?.payload ?? '');
    expect(decoded.ok && decoded.message).toMatchObject({
      region: 'eu-west-1',
      account: '123456789012',
      id: 'i-0a1b2c3d4e5f60718',
      state,
    });
  });
});
