/**
 * Board views for the web board tests: a realistic fleet on an 8x8 Unicorn HAT, hostile Name tags,
 * and a mutable holder a test changes before calling notify(). Plain data, no server.
 */

import type { BuiltInState, KindState } from '../../../../device/kinds/kinds.ts';
import type { Legend, LegendEntry, LegendPixel } from '../../../../device/picture/legend.ts';
import type { InstanceState } from '../../../../shared/instance-state.ts';

export const COLORS: Readonly<Record<BuiltInState, string>> & Readonly<Record<KindState, string>> = {
  pending: '#00c853',
  running: '#2962ff',
  stopping: '#ffc400',
  stopped: '#ff1744',
  'shutting-down': '#ff6d00',
  terminated: '#000000',
  OK: '#008060',
  ALARM: '#ff0080',
  INSUFFICIENT_DATA: '#8000ff',
  up: '#004080',
  degraded: '#ff60a0',
  down: '#ff0040',
  'off-air': '#400080',
  deploying: '#00c0ff',
  deployed: '#40ff80',
  'deploy-failed': '#ff4000',
  'deploy-stopped': '#806000',
};

const MINUTE = 60_000;

/** `#rrggbb` -> `rgb(r, g, b)`, as getComputedStyle reports it. */
export function rgb(hex: string): string {
  const n = Number.parseInt(hex.slice(1), 16);
  return `rgb(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255})`;
}

export function instance(
  id: string,
  name: string,
  state: InstanceState,
  sinceMs: number,
  region = 'eu-west-1',
): LegendEntry {
  return { kind: 'instance', id, name, state, region, account: '123456789012', sinceMs };
}

export function pixel(x: number, y: number, lit: LegendEntry | null): LegendPixel {
  return { x, y, color: lit === null ? '#000000' : (COLORS[lit.state] ?? '#000000'), entry: lit };
}

/** A board with every pixel present, lit from `instances` in reading order. */
export function boardOf(
  width: number,
  height: number,
  instances: readonly LegendEntry[],
  extra: Partial<Pick<Legend, 'connected' | 'synced' | 'overflow'>> = {},
): Legend {
  const pixels: LegendPixel[] = [];
  for (let i = 0; i < width * height; i++) {
    pixels.push(pixel(i % width, Math.floor(i / width), instances[i] ?? null));
  }
  return { width, height, connected: true, synced: true, overflow: 0, ...extra, pixels };
}

/** Deterministic pseudo-random numbers (a 32-bit LCG), so the picture is the same on every run. */
function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

/** 41 instances of a small company's fleet: mostly running, a few stopped dev boxes, some in between. */
export function fleetView(nowMs: number): Legend {
  const random = lcg(7);
  const roles = ['web', 'api', 'worker', 'cache', 'db', 'batch'];
  const regions = ['eu-west-1', 'eu-west-1', 'us-east-1', 'eu-central-1'];
  const states: InstanceState[] = [
    ...Array<InstanceState>(27).fill('running'),
    ...Array<InstanceState>(3).fill('pending'),
    ...Array<InstanceState>(2).fill('stopping'),
    'shutting-down',
    ...Array<InstanceState>(8).fill('stopped'),
  ];
  // Slots are handed out as instances appear, so states are mixed on a real board; pixel 0,0 stays running.
  for (let i = states.length - 1; i > 1; i--) {
    const j = 1 + Math.floor(random() * i);
    [states[i], states[j]] = [states[j] as InstanceState, states[i] as InstanceState];
  }
  const instances = states.map((state, i) => {
    const region = regions[i % regions.length] as string;
    const name =
      state === 'stopped'
        ? `dev-${['alice', 'bob', 'chen', 'dana', 'eli', 'fay', 'gus', 'hana'][i % 8]}`
        : `${roles[i % roles.length]}-${region.split('-')[1]}-${Math.floor(i / roles.length) + 1}`;
    const hex = Array.from({ length: 16 }, () => Math.floor(random() * 16).toString(16)).join('');
    const minutes = state === 'running' ? (i * 97) % 2900 : state === 'stopped' ? 600 + i * 13 : 1 + (i % 3);
    return instance(`i-0${hex}`, name, state, nowMs - minutes * MINUTE - 17_000, region);
  });
  return boardOf(8, 8, instances);
}

export const HOSTILE_NAMES = {
  html: '<img src=x onerror=alert(1)>',
  script: '<script>alert(2)</script>',
  ansi: '\u001b[31mred-alert\u001b[0m',
  osc: '\u001b]0;owned\u0007title-change',
  bidi: 'evil\u202Eexe.txt',
  long: `long-${'x'.repeat(251)}`,
} as const;

/** One pixel per hostile Name tag, in the order of HOSTILE_NAMES, on a 4x4 board. */
export function hostileView(nowMs: number): Legend {
  const instances = Object.values(HOSTILE_NAMES).map((name, i) =>
    instance(`i-0bad${String(i).padStart(13, '0')}`, name, 'running', nowMs - 5 * MINUTE),
  );
  return boardOf(4, 4, instances);
}

/** The view a server reads, swapped by a test before it calls notify(). */
export class ViewHolder {
  current: Legend;
  constructor(initial: Legend) {
    this.current = initial;
  }
  readonly view = (): Legend => this.current;
}

/** An alarm as the agent shows it: its ARN as id, its name as name. */
export function alarm(
  name: string,
  state: 'OK' | 'ALARM' | 'INSUFFICIENT_DATA',
  sinceMs: number,
): LegendEntry {
  const id = `arn:aws:cloudwatch:us-east-1:123456789012:alarm:${name}`;
  return { kind: 'alarm', id, name, state, region: 'us-east-1', account: '123456789012', sinceMs };
}

/** A long alarm name: its ARN is 115 characters, its name 64. */
export const LONG_ALARM = `check-https-www-example-com-checkout-latency-p99-over-2s-for-5m`;

/** The realistic fleet with four alarms on the bottom row (one in ALARM, one with a long name). */
export function mixedView(nowMs: number): Legend {
  const fleet = fleetView(nowMs);
  const alarms = [
    alarm('web-5xx', 'ALARM', nowMs - 2 * MINUTE),
    alarm('api-latency-p99', 'OK', nowMs - 300 * MINUTE),
    alarm('db-cpu-high', 'INSUFFICIENT_DATA', nowMs - 20 * MINUTE),
    alarm(LONG_ALARM, 'OK', nowMs - 90 * MINUTE),
  ];
  const pixels = fleet.pixels.map((p) => {
    const entry = p.y === 7 ? alarms[p.x] : undefined;
    return entry === undefined ? p : { ...p, color: COLORS[entry.state] ?? '#000000', entry };
  });
  return { ...fleet, pixels };
}
