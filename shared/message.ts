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
 *   buffer, any view). It returns the message or a reason naming the field and value, and rejects
 *   anything malformed: empty, not JSON, over 4 KB, not a flat object, an unknown or missing
 *   key, a wrong type, an unknown state, an instance id that is not `i-` followed by 8 or 17
 *   lowercase hex digits, a bad region or account.
 * - A decoded message is only a hint: the device still applies it through `supersedes`.
 */

import { type InstanceState, isInstanceState } from './instance-state.ts';
import { ACCOUNT_PATTERN, EVENT_ID_PATTERN, REGION_PATTERN } from './patterns.ts';

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
const KEYS = ['v', 'id', 'state', 'time', 'region', 'account', 'event'] as const;

/** A value for a reason text: strings quoted, cut at 80 characters. */
export function show(value: unknown): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/**
 * The shape every wire message shares: a JSON object with exactly `keys`, none of them nested.
 * Never throws; the reason names the first key that is wrong.
 */
export function checkFlatRecord(
  value: unknown,
  keys: readonly string[],
): { ok: true; record: Record<string, unknown> } | { ok: false; reason: string } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, reason: 'message is not a JSON object' };
  }
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (!keys.includes(key)) return { ok: false, reason: `unexpected key ${show(key)}` };
    const field = record[key];
    if (typeof field === 'object' && field !== null) return { ok: false, reason: `key ${key} is nested` };
  }
  for (const key of keys) {
    if (!Object.hasOwn(record, key)) return { ok: false, reason: `missing key ${key}` };
  }
  return { ok: true, record };
}

/** Validates a parsed value as a v1 message. Never throws. */
export function checkMessage(value: unknown): DecodeResult {
  const flat = checkFlatRecord(value, KEYS);
  if (!flat.ok) return flat;
  const { v, id, state, time, region, account, event } = flat.record;
  if (v !== MESSAGE_VERSION) return { ok: false, reason: `version ${show(v)} is not ${MESSAGE_VERSION}` };
  if (typeof id !== 'string' || !INSTANCE_ID_PATTERN.test(id)) {
    return { ok: false, reason: `id ${show(id)} is not "i-" followed by 8 or 17 hex digits` };
  }
  if (!isInstanceState(state)) return { ok: false, reason: `state ${show(state)} is not an EC2 state` };
  if (typeof time !== 'number' || !Number.isSafeInteger(time) || time < 0) {
    return { ok: false, reason: `time ${show(time)} is not epoch milliseconds` };
  }
  if (typeof region !== 'string' || !REGION_PATTERN.test(region)) {
    return { ok: false, reason: `region ${show(region)} is not an AWS region` };
  }
  if (typeof account !== 'string' || !ACCOUNT_PATTERN.test(account)) {
    return { ok: false, reason: `account ${show(account)} is not 12 digits` };
  }
  if (typeof event !== 'string' || !EVENT_ID_PATTERN.test(event)) {
    return { ok: false, reason: `event ${show(event)} is not an event id` };
  }
  return { ok: true, message: { v: MESSAGE_VERSION, id, state, time, region, account, event } };
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
 * Decodes a payload as received from MQTT: text, an ArrayBuffer (empty, detached or shared) or any
 * view of one. Total: never throws, whatever it is handed.
 */
export function decodeMessage(payload: unknown): DecodeResult {
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
  return checkMessage(parsed);
}

/** Encodes a message in key order. Throws (naming the reason) on a message decode would reject. */
export function encodeMessage(message: StateMessage): string {
  const checked = checkMessage(message);
  if (!checked.ok) throw new Error(`refusing to encode an invalid message: ${checked.reason}`);
  const m = checked.message;
  return JSON.stringify({
    v: m.v,
    id: m.id,
    state: m.state,
    time: m.time,
    region: m.region,
    account: m.account,
    event: m.event,
  });
}
