/**
 * The picture pipeline, once: (fleet, previous slots, settings, status, clock, identify) -> layout,
 * frame, legend and when to compose again. Pure. The agent, `agent --once`, `replay` and the
 * benchmarks all call `composePicture`, so the picture they show cannot drift apart.
 *
 * Contract:
 * - The layout is `assignSlots` over the fleet (pins, grace, overflow: slots.ts), the frame and the
 *   legend are `renderBoard` over that layout (render.ts).
 * - Given the previous picture, the layout is reused while the fleet (by identity) and the listing
 *   flag are unchanged and no grace period has ended: an animation frame does not lay out every
 *   instance again. The legend is reused (same object) while the fleet, the layout and the status
 *   are unchanged, so an output can tell "legend unchanged" by identity, without serializing it.
 * - `wakeInMs` is when to compose again (next animation step, end of a grace or of identify, next
 *   step of a fade, next scheduled brightness change); undefined: nothing changes until the fleet or
 *   the status does.
 * - With a brightness schedule (`settings.night`, schedule.ts), `brightness` is the one to show this
 *   frame (the display applies it instead of the configured one) and the legend carries the level and
 *   the next change. While the board is off, animations ask for no frames. With `urgentOverridesOff`,
 *   an urgent pixel (kinds.ts) lights while the level is "off": only the urgent pixels, at the
 *   configured brightness. Identify of the whole board (Home Assistant's flash) blinks at the
 *   configured brightness while the level is "off", and changes neither the level nor the legend.
 * - `attention` (attention.ts, reconciled by the caller) quiets acknowledged and snoozed urgent
 *   items: they flash no more, and night mode's urgent override leaves them dark. The legend is
 *   new when the attention is (another object), and a picture wakes when the next snooze expires.
 */

import { type ManualLevel, type Night, type NightSettings, nightAt } from '../brightness/schedule.ts';
import { type Notice, urgentNoticeOf } from '../fleet/notices.ts';
import type { Fleet } from '../fleet/store.ts';
import { isUrgent } from '../kinds/kinds.ts';
import { type Attention, attentionMarks, type ItemAttention, nextExpiryMs } from './attention.ts';
import type { Frame } from './frame.ts';
import type { Legend, LegendBrightness } from './legend.ts';
import { DEFAULT_PALETTE, type Palette } from './palette.ts';
import { type FeedStatus, type Identify, identifiesBoard, renderBoard } from './render.ts';
import { assignSlots, type Layout, type SlotMap, type Zones } from './slots.ts';

export interface PictureSettings {
  readonly width: number;
  readonly height: number;
  /** Config pins: instance id or Name -> "x,y" (none by default). */
  readonly pins?: Readonly<Record<string, string>> | undefined;
  /** How long a terminated instance keeps its pixel; default slots.ts DEFAULT_GRACE_MS. */
  readonly graceMs?: number | undefined;
  /** Default DEFAULT_PALETTE. */
  readonly palette?: Palette | undefined;
  /** Account id -> label (config aws.accounts); with two or more the legend names the account. */
  readonly accountLabels?: ReadonlyMap<string, string> | undefined;
  /** The brightness schedule (config display.schedule); none: the display's configured brightness. */
  readonly night?: NightSettings | undefined;
  /** Per kind, where its new pixels go (config `zones`, slots.ts); default each kind's own. */
  readonly zones?: Zones | undefined;
  /** How long a settled state that dims stays bright (render.ts); default DEFAULT_DIM_AFTER_MS. */
  readonly dimAfterMs?: number | undefined;
}

export interface PictureInput {
  readonly fleet: Fleet;
  /** The previous layout's slots, or those loaded from the state directory at start. */
  readonly slots: SlotMap;
  /** A listing has been applied since start: only then may an unseen instance lose its pixel. */
  readonly listed: boolean;
  readonly settings: PictureSettings;
  readonly status: FeedStatus;
  readonly nowMs: number;
  readonly identify?: Identify | undefined;
  /** Accounts the last listing could not read, with the reason (sync.ts): their pixels show stale. */
  readonly staleAccounts?: ReadonlyMap<string, string> | undefined;
  /** A brightness set by hand (Home Assistant): holds until the schedule's next transition. */
  readonly manualLevel?: ManualLevel | undefined;
  /**
   * The fleet restored at start (fleet-file.ts), until the first listing: an instance still the very
   * object restored (no message has changed it) shows stale.
   */
  readonly restored?: Fleet | undefined;
  /** The last picture composed with the same settings: its layout and legend are reused when they hold. */
  readonly previous?: Picture | undefined;
  /** Acknowledgements and snoozes, reconciled with `fleet` (attention.ts); default none. */
  readonly attention?: Attention | undefined;
  /** Instance notices showing now, by item id (notice-holder.ts): a new map only when one starts or ends. */
  readonly notices?: ReadonlyMap<string, Notice> | undefined;
}

