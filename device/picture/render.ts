/**
 * The picture: (fleet, layout, palette, status, clock, identify) -> frame for the display, view for
 * the web board and the terminal legend, and when to draw again. Pure.
 *
 * Contract:
 * - The frame is logical colour (display.ts applies brightness and gamma), exactly width x height.
 *   Each pixel shows its state's colour, pulsing or flashing for the states its kind says (kinds.ts),
 *   with an instance notice's amber breath over it (notice-look.ts);
 *   the whole fleet is dimmed to DISCONNECTED_DIM while disconnected, and so is a stale pixel (its
 *   account could not be listed, or it was restored at start and nothing has confirmed it yet); the
 *   overflow pixel is steady; the status pixel (bottom-right) blinks while disconnected or not yet
 *   synced, and alternates with amber while the clock is not NTP-synchronized (amber alone when that
 *   is all); identify blinks one pixel, or every pixel (the whole board), over all.
 * - Attention (attention.ts, through the `attentionOf` hook): an acknowledged or snoozed item in an
 *   urgent state shows the quiet look, steady at QUIET_LEVEL of its colour instead of flashing; its
 *   legend entry carries who, when and until when. An identify with `announce` names its item in
 *   the view (`highlight`: the web board and `ec2led status` show it).
 * - The view is the legend, not the picture: every pixel row-major, with the steady colour of its
 *   state (no pulse, no dimming, no blink) and its entry (kind, id, state...) or null. So it changes only when the
 *   fleet, the layout or the flags change, and the agent can broadcast it only then.
 * - `animating` is true while a pulse or a blink runs; `nextFrameInMs` is when to render again:
 *   the next frame of an animation, or, with `animating` false, one wake-up for the end of a
 *   terminated instance's grace (lay out again) or of identify, or the next change of a kind's
 *   time-dependent look (kinds.ts `look`: a deploy that dims, a "fixed" flash that ends). Undefined:
 *   no timer at all.
 */

import { isUrgentNotice } from '../../shared/notice-message.ts';
import type { Item } from '../fleet/item.ts';
import type { Notice } from '../fleet/notices.ts';
import type { Fleet } from '../fleet/store.ts';
import { flashesAs, lookOf, type Motion, pulsesAs } from '../kinds/kinds.ts';
import {
  BLINK_PERIOD_MS,
  blinkOn,
  DISCONNECTED_DIM,
  FLASH_LOW,
  FLASH_PERIOD_MS,
  IDENTIFY_PERIOD_MS,
  msToToggle,
  PULSE_FRAME_MS,
  pulseFactor,
  QUIET_LEVEL,
} from './animate.ts';
import { type ItemAttention, isQuiet } from './attention.ts';
import type { Frame } from './frame.ts';
import { blankFrame, type Rgb } from './frame.ts';
import type { Legend, LegendEntry, LegendNotice, LegendPixel, LegendUpdate } from './legend.ts';
import { noticeColor } from './notice-look.ts';
import { colorOf, type Palette, scaleColor, toHex } from './palette.ts';
import type { Pixel } from './pins.ts';
import type { Layout } from './slots.ts';

export interface FeedStatus {
  /** The MQTT feed is up (sync state `connected`). */
  readonly connected: boolean;
  /** A listing since the current connection has been applied (sync state `synced`). */
  readonly synced: boolean;
  /** The Pi's clock is NTP-synchronized; undefined: unknown (clock-sync.ts), shown as fine. */
  readonly clockSynced?: boolean | undefined;
  /** The running version and update jobs (device/agent/update/jobs.ts): the legend's `update`; a download or install blinks the status pixel. */
  readonly update?: LegendUpdate | undefined;
}

/** A pixel, an instance wherever its pixel is, or the whole board (Home Assistant's flash). */
export type IdentifyTarget = Pixel | { readonly id: string } | { readonly board: true };

/** True while `identify` blinks the whole board at `nowMs`. */
export function identifiesBoard(identify: Identify | undefined, nowMs: number): boolean {
  return identify !== undefined && 'board' in identify.target && nowMs < identify.untilMs;
}

export interface Identify {
  readonly target: IdentifyTarget;
  /** Agent time when blinking stops (now + IDENTIFY_MS, say). */
  readonly untilMs: number;
  /** Name the item blinking in the view (`highlight`): "which one is urgent?" from a button. */
  readonly announce?: boolean;
}

