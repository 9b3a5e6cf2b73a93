/**
 * The kinds of thing a pixel can show, and each kind's colour rules: the EC2 instance and the
 * CloudWatch alarm (HTTP, TCP and HLS checks are alarms too). A new kind is added here and by its
 * source: the layout, the legend and every output handle any kind without change.
 *
 * Contract:
 * - A kind names its states, a default colour per state ("#rrggbb", overridable in config `colors`
 *   under the state's name, so state names must not collide across kinds or with the indicators in
 *   palette.ts), the states that pulse, and a label for the legend.
 * - The palette holds every kind's states (palette.ts builds it from here); render.ts takes a
 *   pixel's colour as `palette[state]` and pulses or flashes it when its kind says so.
 * - `from`: where the kind's new pixels start when the config's `zones` says nothing (slots.ts):
 *   instances from the top row down, alarms from the bottom row up, so the two kinds grow towards
 *   each other and neither needs pixels set aside.
 * - `urgent`: states that must be seen whatever else the board is told (an ALARM): an output that
 *   dims or darkens the board (a night mode) keeps these lit.
 * - `idPattern`, `regionPattern`, `accountPattern`: what a thing of this kind carries. Ids never
 *   match two kinds' patterns (one id is never two kinds). The fleet file (fleet/fleet-file.ts)
 *   accepts an entry of any kind here by these and `states`, with no branch per kind.
 * - `look` (optional): a look that changes with time, as a pure function of the state, how long it
 *   has held (`ageMs`), the settled state before it (`previous`, store.ts) and the board's
 *   `dimAfterMs`. render.ts draws what it returns instead of the pulsing/flashing rule and wakes up
 *   when it says the look changes; a kind without `look` costs nothing.
 */
import { ALARM_ARN_PATTERN, ALARM_STATES, type AlarmState } from '../../shared/alarm-message.ts';
import { DEPLOY_ARN_PATTERN, DEPLOY_STATES, type DeployState } from '../../shared/deploy-message.ts';
import { INSTANCE_STATES, type InstanceState } from '../../shared/instance-state.ts';
import { INSTANCE_ID_PATTERN } from '../../shared/message.ts';
import { ACCOUNT_PATTERN, REGION_PATTERN } from '../../shared/patterns.ts';

/** Where a kind's new pixels start: row by row from the top-left, or from the bottom-left upwards. */
export type FillFrom = 'top' | 'bottom';

/** How a pixel moves: steady, pulsing (animate.ts pulseFactor) or flashing (FLASH_PERIOD_MS). */
export type Motion = 'steady' | 'pulse' | 'flash';

/** What a kind's `look` is told about one pixel. */
export interface LookInput<S extends string = string> {
  readonly state: S;
  /** How long the pixel has been in `state` (now - sinceMs), milliseconds, never negative. */
  readonly ageMs: number;
  /** The settled (not pulsing) state it held before `state`; undefined: none known. */
  readonly previous: string | undefined;
  /** How long a settled state that dims stays bright (config deploys.dimAfterMinutes). */
  readonly dimAfterMs: number;
}

/** A pixel's look at one moment: its state's colour, moved and scaled. */
export interface Look {
  readonly motion: Motion;
  /** Brightness factor of the state's colour; default 1. */
  readonly scale?: number;
  /** Milliseconds until the look changes by itself (render.ts wakes up then); undefined: never. */
  readonly changesInMs?: number;
}