export interface Picture {
  readonly fleet: Fleet;
  readonly listed: boolean;
  readonly staleAccounts: ReadonlyMap<string, string> | undefined;
  readonly restored: Fleet | undefined;
  readonly notices?: ReadonlyMap<string, Notice> | undefined;
  readonly status: FeedStatus;
  readonly layout: Layout;
  /** Logical colours, exactly width x height (the display applies brightness and gamma). */
  readonly frame: Frame;
  /** Which pixel shows what, in steady colours: the web board, the terminal legend, `ec2led status`. */
  readonly legend: Legend;
  readonly animating: boolean;
  /** When to compose again; undefined: not until the fleet or the status changes. */
  readonly wakeInMs: number | undefined;
  /** 0..1 for this frame, overriding the configured brightness; undefined without a schedule. */
  readonly brightness: number | undefined;
  /** The schedule's answer for this frame (reused by the next picture while it holds). */
  readonly night: Night | undefined;
  readonly manualLevel: ManualLevel | undefined;
  /** The attention this picture shows (the attention file saves it when it changes). */
  readonly attention: Attention | undefined;
  /** Each item's attention, by id: reused by the next picture while fleet and attention hold. */
  readonly marks: ReadonlyMap<string, ItemAttention> | undefined;
}

/** `frame` with every pixel dark but those whose entry is urgent. */
export function urgentOnly(frame: Frame, legend: Legend, urgent = isUrgentPixel): Frame {
  const rgb = new Uint8Array(frame.rgb.length);
  for (const pixel of legend.pixels) {
    if (!urgent(pixel)) continue;
    const at = (pixel.y * frame.width + pixel.x) * 3;
    rgb.set(frame.rgb.subarray(at, at + 3), at);
  }
  return { width: frame.width, height: frame.height, rgb };
}

/** Urgent and neither acknowledged nor snoozed (attention.ts): what lights a board that is off. */
function isUrgentPixel(pixel: Legend['pixels'][number]): boolean {
  return (
    pixel.entry !== null &&
    isUrgent(pixel.entry.kind, pixel.entry.state) &&
    pixel.entry.attention === undefined
  );
}

function sameBrightness(a: LegendBrightness | undefined, b: LegendBrightness | undefined): boolean {
  return (
    a === b ||
    (a !== undefined &&
      b !== undefined &&
      a.level === b.level &&
      a.manual === b.manual &&
      a.urgent === b.urgent &&
      a.next?.atMs === b.next?.atMs &&
      a.next?.level === b.next?.level)
  );
}

function reusableLayout(input: PictureInput): Layout | undefined {
  const previous = input.previous;
  if (previous === undefined || previous.fleet !== input.fleet || previous.listed !== input.listed)
    return undefined;
  return input.nowMs < (previous.layout.nextExpiryAtMs ?? Number.POSITIVE_INFINITY)
    ? previous.layout
    : undefined;
}

