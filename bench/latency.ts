/**
 * (a) Event -> frame latency through the real pipeline on loopback: the Lambda handler's code
 * publishes into the embedded broker, the agent (aws-crt MQTT client over TCP) applies the change
 * and renders a frame. Latency is measured from just before the handler is called to the frame in
 * which the change first shows (the agent's view-change hook, called as the frame is rendered).
 */

import { silentLogger } from '../device/base/log.ts';
import { startPipeline } from '../device/demo/pipeline.ts';
import type { SimInstance } from '../device/demo/simulator.ts';
import type { Legend } from '../device/picture/legend.ts';
import type { InstanceState } from '../shared/instance-state.ts';
import { type Metric, type Section, summarize, until } from './report.ts';

export const ACCOUNT = '123456789012';
const REGIONS = ['us-east-1', 'eu-west-1'];

export function benchFleet(count: number, state: InstanceState): SimInstance[] {
  return Array.from({ length: count }, (_, i) => {
    const name = `bench-${String(i).padStart(4, '0')}`;
    return {
      instanceId: `i-${(0xbe000 + i).toString(16).padStart(17, '0')}`,
      region: REGIONS[i % REGIONS.length] as string,
      account: ACCOUNT,
      name,
      tags: { Name: name },
      initial: state,
    };
  });
}

let serial = 0;
export const nextEventId = () => `00000000-0000-4000-8000-${(serial++).toString(16).padStart(12, '0')}`;

function statesOf(view: Legend): Map<string, string> {
  const states = new Map<string, string>();
  for (const pixel of view.pixels) if (pixel.entry !== null) states.set(pixel.entry.id, pixel.entry.state);
  return states;
}

const LIFECYCLE: readonly InstanceState[] = ['stopping', 'stopped', 'pending', 'running'];

export async function benchLatency(): Promise<Section> {
  const fleet = benchFleet(1000, 'running');
  const pipeline = await startPipeline({
    instances: fleet,
    accounts: [ACCOUNT],
    regions: REGIONS,
    board: 'none',
    width: 32,
    height: 32,
    log: silentLogger,
  });
  try {
    await until(
      'the first listing',
      () => pipeline.agent.state().synced && pipeline.agent.legend().pixels.some((p) => p.entry),
      20_000,
    );

    // Who waits for what: instance id -> [expected state, start time]; resolved by the next frames.
    const pending = new Map<string, { state: string; at: number }>();
    const latencies: number[] = [];
    let frames = 0;
    pipeline.agent.onLegendChange(() => {
      frames++;
      if (pending.size === 0) return;
      const seenAt = performance.now();
      const states = statesOf(pipeline.agent.legend());
      for (const [id, wanted] of pending) {
        if (states.get(id) === wanted.state) {
          latencies.push(seenAt - wanted.at);
          pending.delete(id);
        }
      }
    });

    // 1,000 events at 1,000 per second, each to a different instance (running -> stopping).
    const start = performance.now();
    const base = Date.now();
    for (let i = 0; i < fleet.length; i++) {
      const due = start + i;
      while (performance.now() < due) await new Promise((resolve) => setImmediate(resolve));
      const instance = fleet[i] as SimInstance;
      const at = performance.now();
      pending.set(instance.instanceId, { state: 'stopping', at });
      void pipeline.emit(instance, 'stopping', nextEventId(), base + i);
    }
    await until('all 1,000 changes on the board', () => pending.size === 0, 20_000);
    const steady = summarize(latencies);
    const sendSeconds = (performance.now() - start) / 1000;

    // A burst of 10,000: ten changes to each instance, sent as fast as the handler takes them.
    frames = 0;
    const burstBase = Date.now() + 1000;
    const burstStart = performance.now();
    const sends: Promise<void>[] = [];
    for (let round = 0; round < 10; round++) {
      const state = LIFECYCLE[(round + 1) % LIFECYCLE.length] as InstanceState;
      for (const [i, instance] of fleet.entries()) {
        sends.push(pipeline.emit(instance, state, nextEventId(), burstBase + round * 1000 + (i % 1000)));
      }
    }
    const finalState = LIFECYCLE[10 % LIFECYCLE.length] as string;
    await Promise.all(sends);
    const publishedMs = performance.now() - burstStart;
    await until(
      'the burst to converge',
      () => {
        const states = statesOf(pipeline.agent.legend());
        return fleet.every((instance) => states.get(instance.instanceId) === finalState);
      },
      60_000,
    );
    const convergeMs = performance.now() - burstStart;

    const metrics: Metric[] = [
      { name: 'event -> frame p50 (1,000 events at 1,000/s)', value: steady.p50, unit: 'ms' },
      { name: 'event -> frame p99', value: steady.p99, unit: 'ms', target: '<= 25', pass: steady.p99 <= 25 },
      { name: 'event -> frame max', value: steady.max, unit: 'ms' },
      { name: 'seconds to send the 1,000 events', value: sendSeconds, unit: 's' },
      { name: 'burst: 10,000 events published through the handler in', value: publishedMs, unit: 'ms' },
      { name: 'burst: frames rendered (coalescing)', value: frames, unit: '' },
      { name: 'burst: time until the board shows every final state', value: convergeMs, unit: 'ms' },
    ];
    return { id: 'latency', title: '(a) Event -> frame through the real pipeline (loopback)', metrics };
  } finally {
    await pipeline.stop();
  }
}
