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
  parseAlarmArn,
} from '../shared/alarm-message.ts';
import {
  array,
  check,
  field,
  isNot,
  isRecord,
  leaf,
  literal,
  object,
  oneOf,
  type Parsed,
  type Schema,
  show,
  unknown,
} from '../shared/schema.ts';

export const CLOUDWATCH_SOURCE = 'aws.cloudwatch';
export const ALARM_STATE_CHANGE = 'CloudWatch Alarm State Change';

export type AlarmTranslateResult =
  | { ok: true; message: AlarmMessage }
  | { ok: false; reason: string; eventId: string | undefined };

// CloudWatch writes `2019-10-02T17:04:40.989+0000`; the envelope writes `2019-10-02T17:04:40Z`.
const TIMESTAMP_PATTERN = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?)(Z|[+-]\d{2}:?\d{2})$/;

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

/** A CloudWatch or EventBridge timestamp, parsed to epoch milliseconds. */
const alarmTime: Schema<number> = {
  what: 'an ISO-8601 time',
  parse(value, path): Parsed<number> {
    const ms = parseAlarmTimestamp(value);
    return ms === undefined
      ? { ok: false, reason: isNot(path, value, 'an ISO-8601 time') }
      : { ok: true, value: ms };
  },
};

/**
 * The event as far as the board needs it (CloudWatch's "Alarm events and EventBridge" sample);
 * other keys, the reasons, metrics and tags among them, are ignored. `time` is the envelope's,
 * read only when `detail.state.timestamp` is missing.
 */
export const alarmStateChangeSchema = object({
  source: literal(CLOUDWATCH_SOURCE),
  'detail-type': literal(ALARM_STATE_CHANGE),
  detail: object({
    alarmName: leaf('a string', (value): value is string => typeof value === 'string'),
    state: object({
      value: oneOf(ALARM_STATES, `an alarm state (${ALARM_STATES.join(', ')})`),
      timestamp: unknown(),
    }),
  }),
  time: unknown(),
  resources: array(unknown(), 'an array', 100),
});

export function translateAlarmEvent(event: unknown): AlarmTranslateResult {
  if (!isRecord(event)) return { ok: false, reason: 'event is not an object', eventId: undefined };
  const rawId = field(event, 'id');
  const eventId = typeof rawId === 'string' ? rawId.slice(0, 128) : undefined;
  const fail = (reason: string): AlarmTranslateResult => ({ ok: false, reason, eventId });

  if (eventId === undefined) return fail('envelope has no string id');
  const parsed = check(alarmStateChangeSchema, event, 'event');
  if (!parsed.ok) return fail(parsed.reason);
  const { detail, resources } = parsed.value;
  const name = detail.alarmName;
  // The state's own time; the envelope's (whole seconds, later) only when it is missing.
  const stamp = detail.state.timestamp;
  const time =
    stamp === undefined
      ? alarmTime.parse(parsed.value.time, 'time')
      : alarmTime.parse(stamp, 'detail.state.timestamp');
  if (!time.ok) return fail(time.reason);

  const arn = resources.find(
    (resource): resource is string => typeof resource === 'string' && parseAlarmArn(resource) !== undefined,
  );
  if (arn === undefined) return fail('resources holds no CloudWatch alarm ARN');
  const arnName = parseAlarmArn(arn)?.name;
  if (arnName !== name) return fail(`resources names alarm ${show(arnName)}, detail names ${show(name)}`);

  const checked = checkAlarmMessage({
    v: ALARM_MESSAGE_VERSION,
    kind: ALARM_KIND,
    name,
    state: detail.state.value,
    time: time.value,
    arn,
    event: eventId,
  });
  return checked.ok ? checked : fail(checked.reason);
}
