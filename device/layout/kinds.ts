/**
 * The kinds of thing a pixel can show, and each kind's colour rules. Today one kind, the EC2
 * instance; a new kind (a CloudWatch alarm, a health check) is added here and by its source: the
 * layout, the legend and every output handle any kind without change.
 *
 * Contract:
 * - A kind names its states, a default colour per state ("#rrggbb", overridable in config `colors`
 *   under the state's name, so state names must not collide across kinds or with the indicators in
 *   palette.ts), the states that pulse, and a label for the legend.
 * - The palette holds every kind's states (palette.ts builds it from here); render.ts takes a
 *   pixel's colour as `palette[state]` and pulses it when its kind says so.
 */
import { INSTANCE_STATES, type InstanceState } from '../../shared/instance-state.ts';

export interface KindRules<S extends string = string> {
  /** The legend's word for one of these: "instance". */
  readonly label: string;
  readonly states: readonly S[];
  readonly defaultColors: Readonly<Record<S, string>>;
  /** States shown pulsing ("in progress"); the others are steady and cost no frames. */
  readonly pulsing: ReadonlySet<S>;
  /**
   * States that matter at night (an alarm in ALARM): with `display.schedule.urgentOverridesOff`
   * they light while the schedule has the board off. Absent: none (an instance is never urgent).
   */
  readonly urgent?: ReadonlySet<S>;
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
};

export const KINDS = { instance: instanceRules } as const;

export type Kind = keyof typeof KINDS;
/** A state of any kind. */
export type KindState = (typeof KINDS)[Kind]['states'][number];

export const KIND_NAMES = Object.keys(KINDS) as readonly Kind[];

/** Every kind's states, in kind order: the palette's state keys. */
export const ALL_STATES: readonly KindState[] = KIND_NAMES.flatMap((kind) => KINDS[kind].states);

/** True when a pixel of `kind` in `state` pulses. */
export function pulsesAs(kind: Kind, state: string): boolean {
  return (KINDS[kind].pulsing as ReadonlySet<string>).has(state);
}

/** True when a pixel of `kind` in `state` is urgent (kinds.ts `urgent`). */
export function urgentAs(kind: Kind, state: string): boolean {
  const rules: KindRules = KINDS[kind];
  return rules.urgent?.has(state) === true;
}
