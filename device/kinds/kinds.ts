/**
 * The kinds of item a pixel can show, each one spec (`KindSpec`), and the registry the agent reads
 * them from: the EC2 instance, the CloudWatch alarm (HTTP, TCP and HLS checks are alarms too), the
 * desk probe, and any kind `registerKind` adds (a test's). A kind costs its spec here and its source
 * (device/README.md, "Adding a kind"): the store, sync, the fleet file, replay, the config, the
 * layout, the legend, the metrics and every output read the spec and name no kind.
 *
 * Contract:
 * - A kind names its states, a default colour per state ("#rrggbb", overridable in config `colors`
 *   under the state's name, so state names must not collide across kinds or with the indicators in
 *   palette.ts), the states that pulse, flash or are urgent, and a label for the legend.
 * - Its ordering (`supersedesIn`): the spec's `supersedes`, or the later time, then the higher
 *   `severity`; a total preorder per kind, so changes in any order and with duplicates converge.
 * - The palette holds every kind's states (palette.ts builds it from here); render.ts takes a
 *   pixel's colour as `palette[state]` and pulses or flashes it when its kind says so.
 * - `from`: where the kind's new pixels start when the config's `zones` says nothing (slots.ts):
 *   instances from the top row down, alarms from the bottom row up, so the two kinds grow towards
 *   each other and neither needs pixels set aside.
 * - `urgent`: states that must be seen whatever else the board is told (an ALARM): an output that
 *   dims or darkens the board (a night mode) keeps these lit.
 * - `idPattern`, `regionPattern`, `accountPattern`: what an item of this kind carries. Ids never
 *   match two kinds' patterns (one id is never two kinds). The fleet file (fleet/fleet-file.ts)
 *   accepts an entry of any registered kind by these and `states`, with no branch per kind.
 * - `look` (optional): a look that changes with time, as a pure function of the state, how long it
 *   has held (`ageMs`), the settled state before it (`previous`, store.ts) and the board's
 *   `dimAfterMs`. render.ts draws what it returns instead of the pulsing/flashing rule and wakes up
 *   when it says the look changes; a kind without `look` costs nothing.
 * - `startMs` on a change (optional, kind-free): when the run the state belongs to started, for a
 *   kind whose items have runs (a deploy's execution); the store keeps it and `supersedes` reads it.
 * - The registry (KINDS, KIND_NAMES, ALL_STATES) is module state, changed only by `registerKind`
 *   and its undo: a test that registers a kind undoes it when done.
 */
import { ALARM_ARN_PATTERN, ALARM_KIND, ALARM_STATES, type AlarmState } from '../../shared/alarm-message.ts';
import {
  DEPLOY_ARN_PATTERN,
  DEPLOY_KIND,
  DEPLOY_STATES,
  type DeployState,
} from '../../shared/deploy-message.ts';
import { INSTANCE_STATES, type InstanceState, STATE_RANK, supersedes } from '../../shared/instance-state.ts';
import { INSTANCE_ID_PATTERN } from '../../shared/message.ts';
import { ACCOUNT_PATTERN, REGION_PATTERN } from '../../shared/patterns.ts';

/** Where a kind's new pixels start: row by row from the top-left, or from the bottom-left upwards. */
export type FillFrom = 'top' | 'bottom';

/** What the ordering rule compares: a state and the time it was observed (epoch ms). */
export interface Stamped {
  readonly state: string;
  readonly timeMs: number;
  /** When the run the state belongs to started (a deploy's); absent: the kind has no runs. */
  readonly startMs?: number | undefined;
}

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

/**
 * One kind of thing a pixel shows, as data: everything the model, the store, sync, the fleet file,
 * replay, the metrics and the outputs need to know about it. Nothing outside the spec and the
 * kind's source names a kind.
 */