export function composePicture(input: PictureInput): Picture {
  const { fleet, listed, settings, status, nowMs, previous } = input;
  const layout =
    reusableLayout(input) ??
    assignSlots({
      fleet,
      previous: input.slots,
      width: settings.width,
      height: settings.height,
      ...(settings.pins === undefined ? {} : { pins: settings.pins }),
      ...(settings.graceMs === undefined ? {} : { graceMs: settings.graceMs }),
      ...(settings.zones === undefined ? {} : { zones: settings.zones }),
      nowMs,
      listed,
    });
  const palette = settings.palette ?? DEFAULT_PALETTE;
  const { attention } = input;
  const expiry = attention === undefined ? undefined : nextExpiryMs(attention);
  const marks =
    attention === undefined
      ? undefined
      : previous?.attention === attention &&
          previous.fleet === fleet &&
          previous.notices === input.notices &&
          previous.marks !== undefined &&
          nowMs < (expiry ?? Number.POSITIVE_INFINITY)
        ? previous.marks
        : attentionMarks(attention, fleet, nowMs, urgentNoticeOf(input.notices));
  const out = renderBoard({
    fleet,
    layout,
    palette,
    status,
    nowMs,
    identify: input.identify,
    accountLabels: settings.accountLabels,
    staleAccounts: input.staleAccounts,
    restored: input.restored,
    attentionOf: marks === undefined ? undefined : (item) => marks.get(item.id),
    notices: input.notices,
    dimAfterMs: settings.dimAfterMs,
  });
  const nextFrameInMs = earliest(
    out.nextFrameInMs,
    expiry === undefined ? undefined : Math.max(1, expiry - nowMs),
  );
  const manualLevel = input.manualLevel;
  const nightSettings = settings.night;
  if (nightSettings === undefined) {
    return {
      fleet,
      listed,
      staleAccounts: input.staleAccounts,
      restored: input.restored,
      notices: input.notices,
      status,
      layout,
      frame: out.frame,
      legend: sameLegend(input, layout, undefined, out.view.highlight)
        ? (previous as Picture).legend
        : out.view,
      animating: out.animating,
      wakeInMs: nextFrameInMs,
      brightness: undefined,
      night: undefined,
      manualLevel,
      attention,
      marks,
    };
  }
  const night = nightAt(
    nightSettings,
    nowMs,
    manualLevel,
    previous?.manualLevel === manualLevel ? previous?.night : undefined,
  );
  let frame = out.frame;
  let brightness = night.brightness;
  const flashing = night.level === 'off' && identifiesBoard(input.identify, nowMs);
  const urgent =
    !flashing &&
    nightSettings.urgentOverridesOff &&
    night.level === 'off' &&
    out.view.pixels.some(isUrgentPixel);
  if (flashing) brightness = nightSettings.brightness;
  if (urgent) {
    frame = urgentOnly(out.frame, out.view);
    brightness = nightSettings.brightness;
  }
  const legendBrightness: LegendBrightness = {
    level: night.level,
    ...(night.manual ? { manual: true } : {}),
    ...(urgent ? { urgent: true } : {}),
    ...(night.next === undefined ? {} : { next: { atMs: night.next.atMs, level: night.next.level } }),
  };
  // A dark board needs no animation frames: only the schedule's own wake-ups.
  const dark = brightness === 0 && nowMs >= night.steadyFromMs;
  const animationWake = dark
    ? expiry === undefined
      ? undefined
      : Math.max(1, expiry - nowMs)
    : nextFrameInMs;
  return {
    fleet,
    listed,
    staleAccounts: input.staleAccounts,
    restored: input.restored,
    notices: input.notices,
    status,
    layout,
    frame,
    legend: sameLegend(input, layout, legendBrightness, out.view.highlight)
      ? (previous as Picture).legend
      : { ...out.view, brightness: legendBrightness },
    animating: out.animating && !dark,
    wakeInMs: Math.min(night.wakeInMs, animationWake ?? Number.POSITIVE_INFINITY),
    brightness,
    night,
    manualLevel,
    attention,
    marks,
  };
}

function earliest(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined ? b : b === undefined ? a : Math.min(a, b);
}

/** The previous legend still says it all: same fleet, layout, status and brightness levels. */
function sameLegend(
  input: PictureInput,
  layout: Layout,
  brightness: LegendBrightness | undefined,
  highlight: Legend['highlight'],
): boolean {
  const { previous, status } = input;
  return (
    previous !== undefined &&
    previous.fleet === input.fleet &&
    previous.staleAccounts === input.staleAccounts &&
    previous.restored === input.restored &&
    previous.notices === input.notices &&
    previous.layout === layout &&
    previous.status.connected === status.connected &&
    previous.status.synced === status.synced &&
    previous.status.clockSynced === status.clockSynced &&
    previous.attention === input.attention &&
    previous.legend.highlight?.id === highlight?.id &&
    previous.legend.highlight?.untilMs === highlight?.untilMs &&
    previous.status.update === status.update &&
    sameBrightness(previous.legend.brightness, brightness)
  );
}
