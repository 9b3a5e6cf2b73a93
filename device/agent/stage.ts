/**
 * The stage: the picture of the moment and the outputs that show it. The runtime calls `draw` with
 * the sync state; the stage composes the picture (picture/picture.ts, reusing the last one's layout
 * and legend where they hold) and hands it to every output at once.
 *
 * Contract:
 * - Outputs open in order before the first picture; one attached later is opened and shown the
 *   current picture at once. A failing `show` is logged and never stops the others.
 * - Legend listeners run after a picture whose legend differs from the last, by content.
 * - Acknowledgements and snoozes (picture/attention.ts) are reconciled with the fleet before each
 *   picture (with the urgent notices showing, which can be acknowledged too); an entry that ends by
 *   itself (its item left the urgent state or its notice ended, got worse, expired or went) is
 *   logged once, as a transition.
 * - `close` closes every output (the display blanks the board, the slot file waits for its save);
 *   call it only after the runtime has stopped, so no frame lights the board again.
 */

import type { Logger } from '../base/log.ts';
import type { ManualLevel } from '../brightness/schedule.ts';
import { urgentNoticeOf } from '../fleet/notices.ts';
import type { Fleet } from '../fleet/store.ts';
import type { SyncState } from '../fleet/sync.ts';
import { legendOutput, type Output } from '../outputs/outputs.ts';
import { type Attention, NO_ATTENTION, reconcileAttention } from '../picture/attention.ts';
import { emptyLegend, type Legend, type LegendUpdate } from '../picture/legend.ts';
import { composePicture, type Picture, type PictureSettings } from '../picture/picture.ts';
import type { Identify, IdentifyTarget } from '../picture/render.ts';
import type { SlotMap } from '../picture/slots.ts';
import type { NoticeHolder } from './notice-holder.ts';

export interface Stage {
  /** Composes and shows the picture for `state`; resolves to when to draw again (undefined: not until something changes). */
  draw(state: SyncState, nowMs: number): Promise<number | undefined>;
  legend(): Legend;
  /**
   * Blinks a pixel (or an item's pixel) until `untilMs`; takes effect at the next draw. With
   * `announce`, the legend names the item meanwhile (`highlight`).
   */
  identify(target: IdentifyTarget, untilMs: number, announce?: boolean): void;
  onLegendChange(listener: () => void): void;
  /** A brightness set by hand (Home Assistant, a button): holds until the schedule's next transition; undefined: none. */
  setManualLevel(level: ManualLevel | undefined): void;
  /** New settings (remote settings: pins, colours, brightness): the next draw lays out again. */
  setSettings(next: PictureSettings): void;
  /** Acknowledgements and snoozes as of the last picture, or as last set. */
  attention(): Attention;
  /** New acknowledgements and snoozes (attention.ts commands): the next draw shows them. */
  setAttention(next: Attention): void;
  /** The outputs now showing the picture, those attached later included. */
  outputs(): readonly Output[];
  open(): Promise<void>;
  attach(output: Output): Promise<void>;
  close(): Promise<void>;
}

export function createStage(options: {
  readonly settings: PictureSettings;
  /** The slots loaded from the state directory: the first layout keeps them. */
  readonly slots: SlotMap;
  readonly outputs: readonly Output[];
  readonly log: Logger;
  /** The fleet restored at start (fleet-store.ts): shown stale until the first listing. */
  readonly restored?: Fleet | undefined;
  /** Whether the Pi's clock is NTP-synchronized (clock-sync.ts); undefined: unknown. */
  readonly clockSynced?: () => boolean | undefined;
  /** Acknowledgements and snoozes restored from the state directory; default none. */
  readonly attention?: Attention | undefined;
  /** The instance notices (notice-holder.ts); default none. */
  readonly notices?: NoticeHolder | undefined;
  /** The running version and update jobs (device/agent/update/jobs.ts); undefined: not shown. */
  readonly update?: () => LegendUpdate | undefined;
}): Stage {
  const { log } = options;
  let settings = options.settings;
  let relayout = false;
  const listeners: (() => void)[] = [];
  const outputs: Output[] = [
    ...options.outputs,
    legendOutput('legend', () => {
      for (const listener of listeners) listener();
    }),
  ];
  let picture: Picture | undefined;
  let identify: Identify | undefined;
  let manualLevel: ManualLevel | undefined;
  let attention = options.attention ?? NO_ATTENTION;
  const show = (output: Output, shown: Picture): Promise<void> =>
    output.show(shown).catch((error: unknown) => log.error(`${output.name} render failed`, { error }));

  return {
    async draw(state, nowMs) {
      const listed = state.listedAtMs !== undefined;
      const notices = options.notices?.shown(state.fleet, nowMs);
      const reconciled = reconcileAttention(attention, state.fleet, nowMs, listed, urgentNoticeOf(notices));
      attention = reconciled.attention;
      for (const { what, reason, ...which } of reconciled.ended)
        log.info(`${what} ended`, { ...which, reason });
      const shown = composePicture({
        fleet: state.fleet,
        slots: picture?.layout.slots ?? options.slots,
        listed,
        settings,
        status: {
          connected: state.connected,
          synced: state.synced,
          clockSynced: options.clockSynced?.(),
          update: options.update?.(),
        },
        nowMs,
        identify,
        staleAccounts: state.staleAccounts,
        restored: listed ? undefined : options.restored,
        notices,
        manualLevel,
        attention,
        previous: relayout ? undefined : picture,
      });
      relayout = false;
      picture = shown;
      await Promise.all(outputs.map((output) => show(output, shown)));
      return shown.wakeInMs;
    },
    legend: () => picture?.legend ?? emptyLegend(settings.width, settings.height),
    identify(target, untilMs, announce = false) {
      identify = { target, untilMs, ...(announce ? { announce } : {}) };
    },
    onLegendChange: (listener) => void listeners.push(listener),
    setManualLevel(level) {
      manualLevel = level;
    },
    attention: () => attention,
    setAttention(next) {
      attention = next;
    },
    setSettings(next) {
      settings = next;
      relayout = true;
    },
    outputs: () => outputs,
    async open() {
      for (const output of outputs) await output.open();
    },
    async attach(output) {
      await output.open();
      outputs.push(output);
      if (picture !== undefined) await show(output, picture);
    },
    async close() {
      await Promise.all(outputs.map((output) => output.close().catch(() => undefined)));
    },
  };
}