export interface KindSpec<S extends string = string> {
  /** The kind's name (the `kind` of its items, the key in KINDS and config `zones`): "instance". */
  readonly name: string;
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
  /**
   * How bad each state is, higher = worse (`isWorse`); also the tie-break of the default ordering
   * between two states stamped with the same millisecond: the worse state wins the tie, so the board
   * errs on the side of showing trouble until the next listing heals it.
   */
  readonly severity: Readonly<Record<S, number>>;
  /**
   * The ordering rule: true when `next` replaces `current` of the same item. It must be a total
   * preorder (any set of changes applied in any order, with duplicates, ends on one state).
   * Default: the later `timeMs` wins, a tie goes to the higher `severity`, nothing absorbs.
   */
  readonly supersedes?: (next: Stamped, current: Stamped) => boolean;
  /**
   * A first-seen id needs describing (a DescribeInstances for its Name and tags, sync.ts) because its
   * changes carry no name. Default false: the change carries the name, and there are no tags.
   */
  readonly describes?: boolean;
  /** The tags the fleet file keeps of an item of this kind (the layout reads Name and `ec2led:pixel`). Default none. */
  readonly keptTags?: readonly string[];
  /**
   * The EventBridge events this kind's changes come from, for replay (commands/replay/replay.ts): the
   * envelope's `source` and `detail-type`, and the translation of one event to its change (or why
   * not). The built-in kinds' translations are the Lambda's own, wired in commands/replay/events.ts.
   */
  readonly events?: readonly KindEvent[];
  /** A look that changes with time (see the contract); absent: `pulsing` and `flashing` alone. */
  look?(input: LookInput<S>): Look;
}

/** A change as a kind's event translation gives it (the fields of fleet/item.ts `Change`). */
export interface KindChange {
  readonly kind?: string | undefined;
  readonly id: string;
  readonly state: string;
  readonly timeMs: number;
  readonly region: string;
  readonly account: string;
  readonly eventId?: string | undefined;
  readonly name?: string | undefined;
  /** When the run the state belongs to started (see the contract); absent: the kind has no runs. */
  readonly startMs?: number | undefined;
}

export interface KindEvent {
  readonly source: string;
  readonly detailType: string;
  /** `ignored`: a valid event the kind skips on purpose (a SUPERSEDED execution): counted, not a problem. */
  translate(
    event: unknown,
  ): { readonly change: KindChange } | { readonly reason: string; readonly ignored?: true | undefined };
}

/** The spec's older name, kept while other modules still say it. */
export type KindRules<S extends string = string> = KindSpec<S>;

/** The EC2 instance's kind name. */
export const INSTANCE_KIND = 'instance';
/** The kind of an item or change that names none (the wire message and fleet file before kinds). */
export const DEFAULT_KIND = INSTANCE_KIND;

const instanceSpec: KindSpec<InstanceState> = {
  name: DEFAULT_KIND,
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
  // The lifecycle rank: a later stage of a start/stop/terminate counts as worse.
  severity: STATE_RANK,
  // (terminated absorbs, time, lifecycle rank): shared/instance-state.ts.
  supersedes: (next, current) =>
    supersedes(
      { state: next.state as InstanceState, timeMs: next.timeMs },
      { state: current.state as InstanceState, timeMs: current.timeMs },
    ),
  describes: true,
  keptTags: ['Name', 'ec2led:pixel'],
};

/**
 * A CloudWatch alarm (and every check, which is an alarm). Hues no instance state or indicator uses:
 * OK a quiet dim teal (nothing to see), INSUFFICIENT_DATA violet (no verdict: a check that stopped
 * reporting, an HLS stream off air), ALARM hot pink, flashing: the one pixel that flashes in
 * colour, brighter and faster than any pulse. Ordered by the state's own time (the message's `time`,
 * CloudWatch's `StateUpdatedTimestamp`); an alarm goes back and forth for ever.
 */
const alarmSpec: KindSpec<AlarmState> = {
  name: ALARM_KIND,
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
  severity: { OK: 0, INSUFFICIENT_DATA: 1, ALARM: 2 },
};

