import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  createSimulation,
  DEFAULT_SIM_OPTIONS,
  eventIdFor,
  type SimDay,
  type SimStep,
  simulateDay,
  toEventBridgeEvent,
} from '../../../device/demo/simulator.ts';
import { translateEvent } from '../../../lambda/translate.ts';
import { INSTANCE_STATES, supersedes } from '../../../shared/instance-state.ts';

describe('the simulated fleet', () => {
  const day = simulateDay(DEFAULT_SIM_OPTIONS);
  const byId = new Map(day.instances.map((instance) => [instance.instanceId, instance]));

  it('has at least 40 instances in two regions, with unique ids', () => {
    const present = day.instances.filter((instance) => instance.initial !== 'absent');
    expect(present.length).toBe(40);
    expect(new Set(day.instances.map((i) => i.region))).toEqual(new Set(['us-east-1', 'eu-west-1']));
    expect(byId.size).toBe(day.instances.length);
  });

  it('is the same day for the same seed and a different one for another seed', () => {
    expect(simulateDay(DEFAULT_SIM_OPTIONS)).toEqual(day);
    expect(simulateDay({ ...DEFAULT_SIM_OPTIONS, seed: 2 }).steps).not.toEqual(day.steps);
  });

  it('lives a realistic day: scale-out, stops and starts, scale-in and a termination', () => {
    const states = new Set(day.steps.map((step) => step.state));
    expect([...states].sort()).toEqual([...INSTANCE_STATES].sort());
    const asg = day.instances.filter((i) => i.tags['aws:autoscaling:groupName'] === 'web-asg');
    expect(asg.length).toBeGreaterThan(0);
    for (const node of asg) {
      expect(day.steps.filter((s) => s.instanceId === node.instanceId).map((s) => s.state)).toEqual([
        'pending',
        'running',
        'shutting-down',
        'terminated',
      ]);
    }
  });

  it('emits steps in time order, in whole seconds, within the day', () => {
    const times = day.steps.map((step) => step.timeMs);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    for (const time of times) {
      expect(time % 1000).toBe(0);
      expect(time - DEFAULT_SIM_OPTIONS.dayStartMs).toBeLessThan(24 * 3_600_000);
    }
  });

  it('follows each instance through legal lifecycle orders only', () => {
    const state = new Map<string, SimStep>();
    for (const step of day.steps) {
      expect(supersedes(step, state.get(step.instanceId))).toBe(true);
      state.set(step.instanceId, step);
    }
  });

  it('produces events the real Lambda translation accepts', () => {
    day.steps.forEach((step, index) => {
      const instance = byId.get(step.instanceId);
      if (instance === undefined) throw new Error(`step for unknown instance ${step.instanceId}`);
      const result = translateEvent(toEventBridgeEvent(step, instance, eventIdFor(step, index)));
      expect(result.ok && result.message).toMatchObject({
        id: step.instanceId,
        state: step.state,
        time: step.timeMs,
        region: instance.region,
      });
    });
  });

  it('starts each day where the previous one ended, with fresh Auto Scaling ids', () => {
    const days = createSimulation(DEFAULT_SIM_OPTIONS).days();
    const seen = new Map<string, SimStep>();
    const asgIds = new Set<string>();
    for (let d = 0; d < 5; d++) {
      const next = days.next().value as SimDay;
      for (const step of next.steps) {
        expect(supersedes(step, seen.get(step.instanceId))).toBe(true);
        expect(seen.get(step.instanceId)?.state).not.toBe('terminated');
        seen.set(step.instanceId, step);
      }
      for (const instance of next.instances) {
        if (instance.tags['aws:autoscaling:groupName'] !== undefined) asgIds.add(instance.instanceId);
      }
    }
    expect(asgIds.size).toBe(5 * 8);
  });

  it('refuses a fleet size it cannot simulate, naming the flag', () => {
    expect(() => simulateDay({ ...DEFAULT_SIM_OPTIONS, size: 0 })).toThrow(/--size/);
  });
});

describe('the in-between colours in the demo', () => {
  /** Real milliseconds each pending and stopping lasts at `speed`, over the first simulated day. */
  function inBetweenMs(speed: number): number[] {
    const { steps } = simulateDay(DEFAULT_SIM_OPTIONS);
    const out: number[] = [];
    steps.forEach((step, index) => {
      if (step.state !== 'pending' && step.state !== 'stopping') return;
      const next = steps.slice(index + 1).find((later) => later.instanceId === step.instanceId);
      if (next !== undefined) out.push((next.timeMs - step.timeMs) / speed);
    });
    return out;
  }

  it('flash by at the default speed, and stay lit for at least 0.3 s at the speed the README gives', () => {
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    const speed = Number(/`npm start -- --speed (\d+)` slows the day/.exec(readme)?.[1]);
    expect(speed).toBeGreaterThan(0);
    const fast = inBetweenMs(720);
    const slow = inBetweenMs(speed);
    expect(fast.length).toBeGreaterThan(20);
    expect(Math.max(...fast)).toBeLessThan(100);
    expect(Math.min(...slow)).toBeGreaterThanOrEqual(300);
    expect(Math.max(...slow)).toBeLessThanOrEqual(2_000);
  });
});
