/**
 * Pure: an EventBridge `EC2 Instance State-change Notification` -> wire message v1.
 *
 * The instance's own region and account come from its ARN in `resources` when present, so an event
 * forwarded from another region keeps the instance's region even if a forwarder rewrote the envelope.
 */
import { INSTANCE_STATES, isInstanceState } from '../shared/instance-state.ts';
import { checkMessage, INSTANCE_ID_PATTERN, MESSAGE_VERSION, type StateMessage } from '../shared/message.ts';
import { ACCOUNT_PATTERN, REGION_PATTERN } from '../shared/patterns.ts';

export const EC2_SOURCE = 'aws.ec2';
export const EC2_STATE_CHANGE = 'EC2 Instance State-change Notification';

export type TranslateResult =
  | { ok: true; message: StateMessage }
  | { ok: false; reason: string; eventId: string | undefined };

// Whole seconds as AWS sends them; fractional seconds accepted in case they ever appear.
const TIME_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?Z$/;
const INSTANCE_ARN_PATTERN = /^arn:aws[a-z-]*:ec2:([a-z0-9-]+):(\d{12}):instance\/(i-[0-9a-f]+)$/;

function field(record: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

/**
 * "<name> <value> is not <what>" with the value as JSON, cut to 60 characters (the event is
 * untrusted), or "<name> is missing, expected <what>".
 */
function isNot(name: string, value: unknown, what: string): string {
  if (value === undefined) return `${name} is missing, expected ${what}`;
  const text = JSON.stringify(value) ?? String(value);
  return `${name} ${text.length > 60 ? `${text.slice(0, 57)}...` : text} is not ${what}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function translateEvent(event: unknown): TranslateResult {
  if (!isRecord(event)) return { ok: false, reason: 'event is not an object', eventId: undefined };
  const rawId = field(event, 'id');
  const eventId = typeof rawId === 'string' ? rawId.slice(0, 128) : undefined;
  const fail = (reason: string): TranslateResult => ({ ok: false, reason, eventId });

  if (eventId === undefined) return fail('envelope has no string id');
  const source = field(event, 'source');
  if (source !== EC2_SOURCE) return fail(isNot('source', source, EC2_SOURCE));
  const detailType = field(event, 'detail-type');
  if (detailType !== EC2_STATE_CHANGE) {
    return fail(isNot('detail-type', detailType, EC2_STATE_CHANGE));
  }
  const time = field(event, 'time');
  if (typeof time !== 'string' || !TIME_PATTERN.test(time)) {
    return fail(isNot('time', time, 'an ISO-8601 UTC time'));
  }
  const timeMs = Date.parse(time);
  if (!Number.isFinite(timeMs)) return fail(`time ${time} is not a valid date`);

  const detail = field(event, 'detail');
  if (!isRecord(detail)) return fail(isNot('detail', detail, 'an object'));
  const instanceId = field(detail, 'instance-id');
  const state = field(detail, 'state');
  if (typeof instanceId !== 'string' || !INSTANCE_ID_PATTERN.test(instanceId)) {
    return fail(isNot('detail.instance-id', instanceId, '"i-" followed by 8 or 17 hex digits'));
  }
  if (!isInstanceState(state)) {
    return fail(isNot('detail.state', state, `an EC2 state (${INSTANCE_STATES.join(', ')})`));
  }

  let region = field(event, 'region');
  let account = field(event, 'account');
  const resources = field(event, 'resources');
  if (resources !== undefined && !Array.isArray(resources)) {
    return fail(isNot('resources', resources, 'an array'));
  }
  for (const resource of resources ?? []) {
    const match = typeof resource === 'string' ? INSTANCE_ARN_PATTERN.exec(resource) : null;
    if (match === null) continue;
    if (match[3] !== instanceId)
      return fail(`resources names instance ${match[3]}, detail names ${instanceId}`);
    region = match[1];
    account = match[2];
  }
  if (typeof region !== 'string' || !REGION_PATTERN.test(region)) {
    return fail(isNot('region', region, 'an AWS region'));
  }
  if (typeof account !== 'string' || !ACCOUNT_PATTERN.test(account)) {
    return fail(isNot('account', account, '12 digits'));
  }

  const checked = checkMessage({
    v: MESSAGE_VERSION,
    id: instanceId,
    state,
    time: timeMs,
    region,
    account,
    event: eventId,
  });
  return checked.ok ? checked : fail(checked.reason);
}
