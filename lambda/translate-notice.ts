/**
 * Pure: an EventBridge event saying something is about to happen to EC2 instances -> notice
 * messages v1 (shared/notice-message.ts), one per instance.
 *
 * - `aws.ec2` "EC2 Spot Instance Interruption Warning" (`instance-id`, `instance-action`): due two
 *   minutes after the event, shown SPOT_NOTICE_MS
 *   (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/spot-instance-termination-notices.html).
 * - `aws.ec2` "EC2 Instance Rebalance Recommendation" (`instance-id`): no due time, shown
 *   REBALANCE_NOTICE_MS (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/rebalance-recommendations.html).
 * - `aws.health` "AWS Health Event" with `service` EC2 and `eventTypeCategory` scheduledChange: one
 *   message per instance id in `affectedEntities` (at most MAX_NOTICE_INSTANCES), from `startTime`
 *   to `endTime`; a `closed` event ends the notice at the event's time
 *   (https://docs.aws.amazon.com/health/latest/ug/aws-health-events-eventbridge-schema.html).
 * Region and account: the instance ARN's in `resources` when there is one (as translate.ts), else
 * Health's `eventRegion` and an entity's `awsAccountId` (organizational view), else the envelope's.
 */
import { INSTANCE_ID_PATTERN } from '../shared/message.ts';
import {
  checkNoticeMessage,
  NOTICE_KIND,
  NOTICE_MESSAGE_VERSION,
  type NoticeCode,
  type NoticeMessage,
  REBALANCE_NOTICE_MS,
  SCHEDULED_DEFAULT_MS,
  SPOT_NOTICE_MS,
} from '../shared/notice-message.ts';
import { field, isNot, isRecord } from '../shared/schema.ts';

export const HEALTH_SOURCE = 'aws.health';
export const SPOT_INTERRUPTION = 'EC2 Spot Instance Interruption Warning';
export const REBALANCE_RECOMMENDATION = 'EC2 Instance Rebalance Recommendation';
export const HEALTH_EVENT = 'AWS Health Event';
/** The detail types this module translates, for the rules and the ingest bus's policy. */
export const NOTICE_DETAIL_TYPES = [SPOT_INTERRUPTION, REBALANCE_RECOMMENDATION, HEALTH_EVENT] as const;
/** An event naming more instances than this publishes the first ones only (one message each). */
export const MAX_NOTICE_INSTANCES = 100;
/** Spot gives two minutes' warning. */
const SPOT_LEAD_MS = 2 * 60_000;

export type NoticeTranslateResult =
  | { ok: true; messages: readonly NoticeMessage[]; skipped: number }
  | { ok: false; reason: string; eventId: string | undefined };

const TIME_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?Z$/;
const INSTANCE_ARN_PATTERN = /^arn:aws[a-z-]*:ec2:([a-z0-9-]+):(\d{12}):instance\/(i-[0-9a-f]+)$/;

/** Health's times ("Fri, 3 Jun 2022 06:27:57 GMT") or ISO ones; undefined when not a date. */
function healthTime(value: unknown): number | undefined {
  if (typeof value !== 'string' || value.length > 64) return undefined;
  const ms = Date.parse(value);
  return Number.isFinite(ms) && ms >= 0 ? ms : undefined;
}

/** A Health EC2 event type code -> the DescribeInstanceStatus event code it announces. */
export function healthNoticeCode(eventTypeCode: string): NoticeCode {
  if (eventTypeCode.includes('RETIREMENT')) return 'instance-retirement';
  if (eventTypeCode.includes('SYSTEM_REBOOT')) return 'system-reboot';
  if (eventTypeCode.includes('REBOOT')) return 'instance-reboot';
  if (eventTypeCode.includes('STOP')) return 'instance-stop';
  if (eventTypeCode.includes('MAINTENANCE')) return 'system-maintenance';
  return 'scheduled-change';
}

