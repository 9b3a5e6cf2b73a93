/**
 * The agent: wiring only. The MQTT and listing sources (EC2, CloudWatch alarms) and the item sources
 * (the desk probes, any given in `sources`), each with its own slice of the fleet, feed sync.ts
 * through the runtime (runtime.ts),
 * which carries out its commands and paces the frames; the stage (stage.ts) composes the picture
 * each frame and every output (outputs.ts) shows it: the display, the slot file, and what the CLI
 * attaches (the web board, the status socket). `stop()` stops the feed, waits for the frame in
 * flight, then closes every output (blanking the board, saving the slots); the CLI exits the
 * process afterwards (aws-crt).
 */

import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { type Clock, systemClock } from '../base/clock.ts';
import { createLatch } from '../base/latch.ts';
import type { Logger } from '../base/log.ts';
import { VERSION } from '../base/version.ts';
import type { Level } from '../brightness/schedule.ts';
import type { Config } from '../config/config.ts';
import { pictureSettings } from '../config/picture-settings.ts';
import type { Pinned } from '../config/remote-settings.ts';
import { urgentNoticeOf } from '../fleet/notices.ts';
import { initialSyncState, type SyncState } from '../fleet/sync.ts';
import { createDisplay, type DisplayDeps } from '../outputs/display/open.ts';
import { createAgentMetrics } from '../outputs/metrics/agent-metrics.ts';
import { type AttentionAction, createAttentionCounters } from '../outputs/metrics/attention-metrics.ts';
import { renderExposition } from '../outputs/metrics/exposition.ts';
import { noticeFamilies } from '../outputs/metrics/notice-metrics.ts';
import { brightnessLogOutput, displayOutput, type Output, slotsOutput } from '../outputs/outputs.ts';
import { loadSlots } from '../outputs/slot-store.ts';
import { wledFamilies } from '../outputs/wled/metrics.ts';
import { type WledOutput, type WledStatus, wledOutput } from '../outputs/wled/output.ts';
import { IDENTIFY_MS } from '../picture/animate.ts';
import {
  type AttentionBy,
  type AttentionControl,
  type AttentionReply,
  type AttentionResult,
  acknowledge,
  DEFAULT_SNOOZE_MS,
  nextUrgent,
  snooze,
  unsnooze,
} from '../picture/attention.ts';
import type { Legend } from '../picture/legend.ts';
import type { IdentifyTarget } from '../picture/render.ts';
import type { AwsTimeouts } from '../sources/aws-client.ts';
import type { ButtonTargets } from '../sources/buttons/actions.ts';
import { openAgentButtons } from '../sources/buttons/agent-buttons.ts';
import type { LineEvents } from '../sources/buttons/line-events.ts';
import {
  ec2SourceFor,
  feedEffects,
  mqttOptionsFor,
  probeSourceFor,
  syncOptionsFor,
} from '../sources/feed.ts';
import type { ItemSource } from '../sources/item-source.ts';
import { createMqttSource, toSyncEvent } from '../sources/mqtt.ts';
import { createShadowSettings, type ShadowSettingsOptions } from '../sources/shadow.ts';
import { attentionOutput, loadAttention } from './attention-store.ts';
import { clockOptions, watchClockSync } from './clock-sync.ts';
import { fleetOutput, loadFleet } from './fleet-store.ts';
import { liveSettings, swappableEc2 } from './live-settings.ts';
import { createNoticeHolder } from './notice-holder.ts';
import { createRuntime } from './runtime.ts';
import { createStage } from './stage.ts';
import { createUpdateJobs, type UpdateJobsOptions, type UpdateStatus } from './update/jobs.ts';
import { spoolDir } from './update/spool.ts';
import { debianArch, loadUpdateKeys, PACKAGE_UPDATE_KEYS, UPDATE_KEYS_FOLDER } from './update/verify.ts';
import { agentChecks } from './watchdog/health.ts';
import { openWatchdog } from './watchdog/watchdog.ts';

