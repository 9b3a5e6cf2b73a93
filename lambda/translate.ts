/**
 * Pure: an EventBridge `EC2 Instance State-change Notification` -> wire message v1.
 *
 * The instance's own region and account come from its ARN in `resources` when present, so an event
 * forwarded from another region keeps the instance's region even if a forwarder rewrote the envelope.
 */
import { checkMessage, MESSAGE_VERSION, type StateMessage, wire } from '../shared/message.ts';
import {
  array,
  check,
  field,
  isRecord,
  literal,
  object,
  optional,
  pattern,
  refine,
  type Schema,
  unknown,
} from '../shared/schema.ts';

export const EC2_SOURCE = 'aws.ec2';
export const EC2_STATE_CHANGE = 'EC2 Instance State-change Notification';

export type TranslateResult =
  | { ok: true; message: StateMessage }
  | { ok: false; reason: string; eventId: string | undefined };

// Whole seconds as AWS sends them; fractional seconds accepted in case they ever appear.
const TIME_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?Z$/;
const INSTANCE_ARN_PATTERN = /^arn:aws[a-z-]*:ec2:([a-z0-9-]+):(\d{12}):instance\/(i-[0-9a-f]{8,17})$/;

/**
 * The event as far as the board needs it (EventBridge's `aws.ec2` sample in the EC2 user guide);
 * other keys are ignored, since AWS adds fields. `region` and `account` are checked after the
 * instance's ARN in `resources` had its say.
 */
export const ec2StateChangeSchema = object({
  source: literal(EC2_SOURCE),
  'detail-type': literal(EC2_STATE_CHANGE),
  time: refine(pattern(TIME_PATTERN, 'an ISO-8601 UTC time'), (time, path) =>
    Number.isFinite(Date.parse(time)) ? undefined : `${path} ${time} is not a valid date`,
  ),
  detail: object({ 'instance-id': wire.instanceId, state: wire.instanceState }),
  resources: optional(array(unknown(), 'an array of at most 100 ARNs', 100)),
  region: unknown(),
  account: unknown(),
}) satisfies Schema<unknown>;

export function translateEvent(event: unknown): TranslateResult {
  if (!isRecord(event)) return { ok: false, reason: 'event is not an object', eventId: undefined };
  const rawId = field(event, 'id');
  const eventId = typeof rawId === 'string' ? rawId.slice(0, 128) : undefined;
  const fail = (reason: string): TranslateResult => ({ ok: false, reason, eventId });

  if (eventId === undefined) return fail('envelope has no string id');
  const parsed = check(ec2StateChangeSchema, event, 'event');
  if (!parsed.ok) return fail(parsed.reason);
  const { time, detail, resources } = parsed.value;
  const instanceId = detail['instance-id'];

  let { region, account } = parsed.value;
  for (const resource of resources ?? []) {
    const match = typeof resource === 'string' ? INSTANCE_ARN_PATTERN.exec(resource) : null;
    if (match === null) continue;
    if (match[3] !== instanceId)
      return fail(`resources names instance ${match[3]}, detail names ${instanceId}`);
    region = match[1];
    account = match[2];
  }
  for (const [name, value, schema] of [
    ['region', region, wire.region],
    ['account', account, wire.account],
  ] as const) {
    const checked = schema.parse(value, name);
    if (!checked.ok) return fail(checked.reason);
  }

  const checked = checkMessage({
    v: MESSAGE_VERSION,
    id: instanceId,
    state: detail.state,
    time: Date.parse(time),
    region,
    account,
    event: eventId,
  });
  return checked.ok ? checked : fail(checked.reason);
}