export interface KindRules<S extends string = string> {
  /** The legend's word for one of these: "instance". */
  readonly label: string;
  readonly states: readonly S[];
  readonly defaultColors: Readonly<Record<S, string>>;
  /** States shown pulsing ("in progress"); the others are steady and cost no frames. */
  readonly pulsing: ReadonlySet<S>;
  /** States shown flashing (animate.ts FLASH_PERIOD_MS): the loudest look on the board. */
  readonly flashing?: ReadonlySet<S>;
  /** States a dimmed or dark board (night mode) must still show. */
  readonly urgent?: ReadonlySet<S>;
  /** Where new pixels of this kind start by default (config `zones` overrides it). */
  readonly from: FillFrom;
  /** Every id of this kind matches, and no id of another kind does. */
  readonly idPattern: RegExp;
  /** The words for such an id in a message: "instance id", "alarm ARN". */
  readonly idName: string;
  /** The region and account such a thing carries: an AWS region and account id, or a fixed word. */
  readonly regionPattern: RegExp;
  readonly accountPattern: RegExp;
  /** A look that changes with time (see the contract); absent: `pulsing` and `flashing` alone. */
  look?(input: LookInput<S>): Look;
}

const instanceRules: KindRules<InstanceState> = {
  label: 'instance',
  states: INSTANCE_STATES,
  defaultColors: {
    pending: '#00ff00',
    running: '#0000ff',
    stopping: '#ffff00',
    stopped: '#ff0000',
    'shutting-down': '#ff8000',
    terminated: '#404040',
  },
  pulsing: new Set(['pending', 'stopping', 'shutting-down']),
  from: 'top',
  idPattern: INSTANCE_ID_PATTERN,
  idName: 'instance id',
  regionPattern: REGION_PATTERN,
  accountPattern: ACCOUNT_PATTERN,
};

/**
 * A CloudWatch alarm (and every check, which is an alarm). Hues no instance state or indicator uses:
 * OK a quiet dim teal (nothing to see), INSUFFICIENT_DATA violet (no verdict: a check that stopped
 * reporting, an HLS stream off air), ALARM hot pink, flashing: the one pixel that flashes in
 * colour, brighter and faster than any pulse.
 */
const alarmRules: KindRules<AlarmState> = {
  label: 'alarm',
  states: ALARM_STATES,
  defaultColors: {
    OK: '#008060',
    ALARM: '#ff0080',
    INSUFFICIENT_DATA: '#8000ff',
  },
  pulsing: new Set(),
  flashing: new Set(['ALARM']),
  urgent: new Set(['ALARM']),
  from: 'bottom',
  idPattern: ALARM_ARN_PATTERN,
  idName: 'alarm ARN',
  regionPattern: REGION_PATTERN,
  accountPattern: ACCOUNT_PATTERN,
};

/** What a desk probe (sources/probes.ts) saw: HTTP and TCP are up or down; HLS has all four looks. */
export const PROBE_STATES = ['up', 'degraded', 'down', 'off-air'] as const;
export type ProbeState = (typeof PROBE_STATES)[number];
/** A probe's region and account: what the legend shows for "seen from this desk". */
export const DESK = 'desk';
/** A probe's id: `probe:` and its name (config `probes[].name`, 1-64 of these characters). */
export const PROBE_ID_PATTERN = /^probe:[A-Za-z0-9._-]{1,64}$/;
const DESK_PATTERN = new RegExp(`^${DESK}$`);

/**
 * A check run from this desk (config `probes`). The alarm's colour rules in their own hues: `up` a
 * quiet dim blue, `off-air` a dark violet, `degraded` pink pulsing, `down` red-pink flashing and
 * urgent, like an ALARM. Their zone starts at the bottom like the alarms'; `zones` can give them rows.
 */
const probeRules: KindRules<ProbeState> = {
  label: 'probe',
  states: PROBE_STATES,
  defaultColors: {
    up: '#004080',
    degraded: '#ff60a0',
    down: '#ff0040',
    'off-air': '#400080',
  },
  pulsing: new Set(['degraded']),
  flashing: new Set(['down']),
  urgent: new Set(['down']),
  from: 'bottom',
  idPattern: PROBE_ID_PATTERN,
  idName: 'probe id ("probe:" and its name)',
  regionPattern: DESK_PATTERN,
  accountPattern: DESK_PATTERN,
};

