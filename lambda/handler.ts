/**
 * Lambda entry point: wiring only. Environment read once per container, the client created once.
 *
 * - IOT_DATA_ENDPOINT (required): the account's `iot:Data-ATS` endpoint.
 * - TOPIC_PREFIX (default `ec2led`).
 *
 * An invalid event is logged once at `warn` with its id and dropped: a retry cannot fix it.
 * A publish failure throws, so Lambda's async retries and the on-failure destination take over.
 */
import { encodeMessage } from '../shared/message.ts';
import { checkTopicPrefix, DEFAULT_TOPIC_PREFIX, instanceTopic } from '../shared/topics.ts';
import { jsonLogger, type LogFn } from './log.ts';
import { iotDataPublisher, type Publisher } from './publish.ts';
import { translateEvent } from './translate.ts';

export interface HandlerDeps {
  readonly publisher: () => Publisher;
  readonly topicPrefix: string;
  readonly log: LogFn;
}

export type Handler = (event: unknown) => Promise<void>;

export function createHandler(deps: HandlerDeps): Handler {
  checkTopicPrefix(deps.topicPrefix);
  return async (event) => {
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
    try {
      await deps.publisher().publish(topic, encodeMessage(message));
    } catch (error) {
      deps.log('error', 'publish failed', { eventId: message.event, topic, error: String(error) });
      throw error;
    }
    deps.log('info', 'published', { eventId: message.event, topic, state: message.state });
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
