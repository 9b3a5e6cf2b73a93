/**
 * The agent: lifecycle wiring only. Sources report what happened, `sync.step` decides, and this file
 * carries out its commands (subscribe, list, describe, timers, render); the layout turns the fleet
 * into a frame for the display, a view for the web board and the status socket.
 *
 * Rendering is "stingy": a change marks the board dirty, frames are coalesced and at least
 * MIN_FRAME_INTERVAL_MS apart, animations step every PULSE_FRAME_MS, and no timer runs while nothing
 * animates (renderBoard says when to draw again).
 * Slots are saved whenever the layout moves an instance. `stop()` stops the feed, blanks the board
 * (display.close) and releases everything; the CLI exits the process afterwards (aws-crt).
 */
import type { Config } from './config.ts';
import type { BoardView } from './display/board-view.ts';
import { emptyBoardView } from './display/board-view.ts';
import type { Display } from './display/display.ts';
import { createDisplay, type DisplayDeps } from './display/open.ts';
import { accountIds, accountLabels as accountLabels_, accountsOf } from './fleet/accounts.ts';
import type { Fleet } from './fleet/store.ts';
import { initialSyncState, type SyncCommand, type SyncEvent, type SyncState, step } from './fleet/sync.ts';
import { IDENTIFY_MS } from './layout/animate.ts';
import { DEFAULT_PALETTE, parsePalette } from './layout/palette.ts';
import { type Identify, renderBoard } from './layout/render.ts';
import { loadSlots, saveSlots } from './layout/slot-store.ts';
import { assignSlots, type Layout, type SlotMap, sameSlots } from './layout/slots.ts';
import type { Logger } from './log.ts';
import { createAccountsEc2Source } from './sources/accounts-ec2.ts';
import { credentialsFromConfig } from './sources/credentials.ts';
import { createDropReport } from './sources/drop-report.ts';
import type { AwsTimeouts, Ec2Source } from './sources/ec2.ts';
import { createMqttSource, type MqttEvent } from './sources/mqtt.ts';

/**
 * The closest two frames may follow each other (at most 100 a second). A burst of changes is
 * coalesced into frames this far apart: a change waits at most this long to be seen, and the bus and
 * the CPU are spared the rest. Every board takes a frame in less (the HAT HD's minimum is 8.3 ms).
 */
export const MIN_FRAME_INTERVAL_MS = 10;

export interface AgentOptions {
  readonly config: Config;
  readonly log: Logger;
  readonly now?: () => number;
  readonly random?: () => number;
  /** Display adapters (tests: a terminal on a buffer, or the `none` board). */
  readonly displayDeps?: DisplayDeps;
  /** AWS request timeouts; default sources/ec2.ts DEFAULT_AWS_TIMEOUTS (tests: shorter). */
  readonly awsTimeouts?: AwsTimeouts;
}

export interface Agent {
  /** The board as the web board and `ec2led status` see it. */
  view(): BoardView;
  readonly state: () => SyncState;
  /** Blinks a pixel for IDENTIFY_MS. */
  identify(target: { x: number; y: number }): void;
  /** Called after a frame whose view differs from the last (web board `notify`). */
  onViewChange(listener: () => void): void;
  /**
   * Called once if the agent cannot work at all (the MQTT TLS context failed); at once when that
   * already happened. The CLI exits 1 on it, so that systemd restarts the service.
   */
  onFatal(listener: (error: Error) => void): void;
  /** Stops the feed, blanks the board, saves the slots. Idempotent. */
  stop(): Promise<void>;
}

export function ec2SourceFor(config: Config, log: Logger, timeouts?: AwsTimeouts): Ec2Source {
  return createAccountsEc2Source({
    accounts: accountsOf(config.aws.accounts, config.tagFilter),
    regions: config.aws.regions,
    credentials: credentialsFromConfig(config, log, timeouts?.requestMs),
    sessionName: config.mqtt.clientId,
    timeouts,
    ec2Endpoint: config.aws.ec2Endpoint,
    stsEndpoint: config.aws.stsEndpoint,
    // Page-level retries stay short: sync.ts backs off whole listings, slower when throttled.
    retry: { attempts: 3, baseMs: 500, capMs: 4_000 },
    log,
  });
}

/** The configured display (pins on the board were checked with the config, display/size.ts). */
export function openDisplayFor(config: Config, deps: DisplayDeps): Display {
  return createDisplay(config.display, {
    createWeb: ({ width, height }) => ({
      kind: 'web',
      width,
      height,
      open: async () => undefined,
      render: async () => undefined,
      close: async () => undefined,
    }),
    ...deps,
  });
}

