/**
 * Alarm message v1: what the Lambda publishes for a CloudWatch alarm's state change, on its own
 * topic tree (`alarmTopic` in topics.ts), one per change.
 *
 *   {"v":1,"kind":"alarm","name":"web-5xx","state":"ALARM","time":1570036848551,
 *    "arn":"arn:aws:cloudwatch:us-east-1:123456789012:alarm:web-5xx","event":"c4c1c1c9-…"}
 *
 * Contract:
 * - A second kind beside the instance message (message.ts), not a change to it: agents built before
 *   it neither subscribe to its topics nor accept its payload (`kind` is an unknown key to
 *   `decodeMessage`), so they drop it. A test holds both.
 * - `encodeAlarmMessage` writes the keys in this order and nothing else, and throws on a message
 *   `decodeAlarmMessage` would reject.
 * - `decodeAlarmMessage` never throws, whatever it is handed, and rejects anything malformed: the
 *   rules of message.ts (size, JSON, object, unknown or missing keys), a state other than the
 *   three CloudWatch alarm states, an ARN that is not a CloudWatch alarm's, a name that differs from
 *   the ARN's. The rules are one schema, `alarmMessageSchema`.
 * - `time` is when the alarm entered the state (the event's `detail.state.timestamp`, milliseconds);
 *   two messages for one alarm order by it. A decoded message is a hint: DescribeAlarms is the truth.
 */

import { asDecoded, decodePayload, wire } from './message.ts';
import { check, literal, object, oneOf, refine, type Schema, show, text } from './schema.ts';

export const ALARM_MESSAGE_VERSION = 1;
export const ALARM_KIND = 'alarm';
export const ALARM_STATES = ['OK', 'ALARM', 'INSUFFICIENT_DATA'] as const;
export type AlarmState = (typeof ALARM_STATES)[number];
/** CloudWatch's limit on an alarm name (PutMetricAlarm `AlarmName`, 1-255 characters). */
export const MAX_ALARM_NAME = 255;

export interface AlarmMessage {
  readonly v: typeof ALARM_MESSAGE_VERSION;
  readonly kind: typeof ALARM_KIND;
  readonly name: string;
  readonly state: AlarmState;
  /** When the alarm entered `state`, epoch milliseconds. */
  readonly time: number;
  /** `arn:{partition}:cloudwatch:{region}:{account}:alarm:{name}`. */
  readonly arn: string;
  /** The EventBridge event id, for tracing and deduplication. */
  readonly event: string;
}

export type AlarmDecodeResult = { ok: true; message: AlarmMessage } | { ok: false; reason: string };

/** Groups: partition, region, account, name. */
export const ALARM_ARN_PATTERN =
  /^arn:(aws[a-z-]*):cloudwatch:([a-z]{2}(?:-[a-z]+)+-\d{1,2}):(\d{12}):alarm:(.+)$/s;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it refuses
const CONTROL = /[\u0000-\u001f\u007f]/;

export function isAlarmState(value: unknown): value is AlarmState {
  return typeof value === 'string' && (ALARM_STATES as readonly string[]).includes(value);
}

/** Region and account of an alarm ARN, or undefined when it is not one. */
export function parseAlarmArn(
  arn: string,
): { partition: string; region: string; account: string; name: string } | undefined {
  const match = ALARM_ARN_PATTERN.exec(arn);
  if (match === null) return undefined;
  const [, partition, region, account, name] = match as unknown as [string, string, string, string, string];
  return { partition, region, account, name };
}

const alarmArn = refine(text(1, 2048, 'a CloudWatch alarm ARN'), (arn, path) =>
  parseAlarmArn(arn) === undefined ? `${path} ${show(arn)} is not a CloudWatch alarm ARN` : undefined,
);

/** Alarm message v1, key order as encoded; no other key; the name is the ARN's. */
export const alarmMessageSchema: Schema<AlarmMessage> = refine(
  object(
    {
      v: literal(ALARM_MESSAGE_VERSION),
      kind: literal(ALARM_KIND, `"${ALARM_KIND}"`),
      name: text(
        1,
        MAX_ALARM_NAME,
        `1-${MAX_ALARM_NAME} printable characters`,
        (name) => !CONTROL.test(name),
      ),
      state: oneOf(ALARM_STATES, `an alarm state (${ALARM_STATES.join(', ')})`),
      time: wire.time,
      arn: alarmArn,
      event: wire.event,
    },
    { strict: true, what: 'a JSON object', labels: { v: 'version' } },
  ),
  ({ name, arn }) => {
    const arnName = parseAlarmArn(arn)?.name;
    return arnName === name ? undefined : `name ${show(name)} is not the ARN's ${show(arnName)}`;
  },
);

/** Validates a parsed value as an alarm message v1. Never throws. */
export function checkAlarmMessage(value: unknown): AlarmDecodeResult {
  return asDecoded(check(alarmMessageSchema, value, 'message'));
}

/** Decodes a payload as received from MQTT (text, bytes, any buffer). Total: never throws. */
export function decodeAlarmMessage(payload: unknown): AlarmDecodeResult {
  return asDecoded(decodePayload(payload, alarmMessageSchema));
}

/** Encodes in key order. Throws (naming the reason) on a message decode would reject. */
export function encodeAlarmMessage(message: AlarmMessage): string {
  const checked = checkAlarmMessage(message);
  if (!checked.ok) throw new Error(`refusing to encode an invalid alarm message: ${checked.reason}`);
  // The schema rebuilds the message with its keys alone, in its order: the wire's order.
  return JSON.stringify(checked.message);
}
