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
  /** Every instance the day involves: the fleet at its start plus the ones launched that day. */
  readonly instances: readonly SimInstance[];
  readonly steps: readonly SimStep[];
}

export interface Simulation {
  /** The fleet at the start of the first day (`initial` is never 'absent' here). */
  readonly initial: readonly SimInstance[];
  /** Consecutive days, each starting where the previous one ended; endless. */
  days(): Generator<SimDay>;
}

const ROLES = ['web', 'api', 'worker', 'db', 'cache', 'batch'];
const DEVELOPERS = ['alice', 'bob', 'chen', 'dana', 'eli', 'fay', 'gus', 'hana'];

export function createSimulation(options: SimOptions = DEFAULT_SIM_OPTIONS): Simulation {
  if (!Number.isInteger(options.size) || options.size < 1 || options.size > 10_000) {
    throw new Error(`fleet size ${options.size} is not an integer from 1 to 10000; pass --size 40`);
  }
  if (options.regions.length === 0) throw new Error('the simulated fleet needs at least one region');
  const random = seededRandom(options.seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const home = options.regions[0] as string;
  const make = (
    name: string,
    initial: SimInstance['initial'],
    region: string,
    tags: Record<string, string> = {},
  ) => ({
    instanceId: hexId(random),
    region,
    account: options.account,
    name,
    tags: { Name: name, ...tags },
    initial,
  });

  const devCount = Math.max(1, Math.round(options.size * 0.2));
  const devBoxes: SimInstance[] = Array.from({ length: devCount }, (_, i) =>
    make(`dev-${DEVELOPERS[i % DEVELOPERS.length]}-${i + 1}`, 'stopped', pick(options.regions), {
      team: 'dev',
    }),
  );
  let serviceSerial = 0;
  const service = (initial: SimInstance['initial']) => {
    const i = serviceSerial++;
    const region = options.regions[i % options.regions.length] as string;
    const name = `${ROLES[i % ROLES.length]}-${region.split('-')[1]}-${Math.floor(i / ROLES.length) + 1}`;
    return make(name, initial, region);
  };
  let services: SimInstance[] = Array.from({ length: options.size - devCount }, () => service('running'));
  const initial = [...devBoxes, ...services];
  // Each instance's state at the end of the day so far, to start the next day from it.
  const state = new Map<string, InstanceState>(
    initial.map((instance) => [instance.instanceId, instance.initial as InstanceState]),
  );

  function* days(): Generator<SimDay> {
    for (let day = 0; ; day++) {
      const dayStartMs = options.dayStartMs + day * 24 * HOUR;
      const at = (hour: number, jitterMinutes: number) =>
        dayStartMs + Math.round((hour * HOUR + random() * jitterMinutes * 60_000) / SECOND) * SECOND;
      const asg = Array.from({ length: Math.max(1, Math.round(options.size / 5)) }, (_, i) =>
        make(`web-asg-${day + 1}-${i + 1}`, 'absent', home, { 'aws:autoscaling:groupName': 'web-asg' }),
      );
      const present = [...devBoxes, ...services];
      const steps: SimStep[] = [];
      const transition = (
        instance: SimInstance,
        startMs: number,
        first: InstanceState,
        then: InstanceState,
      ) => {
        steps.push({ timeMs: startMs, instanceId: instance.instanceId, state: first });
        const settle = (first === 'pending' ? 10 : 20) + Math.floor(random() * 40);
        steps.push({ timeMs: startMs + settle * SECOND, instanceId: instance.instanceId, state: then });
        state.set(instance.instanceId, then);
      };

      for (const box of devBoxes)
        if (state.get(box.instanceId) === 'stopped') transition(box, at(8, 90), 'pending', 'running');
      for (const node of asg) transition(node, at(9, 20), 'pending', 'running');
      const restarted = services.slice(0, -1).filter(() => random() < 0.15);
      for (const node of restarted) {
        const stopAt = at(11, 240);
        transition(node, stopAt, 'stopping', 'stopped');
        transition(node, stopAt + (5 + Math.floor(random() * 30)) * 60_000, 'pending', 'running');
      }
      for (const node of asg) transition(node, at(18, 30), 'shutting-down', 'terminated');
      for (const box of devBoxes) if (random() < 0.8) transition(box, at(19, 120), 'stopping', 'stopped');
      // One long-lived instance is retired in the evening and replaced before midnight.
      const retired = services.at(-1) as SimInstance;
      transition(retired, at(21, 30), 'shutting-down', 'terminated');
      const replacement = service('absent');
      transition(replacement, at(22, 30), 'pending', 'running');
      services = [replacement, ...services.slice(0, -1)];

      steps.sort((a, b) => a.timeMs - b.timeMs || a.instanceId.localeCompare(b.instanceId));
      yield { instances: [...present, ...asg, replacement], steps };
    }
  }
  return { initial, days };
}

/** The first day of a simulation: its whole fleet and its steps. */
export function simulateDay(options: SimOptions = DEFAULT_SIM_OPTIONS): SimDay {
  return createSimulation(options).days().next().value as SimDay;
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
    // Whole seconds as EventBridge sends them; milliseconds only when a benchmark needs them.
    time: new Date(step.timeMs).toISOString().replace(/\.000Z$/, 'Z'),
    region: instance.region,
    resources: [`arn:aws:ec2:${instance.region}:${instance.account}:instance/${instance.instanceId}`],
    detail: { 'instance-id': instance.instanceId, state: step.state },
  };
}
