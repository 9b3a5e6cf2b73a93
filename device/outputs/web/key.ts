/**
 * The web board's colour key (pure): every kind (device/kinds/kinds.ts), each state with the colour
 * the board shows it in (the agent's palette, so config `colors` holds here too) and its look:
 * steady, pulsing (in progress) or flashing (the loudest: an ALARM). Served as `GET /api/kinds`; the
 * page draws its key from it and animates its pixels by it. Nothing here names a kind: a new kind
 * in kinds.ts appears in the key by itself. An urgent state also gives its quiet colour: how it
 * looks once acknowledged or snoozed (steady at QUIET_LEVEL, picture/attention.ts).
 */

import { KIND_NAMES, KINDS, type KindRules } from '../../kinds/kinds.ts';
import { QUIET_LEVEL } from '../../picture/animate.ts';
import {
  colorOf,
  defaultPalette,
  type Palette,
  type PaletteKey,
  scaleColor,
  toHex,
} from '../../picture/palette.ts';

export type Look = 'steady' | 'pulsing' | 'flashing';

export interface KeyState {
  readonly state: string;
  /** '#rrggbb', the logical colour. */
  readonly color: string;
  readonly look: Look;
  /** Present, true, for a state a dimmed or dark board still shows. */
  readonly urgent?: true;
  /** An urgent state's look once acknowledged or snoozed: steady, '#rrggbb' at QUIET_LEVEL. */
  readonly quietColor?: string;
}

export interface KeyKind {
  readonly kind: string;
  /** The legend's word for one of these: "instance". */
  readonly label: string;
  readonly states: readonly KeyState[];
}

export interface ColourKey {
  readonly kinds: readonly KeyKind[];
}

export function colourKey(palette: Palette = defaultPalette()): ColourKey {
  return {
    kinds: KIND_NAMES.map((kind) => {
      const rules = KINDS[kind] as KindRules;
      return {
        kind,
        label: rules.label,
        states: rules.states.map((state) => ({
          state,
          color: toHex(colorOf(palette, state)),
          look: rules.flashing?.has(state) ? 'flashing' : rules.pulsing.has(state) ? 'pulsing' : 'steady',
          ...(rules.urgent?.has(state) === true
            ? {
                urgent: true as const,
                quietColor: toHex(scaleColor(palette[state as PaletteKey], QUIET_LEVEL)),
              }
            : {}),
        })),
      };
    }),
  };
}