export interface RenderInput {
  readonly fleet: Fleet;
  readonly layout: Layout;
  readonly palette: Palette;
  readonly status: FeedStatus;
  readonly nowMs: number;
  readonly identify?: Identify | undefined;
  /** Account id -> label (aws.accounts); with more than one, the view names each instance's account. */
  readonly accountLabels?: ReadonlyMap<string, string> | undefined;
  /** Accounts the last listing could not read, with the reason: their pixels are dimmed. */
  readonly staleAccounts?: ReadonlyMap<string, string> | undefined;
  /** The fleet restored at start, before any listing: an instance unchanged since is dimmed, stale. */
  readonly restored?: Fleet | undefined;
  /** Who acknowledged or snoozed an item, if anyone (attention.ts `attentionOf`); default no one. */
  readonly attentionOf?: ((item: Item) => ItemAttention | undefined) | undefined;
  /**
   * Instance notices showing now, by item id (fleet/notices.ts `shownNotices`): each breathes amber
   * over its pixel's look (notice-look.ts) and is named in the legend entry.
   */
  readonly notices?: ReadonlyMap<string, Notice> | undefined;
  /** How long a settled state that dims (kinds.ts `look`) stays bright; default DEFAULT_DIM_AFTER_MS. */
  readonly dimAfterMs?: number | undefined;
}

/** A deploy that succeeded stays bright for an hour by default (config deploys.dimAfterMinutes). */
export const DEFAULT_DIM_AFTER_MS = 3_600_000;

export interface Rendered {
  readonly frame: Frame;
  readonly view: Legend;
  readonly animating: boolean;
  readonly nextFrameInMs: number | undefined;
}

const BLACK: Rgb = [0, 0, 0];
const WHITE: Rgb = [255, 255, 255];

function legendEntry(
  instance: Item,
  input: RenderInput,
  many: boolean,
  attention: ItemAttention | undefined,
): LegendEntry {
  const label = many ? input.accountLabels?.get(instance.account) : undefined;
  return {
    kind: instance.kind,
    id: instance.id,
    name: instance.name ?? '',
    state: instance.state,
    region: instance.region,
    account: instance.account,
    ...(label === undefined ? {} : { accountLabel: label }),
    ...(isStale(instance, input) ? { stale: true } : {}),
    sinceMs: instance.sinceMs,
    ...(attention === undefined ? {} : { attention }),
    ...noticeEntry(input.notices?.get(instance.id)),
  };
}

function noticeEntry(notice: Notice | undefined): { notice?: LegendNotice } {
  if (notice === undefined) return {};
  return {
    notice: {
      code: notice.code,
      ...(notice.action === '' ? {} : { action: notice.action }),
      startMs: notice.startMs,
      endMs: notice.endMs,
      ...(isUrgentNotice(notice.code) ? { urgent: true as const } : {}),
    },
  };
}

/** From an account the last listing could not read, or restored at start and not seen since. */
function isStale(instance: Item, input: RenderInput): boolean {
  return input.staleAccounts?.has(instance.account) === true || input.restored?.get(instance.id) === instance;
}

function identifiedPixel(identify: Identify, layout: Layout): Pixel | undefined {
  const target = identify.target;
  if ('board' in target) return undefined;
  const pixel = 'id' in target ? layout.slots.get(target.id) : target;
  if (pixel === undefined || pixel.x < 0 || pixel.y < 0) return undefined;
  return pixel.x < layout.width && pixel.y < layout.height ? pixel : undefined;
}