/** How long a fixed deploy (failed, then succeeded) flashes in its deployed colour: 1 minute. */
export const FIXED_LOOK_MS = 60_000;
/** The brightness of a deploy that succeeded longer than `dimAfterMs` ago: still there, out of the way. */
export const SETTLED_DIM = 0.2;

/**
 * The deploy look (docs/layout.md): a run in progress pulses; a success is steady, flashes for
 * FIXED_LOOK_MS when it fixes a failure, and dims to SETTLED_DIM after `dimAfterMs`; a failure
 * flashes and is urgent; a stopped run is steady.
 */
export function deployLook(input: LookInput<DeployState>): Look {
  const { state, ageMs, previous, dimAfterMs } = input;
  if (state === 'deploying') return { motion: 'pulse' };
  if (state === 'deploy-failed') return { motion: 'flash' };
  if (state !== 'deployed') return { motion: 'steady' };
  if (previous === 'deploy-failed' && ageMs < FIXED_LOOK_MS) {
    return { motion: 'flash', changesInMs: FIXED_LOOK_MS - ageMs };
  }
  if (ageMs < dimAfterMs) return { motion: 'steady', changesInMs: dimAfterMs - ageMs };
  return { motion: 'steady', scale: SETTLED_DIM };
}

/**
 * A CodePipeline pipeline or an ECS service (sources/deploys.ts): its latest run. Hues of their own:
 * deploying cyan (pulsing), deployed mint, deploy-failed orange-red (flashing, urgent),
 * deploy-stopped a dull amber.
 */
const deployRules: KindRules<DeployState> = {
  label: 'deploy',
  states: DEPLOY_STATES,
  defaultColors: {
    deploying: '#00c0ff',
    deployed: '#40ff80',
    'deploy-failed': '#ff4000',
    'deploy-stopped': '#806000',
  },
  pulsing: new Set(['deploying']),
  flashing: new Set(['deploy-failed']),
  urgent: new Set(['deploy-failed']),
  from: 'bottom',
  idPattern: DEPLOY_ARN_PATTERN,
  idName: 'pipeline or ECS service ARN',
  regionPattern: REGION_PATTERN,
  accountPattern: ACCOUNT_PATTERN,
  look: deployLook,
};

export const KINDS = {
  instance: instanceRules,
  alarm: alarmRules,
  probe: probeRules,
  deploy: deployRules,
} as const;

export type Kind = keyof typeof KINDS;
/** A state of any kind. */
export type KindState = (typeof KINDS)[Kind]['states'][number];

export const KIND_NAMES = Object.keys(KINDS) as readonly Kind[];

/** Every kind's states, in kind order: the palette's state keys. */
export const ALL_STATES: readonly KindState[] = KIND_NAMES.flatMap((kind) => KINDS[kind].states);

/** True when `name` is a kind this agent knows (a file or message may name any string). */
export function isKind(name: unknown): name is Kind {
  return typeof name === 'string' && Object.hasOwn(KINDS, name);
}

/** True when `state` is one of `kind`'s states. */
export function isStateOf(kind: Kind, state: unknown): state is KindState {
  return typeof state === 'string' && (KINDS[kind].states as readonly string[]).includes(state);
}

/** True when a pixel of `kind` in `state` pulses. */
export function pulsesAs(kind: Kind, state: string): boolean {
  return (KINDS[kind].pulsing as ReadonlySet<string>).has(state);
}

/** True when a pixel of `kind` in `state` flashes. */
export function flashesAs(kind: Kind, state: string): boolean {
  return (KINDS[kind] as KindRules).flashing?.has(state) === true;
}

/** True when a pixel of `kind` in `state` must stay lit on a dimmed or dark board. */
export function isUrgent(kind: Kind, state: string): boolean {
  return (KINDS[kind] as KindRules).urgent?.has(state) === true;
}

/** The look of a pixel of `kind` (kinds.ts `look`), or undefined: its kind has none. */
export function lookOf(kind: Kind, input: LookInput): Look | undefined {
  const look = (KINDS[kind] as KindRules).look;
  return look === undefined ? undefined : look(input);
}
