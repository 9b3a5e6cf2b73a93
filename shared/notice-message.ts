/**
 * Notice message v1: what the Lambda publishes when something is about to happen to an EC2 instance
 * (a Spot interruption, a rebalance recommendation, a scheduled event), on the instance's own topic
 * (`instanceTopic` in topics.ts), one per instance and event.
 *
 *   {"v":1,"kind":"notice","id":"i-0abc…","notice":"spot-interruption","action":"terminate",
 *    "start":1700000120000,"end":1700000180000,"time":1700000000000,
 *    "region":"us-east-1","account":"123456789012","event":"7bf73129-…"}
 *
 * Contract:
 * - A second message on the instance topics beside the state message (message.ts), not a change to
 *   it: agents built before it take `kind` for an unknown key and drop the payload, counted and
 *   logged at most 10 times and then every 100th (sources/mqtt.ts `drop`). A test holds both.
 * - `encodeNoticeMessage` writes the keys in this order and nothing else, and throws on a message
 *   `decodeNoticeMessage` would reject.
 * - `decodeNoticeMessage` never throws, whatever it is handed, and rejects anything malformed: the
 *   rules of message.ts (size, JSON, object, unknown or missing keys), an unknown notice code,
 *   an action that is not a short lowercase word (or ""), times that are not epoch milliseconds or
 *   an `end` before `start`. The rules are one schema, `noticeMessageSchema` (shared/schema.ts).
 * - `start` is when the thing is due (the interruption, the maintenance window's opening), `end`
 *   when the notice stops showing; `time` is the event's own time. A notice is a hint with a clock:
 *   the device drops it at `end`, or when the instance stops or terminates.
 */

import { asDecoded, decodePayload, wire } from './message.ts';
import { check, literal, object, oneOf, pattern, refine, type Schema, show } from './schema.ts';

export const NOTICE_MESSAGE_VERSION = 1;
export const NOTICE_KIND = 'notice';

/**
 * What is about to happen. The scheduled codes are DescribeInstanceStatus's `Events[].Code`
 * (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_InstanceStatusEvent.html);
 * `scheduled-change` is an AWS Health scheduled change for EC2 whose type maps to none of them.
 */
export const NOTICE_CODES = [
  'spot-interruption',
  'rebalance',
  'instance-reboot',
  'system-reboot',
  'system-maintenance',
  'instance-retirement',
  'instance-stop',
  'scheduled-change',
] as const;
export type NoticeCode = (typeof NOTICE_CODES)[number];

/**
 * The one place that says which notices are urgent (they can be acknowledged, issue "acknowledge
 * and snooze"): a Spot interruption, due in about two minutes.
 */
export const URGENT_NOTICES: readonly NoticeCode[] = ['spot-interruption'];
export function isUrgentNotice(code: NoticeCode): boolean {
  return URGENT_NOTICES.includes(code);
}

/**
 * How long a Spot warning shows: the two minutes AWS gives and one more for the state change that
 * follows (the interruption itself ends the notice sooner).
 */
export const SPOT_NOTICE_MS = 3 * 60_000;
/** A rebalance recommendation names no time; it shows for an hour unless the instance stops first. */
export const REBALANCE_NOTICE_MS = 60 * 60_000;
/** A scheduled change without an end time shows for a day past its start. */
export const SCHEDULED_DEFAULT_MS = 24 * 60 * 60_000;

export interface NoticeMessage {
  readonly v: typeof NOTICE_MESSAGE_VERSION;
  readonly kind: typeof NOTICE_KIND;
  /** EC2 instance id. */
  readonly id: string;
  readonly notice: NoticeCode;
  /** Spot's `instance-action` (terminate, stop, hibernate); "" for the others. */
  readonly action: string;
  /** When it is due, epoch milliseconds. */
  readonly start: number;
  /** When the notice stops showing, epoch milliseconds (>= start). */
  readonly end: number;
  /** The event's time, epoch milliseconds. */
  readonly time: number;
  readonly region: string;
  readonly account: string;
  /** The EventBridge event id. */
  readonly event: string;
}

export type NoticeDecodeResult = { ok: true; message: NoticeMessage } | { ok: false; reason: string };

const ACTION_PATTERN = /^[a-z-]{0,32}$/;

export function isNoticeCode(value: unknown): value is NoticeCode {
  return typeof value === 'string' && (NOTICE_CODES as readonly string[]).includes(value);
}

/** Notice message v1, key order as encoded; no other key (the kit: schema.ts). */
export const noticeMessageSchema: Schema<NoticeMessage> = refine(
  object(
    {
      v: literal(NOTICE_MESSAGE_VERSION),
      kind: literal(NOTICE_KIND, `"${NOTICE_KIND}"`),
      id: wire.instanceId,
      notice: oneOf(NOTICE_CODES, `one of ${NOTICE_CODES.join(', ')}`),
      action: pattern(ACTION_PATTERN, 'a lowercase word of 32 letters or fewer'),
      start: wire.time,
      end: wire.time,
      time: wire.time,
      region: wire.region,
      account: wire.account,
      event: wire.event,
    },
    { strict: true, what: 'a JSON object', labels: { v: 'version' } },
  ),
  (m) => (m.end < m.start ? `end ${show(m.end)} is before start ${show(m.start)}` : undefined),
);

/** Validates a parsed value as a notice message v1. Never throws. */
export function checkNoticeMessage(value: unknown): NoticeDecodeResult {
  return asDecoded(check(noticeMessageSchema, value, 'message'));
}

/** Decodes a payload as received from MQTT. Total: never throws, whatever it is handed. */
export function decodeNoticeMessage(payload: unknown): NoticeDecodeResult {
  return asDecoded(decodePayload(payload, noticeMessageSchema));
}

/** Encodes a message in key order. Throws (naming the reason) on a message decode would reject. */
export function encodeNoticeMessage(message: NoticeMessage): string {
  const checked = checkNoticeMessage(message);
  if (!checked.ok) throw new Error(`refusing to encode an invalid notice message: ${checked.reason}`);
  // The schema rebuilds the message with its keys alone, in its order: the wire's order.
  return JSON.stringify(checked.message);
}
