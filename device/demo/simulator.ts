/**
 * A simulated EC2 fleet living one realistic day, for the demo and the benchmarks.
 *
 * Pure and seeded: the same options always give the same fleet and the same changes. The day has a
 * morning start of stopped dev boxes, an Auto Scaling scale-out, stops and starts through the day,
 * an evening scale-in and one termination of a long-lived instance. Each step is one state change
 * at a virtual time; `toEventBridgeEvent` turns it into the event EC2 would send.
 */
import type { InstanceState } from '../../shared/instance-state.ts';

export interface SimInstance {
  readonly instanceId: string;
  readonly region: string;
  readonly account: string;
  readonly name: string;
  readonly tags: Readonly<Record<string, string>>;
  /** State at the start of the day. Instances launched later start absent. */
  readonly initial: InstanceState | 'absent';
}

export interface SimStep {
  /** Virtual time, epoch ms, in whole seconds (as EventBridge gives them). */
  readonly timeMs: number;
  readonly instanceId: string;
  readonly state: InstanceState;
}

export interface SimOptions {
  readonly seed: number;
  /** Instances present at the start of the day (default 40); the scale-out adds a fifth more. */
  readonly size: number;
  readonly regions: readonly string[];
  readonly account: string;
  /** Start of the virtual day, epoch ms. */
  readonly dayStartMs: number;
}

export const DEFAULT_SIM_OPTIONS: SimOptions = {
  seed: 1,
  size: 40,
  regions: ['us-east-1', 'eu-west-1'],
  account: '123456789012',
  dayStartMs: Date.UTC(2026, 10, 26, 0, 0, 0),
};

const HOUR = 3_600_000;
const SECOND = 1000;

/** mulberry32: small, fast, and good enough for a demo. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function hexId(random: () => number): string {
  let id = 'i-0';
  for (let i = 0; i < 16; i++) id += Math.floor(random() * 16).toString(16);
  return id;
}

export interface SimDay {
  readonly instances: readonly SimInstance[];
  readonly steps: readonly SimStep[];
}

export function simulateDay(options: SimOptions = DEFAULT_SIM_OPTIONS): SimDay {
  if (!Number.isInteger(options.size) || options.size < 1 || options.size > 10_000) {
    throw new Error(`fleet size ${options.size} is not an integer from 1 to 10000; pass --size 40`);
  }
  if (options.regions.length === 0) throw new Error('the simulated fleet needs at least one region');
  const random = seededRandom(options.seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const at = (hour: number, jitterMinutes: number) =>
    options.dayStartMs + Math.round((hour * HOUR + random() * jitterMinutes * 60_000) / SECOND) * SECOND;

  const instances: SimInstance[] = [];
  const roles = ['web', 'api', 'worker', 'db', 'cache', 'batch'];
  const make = (
    name: string,
    initial: SimInstance['initial'],
    region: string,
    tags: Record<string, string> = {},
  ) => {
    const instance: SimInstance = {
      instanceId: hexId(random),
      region,
      account: options.account,
      name,
      tags: { Name: name, ...tags },
      initial,
    };
    instances.push(instance);
    return instance;
  };

  const devCount = Math.max(1, Math.round(options.size * 0.2));
  const devBoxes = Array.from({ length: devCount }, (_, i) =>
    make(
      `dev-${['alice', 'bob', 'chen', 'dana', 'eli', 'fay', 'gus', 'hana'][i % 8]}-${i + 1}`,
      'stopped',
      pick(options.regions),
      {
        team: 'dev',
      },
    ),
  );
  const services = Array.from({ length: options.size - devCount }, (_, i) => {
    const region = options.regions[i % options.regions.length] as string;
    return make(
      `${roles[i % roles.length]}-${region.split('-')[1]}-${Math.floor(i / roles.length) + 1}`,
      'running',
      region,
    );
  });
  const home = options.regions[0] as string;
  const asg = Array.from({ length: Math.max(1, Math.round(options.size / 5)) }, (_, i) =>
    make(`web-asg-${i + 1}`, 'absent', home, { 'aws:autoscaling:groupName': 'web-asg' }),
  );

  const steps: SimStep[] = [];
  const transition = (instance: SimInstance, startMs: number, first: InstanceState, then: InstanceState) => {
    steps.push({ timeMs: startMs, instanceId: instance.instanceId, state: first });
    const settle = (first === 'pending' ? 10 : 20) + Math.floor(random() * 40);
    steps.push({ timeMs: startMs + settle * SECOND, instanceId: instance.instanceId, state: then });
  };

  for (const box of devBoxes) transition(box, at(8, 90), 'pending', 'running');
  for (const node of asg) transition(node, at(9, 20), 'pending', 'running');
  const restarted = services.filter(() => random() < 0.15);
  for (const node of restarted) {
    const stopAt = at(11, 240);
    transition(node, stopAt, 'stopping', 'stopped');
    transition(node, stopAt + (5 + Math.floor(random() * 30)) * 60_000, 'pending', 'running');
  }
  for (const node of asg) transition(node, at(18, 30), 'shutting-down', 'terminated');
  for (const box of devBoxes) if (random() < 0.8) transition(box, at(19, 120), 'stopping', 'stopped');
  const retired = services.at(-1);
  if (retired !== undefined && !restarted.includes(retired))
    transition(retired, at(21, 30), 'shutting-down', 'terminated');

  steps.sort((a, b) => a.timeMs - b.timeMs || a.instanceId.localeCompare(b.instanceId));
  return { instances, steps };
}

/** A deterministic UUID-shaped event id. */
export function eventIdFor(step: SimStep, index: number): string {
  const hex = (step.timeMs / SECOND + index).toString(16).padStart(12, '0').slice(-12);
  return `${step.instanceId.slice(2, 10)}-${step.instanceId.slice(10, 14)}-4${step.instanceId.slice(15, 18)}-8000-${hex}`;
}

/** The EventBridge event EC2 sends for this step (field names as in the EC2 user guide). */
export function toEventBridgeEvent(
  step: SimStep,
  instance: SimInstance,
  eventId: string,
): Record<string, unknown> {
  return {
    version: '0',
    id: eventId,
    'detail-type': 'EC2 Instance State-change Notification',
    source: 'aws.ec2',
    account: instance.account,
    time: new Date(step.timeMs).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region: instance.region,
    resources: [`arn:aws:ec2:${instance.region}:${instance.account}:instance/${instance.instanceId}`],
    detail: { 'instance-id': instance.instanceId, state: step.state },
  };
}