export function renderBoard(input: RenderInput): Rendered {
  const { fleet, layout, palette, status, nowMs } = input;
  const { width, height } = layout;
  const frame = blankFrame(width, height);
  const colors: Rgb[] = Array.from({ length: width * height }, () => BLACK);
  const pixels: LegendPixel[] = Array.from({ length: width * height }, (_, i) => ({
    x: i % width,
    y: Math.floor(i / width),
    color: '#000000',
    entry: null,
  }));
  const at = (pixel: Pixel) => pixel.y * width + pixel.x;
  const wakeUps: number[] = [];
  let animating = false;
  let pulsing = false;
  const many = (input.accountLabels?.size ?? 0) > 1;

  for (const [id, pixel] of layout.slots) {
    const instance = fleet.get(id);
    if (instance === undefined || pixel.x >= width || pixel.y >= height) continue; // reserved
    const base = colorOf(palette, instance.state);
    const attention = input.attentionOf?.(instance);
    pixels[at(pixel)] = {
      x: pixel.x,
      y: pixel.y,
      color: toHex(base),
      entry: legendEntry(instance, input, many, attention),
    };
    let color = base;
    const look = lookOf(instance.kind, {
      state: instance.state,
      ageMs: Math.max(0, nowMs - instance.sinceMs),
      previous: instance.previousState,
      dimAfterMs: input.dimAfterMs ?? DEFAULT_DIM_AFTER_MS,
    });
    const quiet = isQuiet(instance.kind, instance.state, attention);
    const motion: Motion = quiet
      ? 'steady'
      : (look?.motion ??
        (pulsesAs(instance.kind, instance.state)
          ? 'pulse'
          : flashesAs(instance.kind, instance.state)
            ? 'flash'
            : 'steady'));
    if (quiet) color = scaleColor(color, QUIET_LEVEL);
    else if (look?.scale !== undefined) color = scaleColor(color, look.scale);
    if (!quiet && look?.changesInMs !== undefined) wakeUps.push(Math.max(1, Math.ceil(look.changesInMs)));
    if (motion === 'pulse') {
      color = scaleColor(color, pulseFactor(nowMs));
      pulsing = true;
    } else if (motion === 'flash') {
      if (!blinkOn(nowMs, FLASH_PERIOD_MS)) color = scaleColor(color, FLASH_LOW);
      wakeUps.push(msToToggle(nowMs, FLASH_PERIOD_MS));
      animating = true;
    }
    const notice = input.notices?.get(id);
    if (notice !== undefined) {
      // An acknowledged or snoozed item's urgent notice breathes at the calm rate, as attention.ts
      // quiets urgent states.
      color = noticeColor(color, nowMs, isUrgentNotice(notice.code) && attention === undefined);
      pulsing = true;
    }
    const stale = !status.connected || isStale(instance, input);
    colors[at(pixel)] = stale ? scaleColor(color, DISCONNECTED_DIM) : color;
  }
  if (pulsing) wakeUps.push(PULSE_FRAME_MS);
  animating ||= pulsing;

  const last = { x: width - 1, y: height - 1 };
  if (layout.overflowPixel !== undefined) {
    colors[at(last)] = palette.overflow;
    pixels[at(last)] = { ...last, color: toHex(palette.overflow), entry: null };
  }

  const indicator = !status.connected
    ? 'disconnected'
    : !status.synced
      ? 'not-synced'
      : status.update !== undefined && status.update.phase !== 'idle'
        ? 'updating'
        : undefined;
  const clockOff = status.clockSynced === false;
  if (indicator !== undefined || clockOff) {
    // An unsynchronized clock takes the blink's other half (or the whole blink when alone).
    const on = blinkOn(nowMs, BLINK_PERIOD_MS);
    const shown = on
      ? (indicator ?? 'clock-unsynced')
      : indicator !== undefined && clockOff
        ? 'clock-unsynced'
        : undefined;
    if (shown !== undefined) colors[at(last)] = palette[shown];
    wakeUps.push(msToToggle(nowMs, BLINK_PERIOD_MS));
    animating = true;
  }

  const identify = input.identify;
  let highlight: Legend['highlight'];
  if (identify !== undefined && nowMs < identify.untilMs) {
    if (identify.announce === true && 'id' in identify.target) {
      const item = fleet.get(identify.target.id);
      if (item !== undefined) highlight = { id: item.id, name: item.name ?? '', untilMs: identify.untilMs };
    }
    const pixel = identifiedPixel(identify, layout);
    const blink = blinkOn(nowMs, IDENTIFY_PERIOD_MS) ? WHITE : BLACK;
    if (pixel !== undefined) colors[at(pixel)] = blink;
    else if ('board' in identify.target) colors.fill(blink);
    if (pixel !== undefined || 'board' in identify.target) {
      wakeUps.push(Math.min(msToToggle(nowMs, IDENTIFY_PERIOD_MS), identify.untilMs - nowMs));
      animating = true;
    }
  }
  if (layout.nextExpiryAtMs !== undefined) wakeUps.push(Math.max(1, layout.nextExpiryAtMs - nowMs));

  colors.forEach(([r, g, b], i) => {
    frame.rgb[i * 3] = r;
    frame.rgb[i * 3 + 1] = g;
    frame.rgb[i * 3 + 2] = b;
  });
  const view: Legend = {
    width,
    height,
    connected: status.connected,
    synced: status.synced,
    overflow: layout.overflow,
    ...(clockOff ? { clockSynced: false as const } : {}),
    ...(status.update === undefined ? {} : { update: status.update }),
    pixels,
    ...(highlight === undefined ? {} : { highlight }),
    ...(many && input.accountLabels !== undefined
      ? {
          accounts: [...input.accountLabels].map(([id, label]) => {
            const reason = input.staleAccounts?.get(id);
            return reason === undefined ? { id, label } : { id, label, stale: reason };
          }),
        }
      : {}),
  };
  return {
    frame,
    view,
    animating,
    nextFrameInMs: wakeUps.length > 0 ? Math.min(...wakeUps) : undefined,
  };
}
