/**
 * Lambda entry point: wiring only. Environment read once per container, the client created once.
 *
 * - IOT_DATA_ENDPOINT (required): the account's `iot:Data-ATS` endpoint.
 * - TOPIC_PREFIX (default `ec2led`).
 *
 * EC2 state changes go to the instance topic; CloudWatch alarm state changes (`source` is
 * `aws.cloudwatch`) to the alarm topic of the alarm's account and region; CodePipeline execution and
 * ECS deployment state changes to the deploy topic of the pipeline's or service's account and region
 * (a SUPERSEDED execution is skipped, logged at `info`); instance notices (Spot, rebalance, Health
 * scheduled changes: translate-notice.ts) to each instance's own topic.
 * An invalid event is logged once at `warn` with its id and dropped: a retry cannot fix it.
 * A publish failure throws, so Lambda's async retries and the on-failure destination take over.
 */
import { encodeAlarmMessage, parseAlarmArn } from '../shared/alarm-message.ts';
import { encodeDeployMessage, parseDeployArn } from '../shared/deploy-message.ts';
import { encodeMessage } from '../shared/message.ts';
import { encodeNoticeMessage } from '../shared/notice-message.ts';
import {
  alarmTopic,
  checkTopicPrefix,
  DEFAULT_TOPIC_PREFIX,
  deployTopic,
  instanceTopic,
} from '../shared/topics.ts';
import { jsonLogger, type LogFn } from './log.ts';
import { iotDataPublisher, type Publisher } from './publish.ts';
import { translateEvent } from './translate.ts';
import { CLOUDWATCH_SOURCE, translateAlarmEvent } from './translate-alarm.ts';
import { CODEPIPELINE_SOURCE, ECS_SOURCE, translateDeployEvent } from './translate-deploy.ts';
import { isNoticeEvent, translateNoticeEvent } from './translate-notice.ts';

export interface HandlerDeps {
  readonly publisher: () => Publisher;
  readonly topicPrefix: string;
  readonly log: LogFn;
}

export type Handler = (event: unknown) => Promise<void>;

export function createHandler(deps: HandlerDeps): Handler {
  checkTopicPrefix(deps.topicPrefix);
  const send = async (topic: string, payload: string, eventId: string, state: string): Promise<void> => {
    try {
      await deps.publisher().publish(topic, payload);
    } catch (error) {
      deps.log('error', 'publish failed', { eventId, topic, error: String(error) });
      throw error;
    }
    deps.log('info', 'published', { eventId, topic, state });
  };
  return async (event) => {
    const source =
      typeof event === 'object' && event !== null ? (event as { source?: unknown }).source : undefined;
    if (source === CLOUDWATCH_SOURCE) {
      const result = translateAlarmEvent(event);
      if (!result.ok) {
        deps.log('warn', 'dropped invalid event', { eventId: result.eventId, reason: result.reason });
        return;
      }
      const { message } = result;
      // The ARN passed checkAlarmMessage, so it parses.
      const arn = parseAlarmArn(message.arn) as { account: string; region: string };
      const topic = alarmTopic(deps.topicPrefix, { account: arn.account, region: arn.region });
      await send(topic, encodeAlarmMessage(message), message.event, message.state);
      return;
    }
    if (isNoticeEvent(event)) {
      const notices = translateNoticeEvent(event);
      if (!notices.ok) {
        deps.log('warn', 'dropped invalid event', { eventId: notices.eventId, reason: notices.reason });
        return;
      }
      if (notices.skipped > 0)
        deps.log('warn', 'notice for too many instances', { skipped: notices.skipped });
      for (const notice of notices.messages) {
        const topic = instanceTopic(deps.topicPrefix, {
          account: notice.account,
          region: notice.region,
          instanceId: notice.id,
        });
        await send(topic, encodeNoticeMessage(notice), notice.event, notice.notice);
      }
      return;
    }
    if (source === CODEPIPELINE_SOURCE || source === ECS_SOURCE) {
      const result = translateDeployEvent(event);
      if (!result.ok) {
        if (result.skipped === true)
          deps.log('info', 'skipped event', { eventId: result.eventId, reason: result.reason });
        else deps.log('warn', 'dropped invalid event', { eventId: result.eventId, reason: result.reason });
        return;
      }
      const { message } = result;
      // The ARN passed checkDeployMessage, so it parses.
      const arn = parseDeployArn(message.arn) as { account: string; region: string };
      const topic = deployTopic(deps.topicPrefix, { account: arn.account, region: arn.region });
      await send(topic, encodeDeployMessage(message), message.event, message.state);
      return;
    }
    const result = translateEvent(event);
    if (!result.ok) {
      deps.log('warn', 'dropped invalid event', { eventId: result.eventId, reason: result.reason });
      return;
    }
    const { message } = result;
    const topic = instanceTopic(deps.topicPrefix, {
      account: message.account,
      region: message.region,
      instanceId: message.id,
    });
    await send(topic, encodeMessage(message), message.event, message.state);
  };
}

let publisher: Publisher | undefined;

function environmentPublisher(): Publisher {
  if (publisher === undefined) {
    const endpoint = process.env.IOT_DATA_ENDPOINT;
    if (endpoint === undefined || endpoint === '') {
      throw new Error(
        'IOT_DATA_ENDPOINT is not set; deploy with the CDK stack, which sets it to the iot:Data-ATS endpoint',
      );
    }
    publisher = iotDataPublisher(endpoint);
  }
  return publisher;
}

export const handler: Handler = createHandler({
  publisher: environmentPublisher,
  topicPrefix: process.env.TOPIC_PREFIX || DEFAULT_TOPIC_PREFIX,
  log: jsonLogger(),
});
