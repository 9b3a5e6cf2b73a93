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
 *   rules of message.ts (size, JSON, flat object, unknown or missing keys), a state other than the
 *   three CloudWatch alarm states, an ARN that is not a CloudWatch alarm's, a name that differs from
 *   the ARN's.
 * - `time` is when the alarm entered the state (the event's `detail.state.timestamp`, milliseconds);
 *   two messages for one alarm order by it. A decoded message is a hint: DescribeAlarms is the truth.
 */

import { bytesOf, checkFlatRecord, show } from './message.ts';
import { EVENT_ID_PATTERN } from './patterns.ts';

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
const KEYS = ['v', 'kind', 'name', 'state', 'time', 'arn', 'event'] as const;

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

/** Validates a parsed value as an alarm message v1. Never throws. */
export function checkAlarmMessage(value: unknown): AlarmDecodeResult {
  const flat = checkFlatRecord(value, KEYS);
  if (!flat.ok) return flat;
  const record = flat.record;
  const { v, kind, name, state, time, arn, event } = record;
  if (v !== ALARM_MESSAGE_VERSION) {
    return { ok: false, reason: `version ${show(v)} is not ${ALARM_MESSAGE_VERSION}` };
  }
  if (kind !== ALARM_KIND) return { ok: false, reason: `kind ${show(kind)} is not "${ALARM_KIND}"` };
  if (typeof name !== 'string' || name.length === 0 || name.length > MAX_ALARM_NAME || CONTROL.test(name)) {
    return { ok: false, reason: `name ${show(name)} is not 1-${MAX_ALARM_NAME} printable characters` };
  }
  if (!isAlarmState(state)) {
    return { ok: false, reason: `state ${show(state)} is not an alarm state (${ALARM_STATES.join(', ')})` };
  }
  if (typeof time !== 'number' || !Number.isSafeInteger(time) || time < 0) {
    return { ok: false, reason: `time ${show(time)} is not epoch milliseconds` };
  }
  const parsed = typeof arn === 'string' ? parseAlarmArn(arn) : undefined;
  if (typeof arn !== 'string' || parsed === undefined) {
    return { ok: false, reason: `arn ${show(arn)} is not a CloudWatch alarm ARN` };
  }
  if (parsed.name !== name)
    return { ok: false, reason: `name ${show(name)} is not the ARN's ${show(parsed.name)}` };
  if (typeof event !== 'string' || !EVENT_ID_PATTERN.test(event)) {
    return { ok: false, reason: `event ${show(event)} is not an event id` };
  }
  return { ok: true, message: { v: ALARM_MESSAGE_VERSION, kind: ALARM_KIND, name, state, time, arn, event } };
}

/** Decodes a payload as received from MQTT (text, bytes, any buffer). Total: never throws. */
export function decodeAlarmMessage(payload: unknown): AlarmDecodeResult {
  const read = bytesOf(payload);
  if ('reason' in read) return { ok: false, reason: read.reason };
  if (read.bytes.byteLength === 0) return { ok: false, reason: 'payload is empty' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(read.bytes));
  } catch (error) {
    return { ok: false, reason: `payload is not UTF-8 JSON: ${(error as Error).message}` };
  }
  return checkAlarmMessage(parsed);
}

/** Encodes in key order. Throws (naming the reason) on a message decode would reject. */
export function encodeAlarmMessage(message: AlarmMessage): string {
  const checked = checkAlarmMessage(message);
  if (!checked.ok) throw new Error(`refusing to encode an invalid alarm message: ${checked.reason}`);
  const m = checked.message;
  return JSON.stringify({
    v: m.v,
    kind: m.kind,
    name: m.name,
    state: m.state,
    time: m.time,
    arn: m.arn,
    event: m.event,
  });
}