/** What a desk probe (sources/probes.ts) saw: HTTP and TCP are up or down; HLS has all four looks. */
export const PROBE_STATES = ['up', 'degraded', 'down', 'off-air'] as const;
export type ProbeState = (typeof PROBE_STATES)[number];
/** A probe's region and account: what the legend shows for "seen from this desk". */
export const DESK = 'desk';
/** The desk probes' kind name. */
export const PROBE_KIND = 'probe';
/** A probe's id: `probe:` and its name (config `probes[].name`, 1-64 of these characters). */
export const PROBE_ID_PATTERN = /^probe:[A-Za-z0-9._-]{1,64}$/;
const DESK_PATTERN = new RegExp(`^${DESK}$`);

/**
 * A check run from this desk (config `probes`). The alarm's colour rules in their own hues: `up` a
 * quiet dim blue, `off-air` a dark violet, `degraded` pink pulsing, `down` red-pink flashing and
 * urgent, like an ALARM. Their zone starts at the bottom like the alarms'; `zones` can give them rows.
 */
const probeSpec: KindSpec<ProbeState> = {
  name: PROBE_KIND,
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
  severity: { up: 0, 'off-air': 1, degraded: 2, down: 3 },
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

/** Within one run and one stamp, the louder deploy state wins (a failure wins a tie). */
const DEPLOY_SEVERITY: Readonly<Record<DeployState, number>> = {
  deploying: 0,
  'deploy-stopped': 1,
  deployed: 2,
  'deploy-failed': 3,
};

/**
 * A CodePipeline pipeline or an ECS service (sources/deploys.ts): its latest run. Hues of their own:
 * deploying cyan (pulsing), deployed mint, deploy-failed orange-red (flashing, urgent),
 * deploy-stopped a dull amber. Ordered by the run's start first (a newer execution or deployment
 * outranks any state of an older one, however late the older one's event arrives), then the state's
 * time, then severity; a stored deploy without `startMs` (restored from a file written before it
 * was kept) is ordered by time alone. Replay's events are wired in commands/replay/events.ts.
 */
const deploySpec: KindSpec<DeployState> = {
  name: DEPLOY_KIND,
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
  severity: DEPLOY_SEVERITY,
  supersedes: (next, current) => {
    if (next.startMs !== undefined && current.startMs !== undefined && next.startMs !== current.startMs)
      return next.startMs > current.startMs;
    if (next.timeMs !== current.timeMs) return next.timeMs > current.timeMs;
    return DEPLOY_SEVERITY[next.state as DeployState] > DEPLOY_SEVERITY[current.state as DeployState];
  },
  look: deployLook,
};

/** The built-in kinds, in legend order. */
const BUILT_IN: readonly KindSpec[] = [instanceSpec, alarmSpec, probeSpec, deploySpec] as readonly KindSpec[];

/** A kind's name. Any registered name (the built-ins, and whatever `registerKind` added). */
export type Kind = string;
/** A state of any kind. */
export type KindState = string;
/** A state of a built-in kind (the palette's typed keys). */
export type BuiltInState = InstanceState | AlarmState | ProbeState | DeployState;

/**
 * The registry: every kind this agent knows, by name. Live: `registerKind` adds to it and its undo
 * removes, so KINDS, KIND_NAMES and ALL_STATES are the same objects throughout and always current.
 * Register a kind before anything reads it (before the agent starts): the palette and the config
 * schema read the registry when they are built.
 */
export const KINDS: Record<Kind, KindSpec> = Object.fromEntries(BUILT_IN.map((spec) => [spec.name, spec]));
/** Every kind's name, in registration order (the built-ins first). */
export const KIND_NAMES: readonly Kind[] = BUILT_IN.map((spec) => spec.name);
/** Every kind's states, in kind order: the palette's state keys. */
export const ALL_STATES: readonly KindState[] = BUILT_IN.flatMap((spec) => spec.states);

function sync(): void {
  const names = KIND_NAMES as Kind[];
  const states = ALL_STATES as KindState[];
  names.splice(0, names.length, ...Object.keys(KINDS));
  states.splice(0, states.length, ...names.flatMap((name) => (KINDS[name] as KindSpec).states));
}

/**
 * Adds a kind (a test's, or one a new source brings) and returns the undo, which removes it again
 * (a test calls it in `afterAll`). Throws when the name is taken or a state is another kind's: the
 * palette and config `colors` key colours by state name.
 */
export function registerKind(spec: KindSpec): () => void {
  if (Object.hasOwn(KINDS, spec.name))
    throw new Error(`kind ${JSON.stringify(spec.name)} is registered already`);
  const taken = spec.states.filter((state) => ALL_STATES.includes(state));
  if (taken.length > 0)
    throw new Error(
      `kind ${JSON.stringify(spec.name)}: states ${taken.join(', ')} belong to another kind; rename them`,
    );
  for (const state of spec.states) {
    if (!Number.isFinite(spec.severity[state]))
      throw new Error(
        `kind ${JSON.stringify(spec.name)}: state ${state} has no severity; give every state one`,
      );
  }
  KINDS[spec.name] = spec;
  sync();
  return () => {
    if (KINDS[spec.name] !== spec) return;
    delete KINDS[spec.name];
    sync();
  };
}

/** True when `name` is a kind this agent knows (a file or message may name any string). */
export function isKind(name: unknown): name is Kind {
  return typeof name === 'string' && Object.hasOwn(KINDS, name);
}

/** The spec of `kind` (absent: DEFAULT_KIND). Throws for a kind never registered: a bug, not input. */
export function specOf(kind: Kind | undefined): KindSpec {
  const spec = KINDS[kind ?? DEFAULT_KIND];
  if (spec === undefined)
    throw new Error(`kind ${JSON.stringify(kind)} is not registered; register it (registerKind) before use`);
  return spec;
}

/** True when `state` is one of `kind`'s states. */
export function isStateOf(kind: Kind, state: unknown): state is KindState {
  return (
    typeof state === 'string' && isKind(kind) && (specOf(kind).states as readonly string[]).includes(state)
  );
}

/** True when a pixel of `kind` in `state` pulses. */
export function pulsesAs(kind: Kind, state: string): boolean {
  return isKind(kind) && specOf(kind).pulsing.has(state);
}

/** True when a pixel of `kind` in `state` flashes. */
export function flashesAs(kind: Kind, state: string): boolean {
  return isKind(kind) && specOf(kind).flashing?.has(state) === true;
}

/** True when a pixel of `kind` in `state` must stay lit on a dimmed or dark board. */
export function isUrgent(kind: Kind, state: string): boolean {
  return isKind(kind) && specOf(kind).urgent?.has(state) === true;
}

/** True when `to` is a worse state of `kind` than `from` (its `severity`). */
export function isWorse(kind: Kind, from: string, to: string): boolean {
  const severity = specOf(kind).severity;
  return (severity[to] ?? Number.NEGATIVE_INFINITY) > (severity[from] ?? Number.NEGATIVE_INFINITY);
}

/**
 * True when `next` must replace `current` of the same item of `kind`: the kind's own rule, or the
 * default (later time, then higher severity). A total preorder per kind.
 */
export function supersedesIn(kind: Kind | undefined, next: Stamped, current: Stamped | undefined): boolean {
  if (current === undefined) return true;
  const spec = specOf(kind);
  if (spec.supersedes !== undefined) return spec.supersedes(next, current);
  if (next.timeMs !== current.timeMs) return next.timeMs > current.timeMs;
  return (spec.severity[next.state] ?? -1) > (spec.severity[current.state] ?? -1);
}

/** The look of a pixel of `kind` (its spec's `look`), or undefined: its kind has none. */
export function lookOf(kind: Kind, input: LookInput): Look | undefined {
  const look = isKind(kind) ? specOf(kind).look : undefined;
  return look === undefined ? undefined : look(input);
}