/** Starts everything but the process: display, feed, timers. Rejects if the display cannot open. */
export async function startAgent(options: AgentOptions): Promise<Agent> {
  const { config, log } = options;
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  let legend: BoardView = emptyBoardView(config.display.virtualWidth, config.display.virtualHeight);
  const display = openDisplayFor(config, { legend: () => legend, ...options.displayDeps });
  const parsed = parsePalette(config.colors);
  const palette = parsed.ok ? parsed.palette : DEFAULT_PALETTE;
  const ec2 = ec2SourceFor(config, log, options.awsTimeouts);
  const accountLabels = accountLabels_(config.aws.accounts);
  const anyTagFilter = accountsOf(config.aws.accounts, config.tagFilter).some(
    (a) => a.tagFilter !== undefined,
  );
  const abort = new AbortController();
  const timers = new Map<string, NodeJS.Timeout>();
  let state = initialSyncState({ resyncMinutes: config.resyncMinutes });
  let stopped = false;

  const loaded = await loadSlots(config.stateDir);
  if (loaded.reason !== undefined) log.warn('slots not restored', { reason: loaded.reason });
  let slots: SlotMap = loaded.slots;
  let saving: Promise<void> = Promise.resolve();
  let warnings = '';
  let identify: Identify | undefined;
  let viewKey = '';
  let viewInputs: readonly unknown[] | undefined;
  const listeners: (() => void)[] = [];

  // Render loop: dirty flag, one timer at most, frames at least MIN_FRAME_INTERVAL_MS apart.
  let timer: NodeJS.Timeout | undefined;
  let timerAt = Number.POSITIVE_INFINITY;
  let lastFrameAt = Number.NEGATIVE_INFINITY;
  let drawing = false;
  let dirty = false;
  /** The frame being drawn; close() must wait for it, or the board lights up again after blanking. */
  let inFlight: Promise<void> = Promise.resolve();

  const schedule = (inMs: number): void => {
    if (stopped) return;
    const at = Math.max(now() + inMs, lastFrameAt + MIN_FRAME_INTERVAL_MS);
    if (timer !== undefined && timerAt <= at) return;
    clearTimeout(timer);
    timerAt = at;
    timer = setTimeout(
      () => {
        inFlight = draw();
      },
      Math.max(0, at - now()),
    );
  };
  const markDirty = (): void => {
    dirty = true;
    if (!drawing) schedule(0);
  };

  // The layout changes only with the fleet, the listing, or a grace period ending: an animation
  // frame reuses it instead of laying out every instance again, 20 times a second.
  let laidOut: { fleet: Fleet; listed: boolean; layout: Layout } | undefined;
  const layOut = (nowMs: number): Layout => {
    const listed = state.listedAtMs !== undefined;
    if (
      laidOut !== undefined &&
      laidOut.fleet === state.fleet &&
      laidOut.listed === listed &&
      nowMs < (laidOut.layout.nextExpiryAtMs ?? Number.POSITIVE_INFINITY)
    ) {
      return laidOut.layout;
    }
    const layout = assignSlots({
      fleet: state.fleet,
      previous: slots,
      width: display.width,
      height: display.height,
      pins: config.pins,
      graceMs: config.graceMinutes * 60_000,
      nowMs,
      listed,
    });
    laidOut = { fleet: state.fleet, listed, layout };
    if (!sameSlots(layout.slots, slots)) {
      const next = layout.slots;
      saving = saving
        .then(() => saveSlots(config.stateDir, next))
        .catch((error: unknown) => log.warn('slots not saved', { error }));
    }
    slots = layout.slots;
    const text = layout.warnings.join('\n');
    if (text !== warnings && text !== '') log.warn('layout', { warnings: layout.warnings });
    warnings = text;
    return layout;
  };

  const draw = async (): Promise<void> => {
    timer = undefined;
    timerAt = Number.POSITIVE_INFINITY;
    if (stopped) return;
    drawing = true;
    dirty = false;
    const nowMs = now();
    lastFrameAt = nowMs;
    const status = { connected: state.connected, synced: state.synced };
    const layout = layOut(nowMs);
    const out = renderBoard({
      fleet: state.fleet,
      layout,
      palette,
      status,
      nowMs,
      identify,
      accountLabels,
      staleAccounts: state.staleAccounts,
    });
    // The view holds steady colours only: it can differ only when its inputs do, so an animation
    // frame skips serializing it.
    const inputs = [state.fleet, layout, status.connected, status.synced, state.staleAccounts] as const;
    if (viewInputs === undefined || inputs.some((input, i) => input !== viewInputs?.[i])) {
      viewInputs = inputs;
      legend = out.view;
      const key = JSON.stringify(out.view);
      if (key !== viewKey) for (const listener of listeners) listener();
      viewKey = key;
    }
    try {
      await display.render(out.frame);
    } catch (error) {
      log.error('display render failed', { error });
    }
    drawing = false;
    if (dirty) schedule(0);
    else if (out.nextFrameInMs !== undefined) schedule(out.nextFrameInMs);
  };

  // Changes stamped ahead of this clock: counted, one line a minute at most (sync.ts MAX_CLOCK_SKEW_MS).
  const clockAhead = createDropReport({
    log,
    message: 'change dropped: stamped ahead of this clock',
    context: {
      fix: 'if real changes are being dropped, this clock is behind: check `timedatectl` (System clock synchronized: yes)',
    },
  });

  const later = (key: string, afterMs: number, event: SyncEvent): void => {
    clearTimeout(timers.get(key));
    timers.set(
      key,
      setTimeout(() => {
        timers.delete(key);
        if (event.type === 'resync-due') log.info('resync');
        dispatch(event);
      }, afterMs),
    );
  };

  /** The outstanding listing's own abort: `cancel-list` fires it, and then it reports nothing. */
  let listing: AbortController | undefined;
  const list = (): void => {
    timers.delete('list');
    const cancel = new AbortController();
    listing = cancel;
    // Stopping the agent aborts the listing too (AbortSignal.any needs Node 20.3; engines says 20).
    const stop = (): void => cancel.abort();
    abort.signal.addEventListener('abort', stop, { once: true });
    log.info('listing', { regions: config.aws.regions });
    ec2
      .list(cancel.signal)
      .finally(() => abort.signal.removeEventListener('abort', stop))
      .then(
        (snapshot) => {
          if (cancel.signal.aborted) return;
          dispatch({ type: 'listed', snapshot });
          if (!stopped) log.info('synced', { instances: state.fleet.size, synced: state.synced });
        },
        (error: Error & { throttled?: boolean }) => {
          if (cancel.signal.aborted) return;
          log.warn('listing failed', { error: error.message, throttled: error.throttled === true });
          dispatch({ type: 'list-failed', throttled: error.throttled === true, reason: error.message });
        },
      );
  };

  const run = (command: SyncCommand): void => {
    switch (command.type) {
      case 'subscribe':
        mqtt.subscribe();
        return;
      case 'list':
        if (command.afterMs <= 0) list();
        else timers.set('list', setTimeout(list, command.afterMs));
        return;
      case 'cancel-list':
        if (command.reason === 'stuck') log.warn('listing superseded', { reason: command.reason });
        else log.info('listing superseded', { reason: command.reason });
        clearTimeout(timers.get('list'));
        timers.delete('list');
        listing?.abort();
        listing = undefined;
        return;
      case 'schedule-resync':
        later('resync', command.afterMs, { type: 'resync-due' });
        return;
      case 'schedule-describe':
        later(`describe:${command.region}`, command.afterMs, {
          type: 'describe-due',
          region: command.region,
        });
        return;
      case 'describe':
        ec2.describeIds(command.region, command.ids, abort.signal).then(
          (details) => {
            dispatch({ type: 'described', details });
            // With a tag filter, an id DescribeInstances leaves out lacks the tag (or is not visible
            // yet): a listing removes it again, as a tombstone, instead of showing it until the resync.
            if (anyTagFilter && details.length < command.ids.length) {
              dispatch({ type: 'resync-due' });
            }
          },
          (error: Error) =>
            dispatch({
              type: 'describe-failed',
              region: command.region,
              ids: command.ids,
              reason: error.message,
            }),
        );
        return;
      case 'render':
        markDirty();
        return;
      case 'dropped':
        clockAhead.drop(command.change.instanceId);
        return;
    }
  };

  function dispatch(event: SyncEvent): void {
    if (stopped) return;
    const result = step(state, event, now(), random);
    state = result.state;
    for (const command of result.commands) run(command);
  }

  const toSync = (event: MqttEvent): SyncEvent => {
    if (event.type !== 'message') return event;
    const m = event.message;
    const change = { instanceId: m.id, state: m.state, timeMs: m.time, region: m.region, account: m.account };
    return { type: 'message', change: { ...change, eventId: m.event } };
  };
  let fatal: Error | undefined;
  const fatalListeners: ((error: Error) => void)[] = [];
  const mqtt = createMqttSource({
    mqtt: config.mqtt,
    topicPrefix: config.topicPrefix,
    accounts: accountIds(config.aws.accounts),
    regions: config.aws.regions,
    onEvent: (event) => dispatch(toSync(event)),
    onFatal: (error) => {
      fatal ??= error;
      for (const listener of fatalListeners.splice(0)) listener(error);
    },
    autoSubscribe: false,
    log,
  });

  await display.open();
  log.info('display opened', { board: display.kind, width: display.width, height: display.height });
  markDirty();
  mqtt.start();

  let stopping: Promise<void> | undefined;
  const agent: Agent = {
    view: () => legend,
    state: () => state,
    identify(target) {
      identify = { target, untilMs: now() + IDENTIFY_MS };
      markDirty();
    },
    onViewChange(listener) {
      listeners.push(listener);
    },
    onFatal(listener) {
      if (fatal === undefined) fatalListeners.push(listener);
      else listener(fatal);
    },
    stop() {
      stopping ??= (async () => {
        stopped = true;
        abort.abort();
        clearTimeout(timer);
        for (const t of timers.values()) clearTimeout(t);
        const blank = inFlight.then(() => display.close()).catch(() => undefined);
        await Promise.all([mqtt.stop(), blank]);
        ec2.close();
        clockAhead.close();
        await saving;
      })();
      return stopping;
    },
  };
  return agent;
}