export interface AgentOptions {
  readonly config: Config;
  readonly log: Logger;
  readonly now?: () => number;
  readonly random?: () => number;
  /** Display adapters (tests: a terminal on a buffer, or the `none` board). */
  readonly displayDeps?: DisplayDeps;
  /** AWS request timeouts; default sources/aws-client.ts DEFAULT_AWS_TIMEOUTS (tests: shorter). */
  readonly awsTimeouts?: AwsTimeouts;
  /** $NOTIFY_SOCKET and $WATCHDOG_USEC for the systemd watchdog (watchdog/watchdog.ts); default none. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** The clock of the watchdog's, the fleet file's and the clock check's timers; default the system's. */
  readonly clock?: Clock;
  /** Whether the Pi's clock is NTP-synchronized; default clock-sync.ts `readClockSynced`. */
  readonly readClockSynced?: () => Promise<boolean | undefined>;
  /** Remote keys set by the environment or a flag, which the settings shadow cannot change. */
  readonly pinned?: Pinned;
  /** How long a shadow `get` may go unanswered, and the retry delays; default sources/shadow.ts (tests: shorter). */
  readonly shadowTiming?: Pick<ShadowSettingsOptions, 'getTimeoutMs' | 'retry'>;
  /** The buttons' line reader (config `buttons`); default gpiomon (sources/buttons/gpiomon.ts). Tests: fake edges. */
  readonly lineEvents?: (lines: readonly number[]) => LineEvents;
  /** The clock of the buttons' long-press timers; default CLOCK_MONOTONIC (sources/buttons/buttons.ts). */
  readonly buttonClock?: Clock;
  /** Acknowledge, snooze and highlight for the buttons; default: each logs that it is not available. */
  readonly buttonTargets?: ButtonTargets;
  /**
   * Item sources beside the configured ones (the desk probes), each listing and watching its own
   * slice (sources/item-source.ts): a kind registered in kinds/kinds.ts and its source. Default none.
   */
  readonly sources?: readonly ItemSource[];
  /** Update jobs (agent/update/jobs.ts): limits, timing and key folders; tests also set the running version. */
  readonly updates?: Partial<
    Pick<UpdateJobsOptions, 'download' | 'answerTimeoutMs' | 'pollMs' | 'running' | 'installerPresent'> & {
      readonly keyFolders: readonly string[];
    }
  >;
}

/** The .deb's trigger of the root installer (device/systemd/ec2led-update.path), where systemd looks for it. */
const INSTALLER_UNITS = [
  '/lib/systemd/system/ec2led-update.path',
  '/usr/lib/systemd/system/ec2led-update.path',
];

/** The agent; acknowledge, snooze, unsnooze and highlight (AttentionControl) come from every place. */
export interface Agent extends AttentionControl {
  /** The legend of the last picture (the web board, `ec2led status`). */
  legend(): Legend;
  readonly state: () => SyncState;
  /** True while no frame is armed or drawing (runtime.ts `framesIdle`): nothing animates or waits. */
  readonly framesIdle: () => boolean;
  /**
   * Blinks a pixel, an instance's pixel or the whole board for `durationMs` (default IDENTIFY_MS);
   * the whole board blinks even while its brightness is "off", and nothing else changes.
   */
  identify(target: IdentifyTarget, durationMs?: number): void;
  /** Called after a picture whose legend differs from the last. */
  onLegendChange(listener: () => void): void;
  /** Opens an output and shows it every picture from the current one on; `stop` closes it. */
  attach(output: Output): Promise<void>;
  /** Sets the brightness by hand (Home Assistant): it holds until the schedule's next transition. */
  setBrightness(level: Level): void;
  /** The metrics in Prometheus text format, as of now (the web board's `/metrics`). */
  metrics(): string;
  /** Each configured WLED device (config `wled`): whether it answers, frames sent (`ec2led status`). */
  wled(): readonly WledStatus[];
  /** Once if the agent cannot work at all (the MQTT TLS context failed); at once if that already happened. */
  onFatal(listener: (error: Error) => void): void;
  /** The running version, an update in progress and the last update's outcome. */
  update(): UpdateStatus;
  /** Stops the feed, blanks the board, saves the slots. Idempotent. */
  stop(): Promise<void>;
}

/** The log line of each action that changed something. */
const DONE: Readonly<Record<AttentionAction, string>> = {
  acknowledge: 'acknowledged',
  snooze: 'snoozed',
  unsnooze: 'unsnoozed',
  highlight: 'highlighted',
};

/** The configured board as an output; none for `web`, which shows the web board alone. */
export function boardOutputs(config: Config, deps: DisplayDeps = {}): Output[] {
  return config.display.board === 'web' ? [] : [displayOutput(createDisplay(config.display, deps))];
}

