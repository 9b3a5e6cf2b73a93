/**
 * The demo's instance notices, on the same day as the simulated fleet (simulator.ts): in the
 * morning (after the demo's start, which follows the first dev box's start) AWS Health announces a system reboot of one database instance two days ahead (and EC2
 * lists it as a scheduled event from then on), and a little later one worker gets a Spot
 * interruption warning. Pure and fixed, like alarm-sim.ts, so a demo at any speed shows both soon
 * after it starts. The demo's Spot warning is not followed by the interruption: the worker keeps
 * running and the notice ends on its own after three minutes, as one would whose instance was not
 * interrupted after all (Spot warnings are best effort).
 */
import type { FakeScheduledEvent } from './fake-ec2.ts';
import type { SimInstance } from './simulator.ts';

export type SimNotice = 'maintenance' | 'spot';

export interface SimNoticeStep {
  /** Virtual time, epoch ms. */
  readonly timeMs: number;
  readonly instanceId: string;
  readonly notice: SimNotice;
}

const HOUR = 3_600_000;

/** [hour of day, notice, the name prefix of the instance it is for]. */
const SCHEDULE: readonly (readonly [number, SimNotice, string])[] = [
  [9.6, 'maintenance', 'db-'],
  [10.0, 'spot', 'worker-'],
];

/** The notice steps of the day starting at `dayStartMs`: each for the first running instance of its kind. */
export function noticeDay(dayStartMs: number, instances: readonly SimInstance[]): SimNoticeStep[] {
  return SCHEDULE.flatMap(([hour, notice, prefix]) => {
    const instance = instances.find((i) => i.initial === 'running' && i.name.startsWith(prefix));
    return instance === undefined
      ? []
      : [{ timeMs: dayStartMs + Math.round(hour * HOUR), instanceId: instance.instanceId, notice }];
  });
}

/** The scheduled reboot a maintenance step announces: two days later at 03:00, for two hours. */
export function scheduledEventOf(step: SimNoticeStep): FakeScheduledEvent {
  const day = Math.floor(step.timeMs / (24 * HOUR)) * 24 * HOUR;
  const notBeforeMs = day + 2 * 24 * HOUR + 3 * HOUR;
  return { code: 'system-reboot', notBeforeMs, notAfterMs: notBeforeMs + 2 * HOUR };
}

/** Health's "Tue, 08 Dec 2026 03:00:00 GMT". */
function healthTime(ms: number): string {
  return new Date(ms).toUTCString();
}

/**
 * The event AWS sends for this step: a Spot interruption warning (EC2 user guide,
 * spot-instance-termination-notices) or an AWS Health scheduled change (Health user guide,
 * aws-health-events-eventbridge-schema).
 */
export function toNoticeEvent(
  step: SimNoticeStep,
  instance: SimInstance,
  eventId: string,
): Record<string, unknown> {
  const time = new Date(step.timeMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const envelope = { version: '0', id: eventId, account: instance.account, time, region: instance.region };
  const arn = `arn:aws:ec2:${instance.region}:${instance.account}:instance/${instance.instanceId}`;
  if (step.notice === 'spot') {
    return {
      ...envelope,
      'detail-type': 'EC2 Spot Instance Interruption Warning',
      source: 'aws.ec2',
      resources: [arn],
      detail: { 'instance-id': instance.instanceId, 'instance-action': 'terminate' },
    };
  }
  const scheduled = scheduledEventOf(step);
  const code = 'AWS_EC2_SYSTEM_REBOOT_MAINTENANCE_SCHEDULED';
  return {
    ...envelope,
    'detail-type': 'AWS Health Event',
    source: 'aws.health',
    resources: [instance.instanceId],
    detail: {
      eventArn: `arn:aws:health:${instance.region}::event/EC2/${code}/${code}_${eventId}`,
      service: 'EC2',
      eventTypeCode: code,
      eventTypeCategory: 'scheduledChange',
      eventScopeCode: 'ACCOUNT_SPECIFIC',
      startTime: healthTime(scheduled.notBeforeMs),
      endTime: healthTime(scheduled.notAfterMs ?? scheduled.notBeforeMs),
      statusCode: 'upcoming',
      eventRegion: instance.region,
      eventDescription: [{ language: 'en_US', latestDescription: 'demo: a system reboot is scheduled' }],
      affectedEntities: [{ entityValue: instance.instanceId }],
    },
  };
}

/** A deterministic UUID-shaped event id for a notice step. */
export function noticeEventIdFor(step: SimNoticeStep, index: number): string {
  const hex = (Math.floor(step.timeMs / 1000) + index).toString(16).padStart(12, '0').slice(-12);
  return `b1b2b3b4-0000-4000-8000-${hex}`;
}
