/**
 * The legend: what the board shows, pixel by pixel, with the thing behind each pixel (an instance,
 * or any other kind in kinds.ts) — the web API's schema, the terminal's legend, `ec2led status`.
 * Plain JSON-safe data; the layout builds it, outputs only read it.
 * Text fields (name above all: it is a user-controlled tag) are untrusted and must be sanitized by
 * whoever prints them (sanitize.ts).
 */

import type { Kind, KindState } from '../kinds/kinds.ts';
import type { ItemAttention } from './attention.ts';

export interface LegendEntry {
  /** What the pixel shows (kinds.ts): "instance" for an EC2 instance. */
  readonly kind: Kind;
  readonly id: string;
  /** The Name tag, possibly empty, possibly hostile. */
  readonly name: string;
  readonly state: KindState;
  readonly region: string;
  readonly account: string;
  /** The account's label from aws.accounts; absent with a single account. */
  readonly accountLabel?: string;
  /** True when the instance's account could not be listed: the state may be old. */
  readonly stale?: boolean;
  /** Epoch milliseconds at which the instance entered `state`. */
  readonly sinceMs: number;
  /** Acknowledged and/or snoozed (attention.ts): by whom, when, until when. Absent: neither. */
  readonly attention?: ItemAttention;
  /** What is about to happen to the instance (fleet/notices.ts); absent when nothing is. */
  readonly notice?: LegendNotice;
}

/** An instance notice as the legend shows it. */
export interface LegendNotice {
  /** shared/notice-message.ts NOTICE_CODES: spot-interruption, rebalance, instance-reboot... */
  readonly code: string;
  /** Spot's instance action (terminate, stop, hibernate); absent for the others. */
  readonly action?: string;
  /** When it is due, and when the notice stops showing (epoch ms). */
  readonly startMs: number;
  readonly endMs: number;
  /** True for an urgent notice (a Spot interruption). */
  readonly urgent?: true;
}

export interface LegendPixel {
  readonly x: number;
  readonly y: number;
  /** '#rrggbb', the logical colour (before brightness and gamma). */
  readonly color: string;
  /** Null for a free pixel or a reserved one (status, overflow). */
  readonly entry: LegendEntry | null;
}

export interface Legend {
  readonly width: number;
  readonly height: number;
  /** False while the live feed is down: the picture may be stale. */
  readonly connected: boolean;
  /** False until a listing made since the current connection has been applied (false after a disconnect). */
  readonly synced: boolean;
  /** Instances that have no pixel. */
  readonly overflow: number;
  /** Present, false, only while the Pi's clock is known not to be NTP-synchronized (clock-sync.ts). */
  readonly clockSynced?: false;
  readonly pixels: readonly LegendPixel[];
  /** With more than one account: each account, its label, and why it is stale when it is. */
  readonly accounts?: readonly LegendAccount[];
  /** With a brightness schedule (`display.schedule`): the level now and the next change. */
  readonly brightness?: LegendBrightness;
  /** The urgent item blinking on request ("which one?", agent.highlightNextUrgent), until `untilMs`. */
  readonly highlight?: { readonly id: string; readonly name: string; readonly untilMs: number };
  /** The running version, an update job at work and the last one's outcome (device/agent/update/jobs.ts). */
  readonly update?: LegendUpdate;
}

/** Updates by AWS IoT Jobs, as the board, `ec2led status` and Home Assistant show them. */
export interface LegendUpdate {
  /** The version of the running agent. */
  readonly version: string;
  /** idle, or a job's package downloading or with the root installer. */
  readonly phase: 'idle' | 'downloading' | 'installing';
  /** The version being downloaded or installed. */
  readonly target?: string;
  /** The last outcome reported to the Jobs service. */
  readonly last?: {
    readonly jobId: string;
    readonly status: 'SUCCEEDED' | 'FAILED' | 'REJECTED';
    readonly version: string;
    readonly reason: string;
    readonly atMs: number;
  };
}