/** Starts everything but the process: outputs, feed, timers. Rejects if the display cannot open. */
export async function startAgent(options: AgentOptions): Promise<Agent> {
  const { config, log } = options;
  const now = options.now ?? Date.now;
  const watchdog = await openWatchdog({ env: options.env ?? {}, log, clock: options.clock ?? systemClock });
  const loaded = await loadSlots(config.stateDir);
  if (loaded.reason !== undefined) log.warn('slots not restored', { reason: loaded.reason });
  const restored = await loadFleet(config.stateDir);
  if (restored.reason !== undefined) log.warn('fleet not restored', { reason: restored.reason });
  else if (restored.fleet.size > 0)
    log.info('fleet restored, stale until listed', {
      instances: restored.fleet.size,
      savedAtMs: restored.savedAtMs,
    });
  const restoredAttention = await loadAttention(config.stateDir, now());
  if (restoredAttention.reason !== undefined)
    log.warn('acknowledgements not restored', { reason: restoredAttention.reason });
  const settings = pictureSettings(config);
  const metrics = createAgentMetrics(now);
  const wled: WledOutput[] = (config.wled ?? []).map((device) =>
    wledOutput({
      device,
      brightness: config.display.brightness,
      log,
      ...(options.clock === undefined ? {} : { clock: options.clock }),
    }),
  );
  // Instance notices (fleet/notices.ts): beside the fleet, fed by notice messages and listings.
  const notices = createNoticeHolder();
  let noticeMessages = 0;
  const stage = createStage({
    notices,
    settings,
    slots: loaded.slots,
    restored: restored.fleet,
    attention: restoredAttention.attention,
    clockSynced: () => clockSync?.synced,
    update: () => jobs?.status(),
    outputs: [
      ...boardOutputs(config, options.displayDeps),
      slotsOutput(config.stateDir, loaded.slots, log),
      fleetOutput(config.stateDir, restored.fleet, log, options.clock),
      brightnessLogOutput(log),
      attentionOutput(config.stateDir, restoredAttention.attention, log),
      ...wled,
    ],
    log,
  });
  const sources: readonly ItemSource[] = [probeSourceFor(config, log), ...(options.sources ?? [])];
  const ec2 = swappableEc2(ec2SourceFor(config, log, options.awsTimeouts));
  const feed = feedEffects(config, log, ec2, () => mqtt.subscribe());
  const runtime = createRuntime({
    initial: initialSyncState({ ...syncOptionsFor(config), fleet: restored.fleet }),
    effects: metrics.effects({
      ...feed,
      list: (signal) =>
        feed.list(signal).then((snapshot) => {
          if (snapshot.scheduled !== undefined) notices.listed(snapshot.scheduled, snapshot.startedAtMs);
          return snapshot;
        }),
    }),
    draw: metrics.frames(stage.draw),
    log,
    clock: { ...systemClock, now },
    ...(options.random === undefined ? {} : { random: options.random }),
  });
  const fatal = createLatch<Error>(); // the MQTT TLS context failed: the agent cannot work
  const shadow = createShadowSettings({
    thingName: config.mqtt.clientId,
    local: config,
    pinned: options.pinned ?? new Map(),
    ...options.shadowTiming,
    publish: (topic, payload) => mqtt.publish(topic, payload),
    log,
    apply: liveSettings({
      log,
      outputs: stage.outputs,
      picture: (next) => {
        stage.setSettings(next);
        runtime.redraw();
      },
      dispatch: (event) => runtime.dispatch(event),
      ec2,
      ec2For: (next) => ec2SourceFor(next, log, options.awsTimeouts),
    }),
  });
  const arch = debianArch();
  const keyFolders = options.updates?.keyFolders ?? [
    ...(config.mqtt.cert === undefined ? [] : [join(dirname(config.mqtt.cert), UPDATE_KEYS_FOLDER)]),
    PACKAGE_UPDATE_KEYS,
  ];
  const running = options.updates?.running ?? (arch === undefined ? undefined : { version: VERSION, arch });
  const jobs =
    running === undefined
      ? undefined
      : createUpdateJobs({
          thingName: config.mqtt.clientId,
          running,
          spool: spoolDir(config.stateDir),
          keys: async () => {
            const loaded = await loadUpdateKeys(keyFolders);
            if (loaded.skipped.length > 0)
              log.warn('update keys skipped', { files: loaded.skipped.slice(0, 5) });
            return loaded.keys;
          },
          publish: (topic, payload) => mqtt.publish(topic, payload),
          log,
          ...(options.updates?.download === undefined ? {} : { download: options.updates.download }),
          ...(options.updates?.answerTimeoutMs === undefined
            ? {}
            : { answerTimeoutMs: options.updates.answerTimeoutMs }),
          ...(options.updates?.pollMs === undefined ? {} : { pollMs: options.updates.pollMs }),
          onStatus: () => runtime.redraw(),
          installerPresent:
            options.updates?.installerPresent ?? (() => INSTALLER_UNITS.some((path) => existsSync(path))),
        });
  const mqtt = createMqttSource({
    ...mqttOptionsFor(config, (message) => {
      noticeMessages += 1;
      notices.apply(message, now());
      runtime.redraw();
    }),
    onEvent: (event) => {
      metrics.observe(event);
      runtime.dispatch(toSyncEvent(event));
    },
    onFatal: fatal.set,
    side: jobs === undefined ? [shadow] : [shadow, jobs],
    counters: metrics.messages,
    log,
  });

  await stage.open();
  log.info('display opened', { board: config.display.board, width: settings.width, height: settings.height });
  // The buttons act on the agent's own acknowledge, snooze and highlight (the agent below).
  let control: AttentionControl | undefined;
  const buttons =
    config.buttons === undefined
      ? undefined
      : openAgentButtons({
          section: config.buttons,
          log,
          targets: options.buttonTargets ?? {
            acknowledge: (target, by) => control?.acknowledge(target, by),
            snooze: (target, durationMs, by) => control?.snooze(target, durationMs, by),
            highlightNextUrgent: (by) => control?.highlightNextUrgent(by),
          },
          lineEvents: options.lineEvents,
          clock: options.buttonClock,
          brightness: {
            level: () => stage.legend().brightness?.level ?? config.display.brightness,
            set(level) {
              stage.setManualLevel(level === undefined ? undefined : { level, atMs: now() });
              runtime.redraw();
            },
          },
        });
  const clockSync = watchClockSync({ changed: () => runtime.redraw(), log, ...clockOptions(options) });
  runtime.redraw();
  mqtt.start();
  for (const source of sources) {
    source.start({
      listed: (snapshot) =>
        runtime.dispatch({ type: 'slice', snapshot: { ...snapshot, kinds: source.kinds } }),
      change: (change) => runtime.dispatch({ type: 'message', change }),
    });
  }
  watchdog.start(agentChecks(runtime, mqtt, config.mqtt.reconnectMaxSeconds, now));

  const attentionCounters = createAttentionCounters();
  /** Carries out one acknowledge / snooze / unsnooze: logged (with who), counted, drawn. */
  const command = (
    action: AttentionAction,
    by: AttentionBy,
    run: (current: ReturnType<typeof stage.attention>) => AttentionResult,
  ): AttentionReply => {
    const result = run(stage.attention());
    if (!result.ok) {
      log.info(`${action} refused`, { by, reason: result.reason });
      return result;
    }
    attentionCounters.count(action, by);
    if (result.ids.length > 0) {
      // A fixed message: the result's names an item by its (untrusted) Name.
      log.info(DONE[action], { by, ids: result.ids.slice(0, 20), count: result.ids.length });
      stage.setAttention(result.attention);
      runtime.redraw();
    }
    return { ok: true, ids: result.ids, message: result.message };
  };
  let highlighted: string | undefined;

  let stopping: Promise<void> | undefined;
  const agent: Agent = {
    legend: stage.legend,
    state: () => runtime.state(),
    framesIdle: () => runtime.framesIdle(),
    identify(target, durationMs = IDENTIFY_MS) {
      stage.identify(target, now() + durationMs);
      runtime.redraw();
    },
    onLegendChange: stage.onLegendChange,
    attach: stage.attach,
    acknowledge: (target, by) =>
      command('acknowledge', by, (current) => {
        const { fleet } = runtime.state();
        return acknowledge(current, fleet, target, by, now(), urgentNoticeOf(notices.shown(fleet, now())));
      }),
    snooze: (target, durationMs, by) =>
      command('snooze', by, (current) => {
        const { fleet } = runtime.state();
        const noticeOf = urgentNoticeOf(notices.shown(fleet, now()));
        return snooze(current, fleet, target, durationMs ?? DEFAULT_SNOOZE_MS, by, now(), noticeOf);
      }),
    unsnooze: (target, by) =>
      command('unsnooze', by, (current) => unsnooze(current, target, runtime.state().fleet)),
    highlightNextUrgent(by) {
      const { pixels } = stage.legend();
      const id = nextUrgent(pixels, highlighted);
      if (id === undefined) return undefined;
      highlighted = id;
      attentionCounters.count('highlight', by);
      stage.identify({ id: id }, now() + IDENTIFY_MS, true);
      runtime.redraw();
      const entry = pixels.find((pixel) => pixel.entry?.id === id)?.entry;
      const name = entry?.name === undefined || entry.name === '' ? id : entry.name;
      log.info('highlighted', { by, id });
      return { id, name };
    },
    metrics() {
      const families = [
        ...noticeFamilies(notices.shown(runtime.state().fleet, now()), noticeMessages),
        ...wledFamilies(wled.map((w) => w.status())),
        ...attentionCounters.families(stage.attention()),
      ];
      return metrics.render(runtime.state()) + renderExposition(families);
    },
    wled: () => wled.map((w) => w.status()),
    setBrightness(level) {
      stage.setManualLevel({ level, atMs: now() });
      runtime.redraw();
    },
    onFatal: fatal.on,
    update: () => jobs?.status() ?? { version: VERSION, phase: 'idle' },
    stop() {
      jobs?.close();
      watchdog.stop();
      clockSync.stop();
      shadow.close();
      // The frame in flight first: closing the display before it ends would light the board again.
      stopping ??= Promise.all([
        mqtt.stop(),
        buttons?.stop(),
        ...sources.map((source) => source.stop()),
        runtime.stop().then(stage.close),
      ]).then(() => feed.close());
      return stopping;
    },
  };
  control = agent;
  return agent;
}
