import { describe, expect, it } from 'vitest';
import { isDeployEvent, translateDeployEvent } from '../../lambda/translate-deploy.ts';
import {
  type DeployMessage,
  decodeDeployMessage,
  encodeDeployMessage,
  parseDeployArn,
} from '../../shared/deploy-message.ts';
import { decodeMessage } from '../../shared/message.ts';
import { fixture } from '../fixtures/load.ts';

type Event = Record<string, unknown> & { detail: Record<string, unknown> };
const sample = (name: string) => fixture('deploy', name) as Event;

describe('translateDeployEvent', () => {
  it('translates the documented pipeline FAILED sample, its start from detail.start-time', () => {
    expect(translateDeployEvent(sample('pipeline-failed'))).toEqual({
      ok: true,
      message: {
        v: 1,
        kind: 'deploy',
        name: 'myFailedPipeline',
        state: 'deploy-failed',
        start: Date.parse('2021-01-31T18:55:43.910Z'),
        time: Date.parse('2021-01-31T18:55:43Z'),
        arn: 'arn:aws:codepipeline:us-west-2:123456789012:myFailedPipeline',
        run: '12345678-1234-5678-abcd-12345678abcd',
        event: '01234567-EXAMPLE',
      },
    });
  });

  it("takes the event's time for the start when the sample has no start-time", () => {
    const result = translateDeployEvent(sample('pipeline-started'));
    expect(result.ok && [result.message.state, result.message.start, result.message.time]).toEqual([
      'deploying',
      Date.parse('2020-01-24T22:03:07Z'),
      Date.parse('2020-01-24T22:03:07Z'),
    ]);
  });

  it('maps every pipeline state, and skips SUPERSEDED (a newer execution carries the state)', () => {
    const states = ['STARTED', 'RESUMED', 'STOPPING', 'SUCCEEDED', 'FAILED', 'STOPPED', 'CANCELED'];
    const event = sample('pipeline-started');
    expect(
      states.map((state) => {
        const result = translateDeployEvent({ ...event, detail: { ...event.detail, state } });
        return result.ok ? result.message.state : result.reason;
      }),
    ).toEqual([
      'deploying',
      'deploying',
      'deploying',
      'deployed',
      'deploy-failed',
      'deploy-stopped',
      'deploy-stopped',
    ]);
    expect(translateDeployEvent({ ...event, detail: { ...event.detail, state: 'SUPERSEDED' } })).toEqual({
      ok: false,
      skipped: true,
      eventId: '01234567-EXAMPLE',
      reason: "SUPERSEDED: a newer execution carries the pipeline's state",
    });
  });

  it('translates the documented ECS samples, ordered by updatedAt', () => {
    const names = ['ecs-in-progress', 'ecs-completed', 'ecs-failed'];
    const results = names.map((name) => translateDeployEvent(sample(name)));
    expect(results.map((r) => r.ok && r.message.state)).toEqual(['deploying', 'deployed', 'deploy-failed']);
    expect(results[0]).toEqual({
      ok: true,
      message: {
        v: 1,
        kind: 'deploy',
        name: 'servicetest',
        state: 'deploying',
        start: Date.parse('2020-05-23T11:11:11Z'),
        time: Date.parse('2020-05-23T11:11:11Z'),
        arn: 'arn:aws:ecs:us-west-2:111122223333:service/default/servicetest',
        run: 'ecs-svc/123',
        event: 'ddca6449-b258-46c0-8653-e0e3a6EXAMPLE',
      },
    });
  });

  it('names what is wrong with a malformed event', () => {
    const pipeline = sample('pipeline-failed');
    const ecs = sample('ecs-failed');
    const reasons = [
      { ...pipeline, resources: ['arn:aws:ecs:us-west-2:123456789012:service/a/b'] },
      { ...pipeline, detail: { ...pipeline.detail, pipeline: 'other' } },
      { ...pipeline, detail: { ...pipeline.detail, state: 'EXPLODED' } },
      { ...pipeline, detail: { ...pipeline.detail, 'start-time': 'yesterday' } },
      { ...ecs, detail: { ...ecs.detail, eventName: 'SERVICE_STEADY_STATE' } },
      { ...ecs, detail: { ...ecs.detail, deploymentId: { nested: true } } },
      { ...ecs, 'detail-type': 'ECS Task State Change' },
      { ...ecs, id: 7 },
    ].map((event) => {
      const result = translateDeployEvent(event);
      return result.ok ? 'ok' : result.reason;
    });
    expect(reasons).toEqual([
      'resources holds no CodePipeline pipeline ARN',
      'resources names pipeline "myFailedPipeline", detail names "other"',
      expect.stringMatching(/^detail.state "EXPLODED" is not a pipeline execution state/),
      'detail.start-time "yesterday" is not an ISO-8601 time',
      expect.stringMatching(/^detail.eventName "SERVICE_STEADY_STATE" is not an ECS deployment event name/),
      'detail.deploymentId {"nested":true} is not a string',
      'detail-type "ECS Task State Change" is not ECS Deployment State Change',
      'envelope has no string id',
    ]);
    expect(isDeployEvent(ecs)).toBe(true);
    expect(isDeployEvent({ ...ecs, 'detail-type': 'ECS Task State Change' })).toBe(false);
  });
});

describe('deploy message v1', () => {
  const message: DeployMessage = {
    v: 1,
    kind: 'deploy',
    name: 'servicetest',
    state: 'deployed',
    start: 1,
    time: 2,
    arn: 'arn:aws:ecs:us-west-2:111122223333:service/default/servicetest',
    run: 'ecs-svc/123',
    event: 'e-1',
  };

  it('round-trips in key order, and an instance decoder refuses it', () => {
    const text = encodeDeployMessage(message);
    expect(Object.keys(JSON.parse(text))).toEqual([
      'v',
      'kind',
      'name',
      'state',
      'start',
      'time',
      'arn',
      'run',
      'event',
    ]);
    expect(decodeDeployMessage(text)).toEqual({ ok: true, message });
    expect(decodeMessage(text).ok).toBe(false);
  });

  it("refuses a name that is not the ARN's, an unknown state, and anything but text or bytes", () => {
    expect(decodeDeployMessage(JSON.stringify({ ...message, name: 'other' }))).toEqual({
      ok: false,
      reason: 'name "other" is not the ARN\'s "servicetest"',
    });
    expect(decodeDeployMessage(JSON.stringify({ ...message, state: 'running' })).ok).toBe(false);
    expect(decodeDeployMessage(42).ok).toBe(false);
    expect(decodeDeployMessage(new ArrayBuffer(0)).ok).toBe(false);
    expect(() => encodeDeployMessage({ ...message, start: -1 })).toThrow(
      /start -1 is not epoch milliseconds/,
    );
  });

  it('parses both ARN shapes and nothing else', () => {
    expect(parseDeployArn('arn:aws:codepipeline:eu-west-1:123456789012:shop.web@2')).toEqual({
      service: 'codepipeline',
      region: 'eu-west-1',
      account: '123456789012',
      name: 'shop.web@2',
    });
    expect(parseDeployArn(message.arn)?.cluster).toBe('default');
    expect(parseDeployArn('arn:aws:ecs:us-west-2:111122223333:service/servicetest')).toBeUndefined();
    expect(parseDeployArn('arn:aws:cloudwatch:us-east-1:123456789012:alarm:x')).toBeUndefined();
  });
});
