/**
 * Pure: an EventBridge `CloudWatch Alarm State Change` -> alarm message v1 (shared/alarm-message.ts).
 *
 * The alarm's ARN comes from `resources` (CloudWatch puts exactly the alarm there); the time is when
 * the alarm entered its state (`detail.state.timestamp`, milliseconds, `+0000` offset), not when the
 * event was sent, so two changes of one alarm order correctly even when forwarded from us-east-1.
 * Only the name, state, time and ARN travel: reasons, metrics and tags stay behind.
 */
import {
  ALARM_KIND,
  ALARM_MESSAGE_VERSION,
  ALARM_STATES,
  type AlarmMessage,
  checkAlarmMessage,
  isAlarmState,
  parseAlarmArn,
} from '../shared/alarm-message.ts';

export const CLOUDWATCH_SOURCE = 'aws.cloudwatch';
export const ALARM_STATE_CHANGE = 'CloudWatch Alarm State Change';

export type AlarmTranslateResult =
  | { ok: true; message: AlarmMessage }
  | { ok: false; reason: string; eventId: string | undefined };

// CloudWatch writes `2019-10-02T17:04:40.989+0000`; the envelope writes `2019-10-02T17:04:40Z`.
const TIMESTAMP_PATTERN = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?)(Z|[+-]\d{2}:?\d{2})$/;

function field(record: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isNot(name: string, value: unknown, what: string): string {
  if (value === undefined) return `${name} is missing, expected ${what}`;
  const text = JSON.stringify(value) ?? String(value);
  return `${name} ${text.length > 60 ? `${text.slice(0, 57)}...` : text} is not ${what}`;
}

/** Epoch milliseconds of a CloudWatch or EventBridge timestamp, or undefined. */
export function parseAlarmTimestamp(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const match = TIMESTAMP_PATTERN.exec(value);
  if (match === null) return undefined;
  const [, local, zone] = match as unknown as [string, string, string];
  const offset = zone === 'Z' ? 'Z' : `${zone.slice(0, 3)}:${zone.slice(-2)}`;
  const ms = Date.parse(`${local}${offset}`);
  return Number.isFinite(ms) ? ms : undefined;
}

export function translateAlarmEvent(event: unknown): AlarmTranslateResult {
  if (!isRecord(event)) return { ok: false, reason: 'event is not an object', eventId: undefined };
  const rawId = field(event, 'id');
  const eventId = typeof rawId === 'string' ? rawId.slice(0, 128) : undefined;
  const fail = (reason: string): AlarmTranslateResult => ({ ok: false, reason, eventId });

  if (eventId === undefined) return fail('envelope has no string id');
  const source = field(event, 'source');
  if (source !== CLOUDWATCH_SOURCE) return fail(isNot('source', source, CLOUDWATCH_SOURCE));
  const detailType = field(event, 'detail-type');
  if (detailType !== ALARM_STATE_CHANGE) return fail(isNot('detail-type', detailType, ALARM_STATE_CHANGE));

  const detail = field(event, 'detail');
  if (!isRecord(detail)) return fail(isNot('detail', detail, 'an object'));
  const name = field(detail, 'alarmName');
  if (typeof name !== 'string') return fail(isNot('detail.alarmName', name, 'a string'));
  const state = field(detail, 'state');
  if (!isRecord(state)) return fail(isNot('detail.state', state, 'an object'));
  const value = field(state, 'value');
  if (!isAlarmState(value)) {
    return fail(isNot('detail.state.value', value, `an alarm state (${ALARM_STATES.join(', ')})`));
  }
  // The state's own time; the envelope's (whole seconds, later) only when it is missing.
  const stamp = field(state, 'timestamp');
  const time = parseAlarmTimestamp(stamp ?? field(event, 'time'));
  if (time === undefined) {
    return fail(
      isNot(
        stamp === undefined ? 'time' : 'detail.state.timestamp',
        stamp ?? field(event, 'time'),
        'an ISO-8601 time',
      ),
    );
  }

  const resources = field(event, 'resources');
  if (!Array.isArray(resources)) return fail(isNot('resources', resources, 'an array'));
  const arn = resources.find(
    (resource): resource is string => typeof resource === 'string' && parseAlarmArn(resource) !== undefined,
  );
  if (arn === undefined) return fail('resources holds no CloudWatch alarm ARN');
  const arnName = parseAlarmArn(arn)?.name;
  if (arnName !== name)
    return fail(`resources names alarm ${JSON.stringify(arnName)}, detail names ${JSON.stringify(name)}`);

  const checked = checkAlarmMessage({
    v: ALARM_MESSAGE_VERSION,
    kind: ALARM_KIND,
    name,
    state: value,
    time,
    arn,
    event: eventId,
  });
  return checked.ok ? checked : fail(checked.reason);
}
