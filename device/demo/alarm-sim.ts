/**
 * The demo's CloudWatch alarms living the same day as the simulated fleet (simulator.ts): a few
 * alarms that flip, and one HTTP check (a Route 53 health check's alarm, docs/checks.md) that fails
 * for three quarters of an hour. Pure and fixed: every day the same schedule, so a demo at any speed
 * shows alarm pixels change soon after it starts (07:45). `toAlarmEvent` turns a step into the
 * `CloudWatch Alarm State Change` event CloudWatch sends.
 */
import type { AlarmState } from '../../shared/alarm-message.ts';

export interface SimAlarm {
  readonly name: string;
  readonly region: string;
  /** State at the start of the first day. */
  readonly initial: AlarmState;
}

export interface SimAlarmStep {
  /** Virtual time, epoch ms. */
  readonly timeMs: number;
  readonly name: string;
  readonly region: string;
  readonly state: AlarmState;
}

export const DEMO_ALARMS: readonly SimAlarm[] = [
  { name: 'web-5xx', region: 'us-east-1', initial: 'OK' },
  { name: 'api-latency-p99', region: 'eu-west-1', initial: 'OK' },
  { name: 'db-cpu-high', region: 'eu-west-1', initial: 'INSUFFICIENT_DATA' },
  { name: 'check-www-example-com', region: 'us-east-1', initial: 'OK' },
];

const HOUR = 3_600_000;

/** [hour of day, alarm, state]: what happens each day. */
const SCHEDULE: readonly (readonly [number, string, AlarmState])[] = [
  [7.8, 'db-cpu-high', 'OK'],
  [8.5, 'web-5xx', 'ALARM'],
  [8.6, 'web-5xx', 'OK'],
  [9.0, 'check-www-example-com', 'ALARM'],
  [9.75, 'check-www-example-com', 'OK'],
  [11.0, 'api-latency-p99', 'INSUFFICIENT_DATA'],
  [11.5, 'api-latency-p99', 'OK'],
  [13.0, 'db-cpu-high', 'ALARM'],
  [13.4, 'db-cpu-high', 'OK'],
  [17.5, 'web-5xx', 'ALARM'],
  [17.6, 'web-5xx', 'OK'],
  [23.9, 'db-cpu-high', 'INSUFFICIENT_DATA'],
];

/** The alarm steps of the day starting at `dayStartMs`, in time order. */
export function alarmDay(dayStartMs: number, alarms: readonly SimAlarm[] = DEMO_ALARMS): SimAlarmStep[] {
  return SCHEDULE.flatMap(([hour, name, state]) => {
    const alarm = alarms.find((a) => a.name === name);
    return alarm === undefined
      ? []
      : [{ timeMs: dayStartMs + Math.round(hour * HOUR), name, region: alarm.region, state }];
  });
}

/** The ARN of a demo alarm. */
export function alarmArn(region: string, account: string, name: string): string {
  return `arn:aws:cloudwatch:${region}:${account}:alarm:${name}`;
}

/** CloudWatch's `2019-10-02T17:04:40.989+0000`. */
function cloudWatchTime(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+0000');
}

/** The EventBridge event CloudWatch sends for this step (field names as in the CloudWatch user guide). */
export function toAlarmEvent(
  step: SimAlarmStep,
  account: string,
  eventId: string,
  previous: AlarmState,
): Record<string, unknown> {
  return {
    version: '0',
    id: eventId,
    'detail-type': 'CloudWatch Alarm State Change',
    source: 'aws.cloudwatch',
    account,
    time: new Date(step.timeMs).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region: step.region,
    resources: [alarmArn(step.region, account, step.name)],
    detail: {
      alarmName: step.name,
      state: {
        value: step.state,
        reason: `demo: ${step.name} went ${step.state}`,
        timestamp: cloudWatchTime(step.timeMs),
      },
      previousState: { value: previous, reason: 'demo', timestamp: cloudWatchTime(step.timeMs - 60_000) },
      configuration: { description: 'ec2-led demo alarm', metrics: [] },
    },
  };
}

/** A deterministic UUID-shaped event id for an alarm step. */
export function alarmEventIdFor(step: SimAlarmStep, index: number): string {
  const hex = (Math.floor(step.timeMs / 1000) + index).toString(16).padStart(12, '0').slice(-12);
  return `a1a2a3a4-0000-4000-8000-${hex}`;
}
