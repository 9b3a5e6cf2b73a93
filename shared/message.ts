/**
 * Wire message v1: what the Lambda publishes and the device receives, one per state change.
 *
 *   {"v":1,"id":"i-0abc…","state":"running","time":1636666194000,
 *    "region":"us-east-1","account":"123456789012","event":"7bf73129-…"}
 *
 * Contract:
 * - `encodeMessage` writes the keys in this order and nothing else; it throws on a message that
 *   `decodeMessage` would reject, so a bad message never leaves its producer.
 * - `decodeMessage` never throws, whatever it is handed (text, bytes, an empty, detached or shared
 *   buffer, any view). It returns the message or a reason naming the field, the value and what it
 *   must be, and rejects anything malformed: empty, not JSON, over 4 KB, not an object, an unknown
 *   or missing key, a wrong type (a nested value included), an unknown state, an instance id that
 *   is not `i-` followed by 8 or 17 lowercase hex digits, a bad region or account. The rules are one
 *   declarative schema, `stateMessageSchema` (the kit is schema.ts).
 * - A decoded message is only a hint: the device still applies it through `supersedes`.
 */

import { INSTANCE_STATES, type InstanceState } from './instance-state.ts';
import { ACCOUNT_PATTERN, EVENT_ID_PATTERN, REGION_PATTERN } from './patterns.ts';
import {
  check,
  int,
  isRecord,
  literal,
  object,
  oneOf,
  type Parsed,
  pattern,
  type Schema,
  show,
} from './schema.ts';

export const MESSAGE_VERSION = 1;
/** Larger payloads are refused before parsing. A real v1 message is about 170 bytes. */
export const MAX_MESSAGE_BYTES = 4096;

export interface StateMessage {
  readonly v: typeof MESSAGE_VERSION;
  /** EC2 instance id. */
  readonly id: string;
  readonly state: InstanceState;
  /** Event time, epoch milliseconds (EventBridge gives whole seconds). */
  readonly time: number;
  readonly region: string;
  readonly account: string;
  /** The EventBridge event id, for tracing and deduplication. */
  readonly event: string;
}

export type DecodeResult = { ok: true; message: StateMessage } | { ok: false; reason: string };

export const INSTANCE_ID_PATTERN = /^i-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;

/** The fields every wire message shares, one schema each, so the kinds' messages say the same. */
export const wire = {
  time: int(0, Number.MAX_SAFE_INTEGER, 'epoch milliseconds'),
  region: pattern(REGION_PATTERN, 'an AWS region'),
  account: pattern(ACCOUNT_PATTERN, '12 digits'),
  event: pattern(EVENT_ID_PATTERN, 'an event id'),
  instanceId: pattern(INSTANCE_ID_PATTERN, '"i-" followed by 8 or 17 hex digits'),
  instanceState: oneOf(INSTANCE_STATES, `an EC2 state (${INSTANCE_STATES.join(', ')})`),
};

/** A value for a reason text (schema.ts): kept here for modules written before the kit. */
export { show };

/**
 * The shape the wire messages shared before schema.ts: a JSON object with exactly `keys`, none of
 * them nested. Kept for messages written against it this round; a new message declares an
 * `object(..., { strict: true })` schema instead, which gives better reasons.
 */
export function checkFlatRecord(
  value: unknown,
  keys: readonly string[],
): { ok: true; record: Record<string, unknown> } | { ok: false; reason: string } {
  if (!isRecord(value)) return { ok: false, reason: 'message is not a JSON object' };
  for (const key of Object.keys(value)) {
    if (!keys.includes(key)) return { ok: false, reason: `unexpected key ${show(key)}` };
    const field = value[key];
    if (typeof field === 'object' && field !== null) return { ok: false, reason: `key ${key} is nested` };
  }
  for (const key of keys) {
    if (!Object.hasOwn(value, key)) return { ok: false, reason: `missing key ${key}` };
  }
  return { ok: true, record: value };
}

/** Message v1, key order as encoded; no other key. */
export const stateMessageSchema: Schema<StateMessage> = object(
  {
    v: literal(MESSAGE_VERSION),
    id: wire.instanceId,
    state: wire.instanceState,
    time: wire.time,
    region: wire.region,
    account: wire.account,
    event: wire.event,
  },
  { strict: true, what: 'a JSON object', labels: { v: 'version' } },
);

/** A parse result as the decoders return it: `message` instead of `value`. */
export function asDecoded<T>(parsed: Parsed<T>): { ok: true; message: T } | { ok: false; reason: string } {
  return parsed.ok ? { ok: true, message: parsed.value } : parsed;
}

/** Validates a parsed value as a v1 message. Never throws. */
export function checkMessage(value: unknown): DecodeResult {
  return asDecoded(check(stateMessageSchema, value, 'message'));
}

/**
 * A private copy of the payload's bytes, or a reason. aws-crt hands a zero-length payload as a
 * detached ArrayBuffer, on which `new Uint8Array()` throws; a shared buffer could change under the
 * decoder. So: length first (a detached buffer reports 0), then a copy, all inside one try.
 */
export function bytesOf(payload: unknown): { bytes: Uint8Array } | { reason: string } {
  try {
    if (typeof payload === 'string') return { bytes: new TextEncoder().encode(payload) };
    let view: Uint8Array;
    if (ArrayBuffer.isView(payload)) {
      if (payload.byteLength === 0) return { reason: 'payload is empty' };
      view = new Uint8Array(payload.buffer, payload.byteOffset, payload.byteLength);
    } else if (payload instanceof ArrayBuffer || payload instanceof SharedArrayBuffer) {
      if (payload.byteLength === 0) return { reason: 'payload is empty' };
      view = new Uint8Array(payload);
    } else {
      return { reason: 'payload is not text or bytes' };
    }
    if (view.byteLength > MAX_MESSAGE_BYTES) {
      return { reason: `payload of ${view.byteLength} bytes exceeds ${MAX_MESSAGE_BYTES}` };
    }
    return { bytes: view.slice() };
  } catch (error) {
    return {
      reason: `payload bytes are unreadable: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
}

/**
 * A payload as received from MQTT (text, an ArrayBuffer, empty, detached or shared, or any view of
 * one), read as UTF-8 JSON and checked by `schema`. Total: never throws, whatever it is handed.
 */
export function decodePayload<T>(payload: unknown, schema: Schema<T>): Parsed<T> {
  const read = bytesOf(payload);
  if ('reason' in read) return { ok: false, reason: read.reason };
  const { bytes } = read;
  if (bytes.byteLength > MAX_MESSAGE_BYTES) {
    return { ok: false, reason: `payload of ${bytes.byteLength} bytes exceeds ${MAX_MESSAGE_BYTES}` };
  }
  if (bytes.byteLength === 0) return { ok: false, reason: 'payload is empty' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (error) {
    return { ok: false, reason: `payload is not UTF-8 JSON: ${(error as Error).message}` };
  }
  return check(schema, parsed, 'message');
}

/** Decodes a payload as received from MQTT. Total: never throws, whatever it is handed. */
export function decodeMessage(payload: unknown): DecodeResult {
  return asDecoded(decodePayload(payload, stateMessageSchema));
}

/** Encodes a message in key order. Throws (naming the reason) on a message decode would reject. */
export function encodeMessage(message: StateMessage): string {
  const checked = checkMessage(message);
  if (!checked.ok) throw new Error(`refusing to encode an invalid message: ${checked.reason}`);
  // The schema rebuilds the message with its keys alone, in its order: the wire's order.
  return JSON.stringify(checked.message);
}