/** Night mode in the legend: levels, not the frames of a fade (a fade does not change the legend). */
export interface LegendBrightness {
  /** The level that holds now, 0..1 or "off" (the one being faded to, during a fade). */
  readonly level: number | 'off';
  /** True when the level was set by hand (it holds until `next`). */
  readonly manual?: boolean;
  /** True while urgent pixels light the board the schedule has off. */
  readonly urgent?: boolean;
  /** The next scheduled change; absent when none comes. */
  readonly next?: { readonly atMs: number; readonly level: number | 'off' };
}

export interface LegendAccount {
  readonly id: string;
  readonly label: string;
  /** Why the last listing could not read it; absent while the account is live. */
  readonly stale?: string;
}

/** The view of an empty board, for a terminal started before the agent has anything to show. */
export function emptyLegend(width: number, height: number): Legend {
  return { width, height, connected: false, synced: false, overflow: 0, pixels: [] };
}

/** The view reduced to exactly the API schema, so nothing the core adds later leaks out. */
export function legendToWire(view: Legend): Legend {
  return {
    width: view.width,
    height: view.height,
    connected: view.connected,
    synced: view.synced,
    overflow: view.overflow,
    ...(view.clockSynced === false ? { clockSynced: false as const } : {}),
    pixels: view.pixels.map(({ x, y, color, entry: i }) => ({
      x,
      y,
      color,
      entry:
        i === null
          ? null
          : {
              kind: i.kind,
              id: i.id,
              name: i.name,
              state: i.state,
              region: i.region,
              account: i.account,
              ...(i.accountLabel === undefined ? {} : { accountLabel: i.accountLabel }),
              ...(i.stale === true ? { stale: true } : {}),
              sinceMs: i.sinceMs,
              ...(i.attention === undefined ? {} : { attention: attentionToWire(i.attention) }),
              ...(i.notice === undefined ? {} : { notice: noticeToWire(i.notice) }),
            },
    })),
    ...(view.accounts === undefined
      ? {}
      : {
          accounts: view.accounts.map(({ id, label, stale }) =>
            stale === undefined ? { id, label } : { id, label, stale },
          ),
        }),
    ...(view.brightness === undefined ? {} : { brightness: brightnessToWire(view.brightness) }),
    ...(view.highlight === undefined
      ? {}
      : { highlight: { id: view.highlight.id, name: view.highlight.name, untilMs: view.highlight.untilMs } }),
    ...(view.update === undefined ? {} : { update: updateToWire(view.update) }),
  };
}

function attentionToWire({ acknowledged: a, snoozed: s }: ItemAttention): ItemAttention {
  return {
    ...(a === undefined ? {} : { acknowledged: { by: a.by, atMs: a.atMs } }),
    ...(s === undefined
      ? {}
      : {
          snoozed: { by: s.by, atMs: s.atMs, untilMs: s.untilMs, ...(s.kind === true ? { kind: true } : {}) },
        }),
  };
}

function noticeToWire(n: LegendNotice): LegendNotice {
  return {
    code: n.code,
    ...(n.action === undefined ? {} : { action: n.action }),
    startMs: n.startMs,
    endMs: n.endMs,
    ...(n.urgent === true ? { urgent: true as const } : {}),
  };
}

function updateToWire(u: LegendUpdate): LegendUpdate {
  const last = u.last;
  return {
    version: u.version,
    phase: u.phase,
    ...(u.target === undefined ? {} : { target: u.target }),
    ...(last === undefined
      ? {}
      : {
          last: {
            jobId: last.jobId,
            status: last.status,
            version: last.version,
            reason: last.reason,
            atMs: last.atMs,
          },
        }),
  };
}

function brightnessToWire(b: LegendBrightness): LegendBrightness {
  return {
    level: b.level,
    ...(b.manual === true ? { manual: true } : {}),
    ...(b.urgent === true ? { urgent: true } : {}),
    ...(b.next === undefined ? {} : { next: { atMs: b.next.atMs, level: b.next.level } }),
  };
}