export function translateNoticeEvent(event: unknown): NoticeTranslateResult {
  if (!isRecord(event)) return { ok: false, reason: 'event is not an object', eventId: undefined };
  const rawId = field(event, 'id');
  const eventId = typeof rawId === 'string' ? rawId.slice(0, 128) : undefined;
  const fail = (reason: string): NoticeTranslateResult => ({ ok: false, reason, eventId });
  if (eventId === undefined) return fail('envelope has no string id');
  const time = field(event, 'time');
  if (typeof time !== 'string' || !TIME_PATTERN.test(time)) {
    return fail(isNot('time', time, 'an ISO-8601 UTC time'));
  }
  const timeMs = Date.parse(time);
  if (!Number.isFinite(timeMs)) return fail(`time ${time} is not a valid date`);
  const detail = field(event, 'detail');
  if (!isRecord(detail)) return fail(isNot('detail', detail, 'an object'));
  const source = field(event, 'source');
  const detailType = field(event, 'detail-type');

  let region = field(event, 'region');
  let account = field(event, 'account');
  const resources = field(event, 'resources');
  if (resources !== undefined && !Array.isArray(resources)) {
    return fail(isNot('resources', resources, 'an array'));
  }
  const build = (
    id: string,
    notice: NoticeCode,
    action: string,
    startMs: number,
    endMs: number,
    where: { region: unknown; account: unknown },
  ): { ok: true; message: NoticeMessage } | { ok: false; reason: string } =>
    // The message's schema checks region and account too ("region ... is not an AWS region").
    checkNoticeMessage({
      v: NOTICE_MESSAGE_VERSION,
      kind: NOTICE_KIND,
      id,
      notice,
      action,
      start: startMs,
      end: endMs,
      time: timeMs,
      region: where.region,
      account: where.account,
      event: eventId,
    });

  if (source === 'aws.ec2' && (detailType === SPOT_INTERRUPTION || detailType === REBALANCE_RECOMMENDATION)) {
    const instanceId = field(detail, 'instance-id');
    if (typeof instanceId !== 'string' || !INSTANCE_ID_PATTERN.test(instanceId)) {
      return fail(isNot('detail.instance-id', instanceId, '"i-" followed by 8 or 17 hex digits'));
    }
    for (const resource of resources ?? []) {
      const match = typeof resource === 'string' ? INSTANCE_ARN_PATTERN.exec(resource) : null;
      if (match === null) continue; // AWS's own Spot sample has an ARN without an account
      if (match[3] !== instanceId)
        return fail(`resources names instance ${match[3]}, detail names ${instanceId}`);
      region = match[1];
      account = match[2];
    }
    let built: ReturnType<typeof build>;
    if (detailType === SPOT_INTERRUPTION) {
      const action = field(detail, 'instance-action');
      if (typeof action !== 'string' || !/^[a-z]{1,32}$/.test(action)) {
        return fail(isNot('detail.instance-action', action, 'terminate, stop or hibernate'));
      }
      built = build(instanceId, 'spot-interruption', action, timeMs + SPOT_LEAD_MS, timeMs + SPOT_NOTICE_MS, {
        region,
        account,
      });
    } else {
      built = build(instanceId, 'rebalance', '', timeMs, timeMs + REBALANCE_NOTICE_MS, { region, account });
    }
    return built.ok ? { ok: true, messages: [built.message], skipped: 0 } : fail(built.reason);
  }

  if (source === HEALTH_SOURCE && detailType === HEALTH_EVENT) {
    const service = field(detail, 'service');
    if (service !== 'EC2') return fail(isNot('detail.service', service, 'EC2'));
    const category = field(detail, 'eventTypeCategory');
    if (category !== 'scheduledChange') {
      return fail(isNot('detail.eventTypeCategory', category, 'scheduledChange'));
    }
    const typeCode = field(detail, 'eventTypeCode');
    if (typeof typeCode !== 'string' || typeCode.length > 128) {
      return fail(isNot('detail.eventTypeCode', typeCode, 'an event type code'));
    }
    const startMs = healthTime(field(detail, 'startTime'));
    if (startMs === undefined) return fail(isNot('detail.startTime', field(detail, 'startTime'), 'a date'));
    const rawEnd = field(detail, 'endTime');
    const endTime = rawEnd === undefined ? undefined : healthTime(rawEnd);
    if (rawEnd !== undefined && endTime === undefined) return fail(isNot('detail.endTime', rawEnd, 'a date'));
    const closed = field(detail, 'statusCode') === 'closed';
    // A closed event ends its notice now; otherwise it shows until the window closes.
    const start = closed ? Math.min(startMs, timeMs) : startMs;
    const end = closed ? timeMs : Math.max(start, endTime ?? startMs + SCHEDULED_DEFAULT_MS);
    const eventRegion = field(detail, 'eventRegion');
    const entities = field(detail, 'affectedEntities');
    if (!Array.isArray(entities)) return fail(isNot('detail.affectedEntities', entities, 'an array'));
    const messages: NoticeMessage[] = [];
    let skipped = 0;
    for (const entity of entities) {
      const value = isRecord(entity) ? field(entity, 'entityValue') : undefined;
      if (typeof value !== 'string' || !INSTANCE_ID_PATTERN.test(value)) continue; // not an instance
      if (messages.length >= MAX_NOTICE_INSTANCES) {
        skipped += 1;
        continue;
      }
      const entityAccount = isRecord(entity) ? field(entity, 'awsAccountId') : undefined;
      const built = build(value, healthNoticeCode(typeCode), '', start, end, {
        region: typeof eventRegion === 'string' ? eventRegion : region,
        account: typeof entityAccount === 'string' ? entityAccount : account,
      });
      if (!built.ok) return fail(built.reason);
      messages.push(built.message);
    }
    if (messages.length === 0) return fail('detail.affectedEntities names no EC2 instance');
    return { ok: true, messages, skipped };
  }
  return fail(
    `source ${JSON.stringify(source)} with detail-type ${JSON.stringify(detailType)} is not a notice event`,
  );
}

/** True for the events `translateNoticeEvent` takes (by source and detail type only). */
export function isNoticeEvent(event: unknown): boolean {
  if (!isRecord(event)) return false;
  const detailType = field(event, 'detail-type');
  return (NOTICE_DETAIL_TYPES as readonly unknown[]).includes(detailType);
}
