/**
 * The agent: wiring only. The MQTT and EC2 sources feed sync.ts through the runtime (runtime.ts),
 * which carries out its commands and paces the frames; composePicture (layout/picture.ts) turns the
 * fleet into a picture each frame, and every output (outputs.ts) shows it: the display, the slot
 * file, the legend listeners, and what the CLI attaches (the web board, the status socket).
 * `stop()` stops the feed, waits for the frame in flight, then closes every output (blanking the
 * board, saving the slots); the CLI exits the process afterwards (aws-crt).
 */

import type { Config } from './config.ts';
import { createDisplay, type DisplayDeps } from './display/open.ts';
import { accountIds, accountsOf } from './fleet/accounts.ts';
import { initialSyncState, type SyncState } from './fleet/sync.ts';
import { IDENTIFY_MS } from './layout/animate.ts';
import { emptyLegend, type Legend } from './layout/legend.ts';
import { composePicture, type Picture } from './layout/picture.ts';
import type { Identify } from './layout/render.ts';
import { loadSlots } from './layout/slot-store.ts';
import type { Logger } from './log.ts';
import { createAgentMetrics } from './metrics/agent-metrics.ts';
import { displayOutput, legendOutput, type Output, slotsOutput } from './outputs.ts';
import { pictureSettings } from './picture-settings.ts';
import { createRuntime, systemClock } from './runtime.ts';
import type { AwsTimeouts } from './sources/ec2.ts';
import { ec2SourceFor, feedEffects } from './sources/feed.ts';
import { createMqttSource, toSyncEvent } from './sources/mqtt.ts';

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
  /** The legend of the last picture (the web board, `ec2led status`). */
  legend(): Legend;
  readonly state: () => SyncState;
  /** Blinks a pixel for IDENTIFY_MS. */
  identify(target: { x: number; y: number }): void;
  /** Called after a picture whose legend differs from the last. */
  onLegendChange(listener: () => void): void;
  /** Opens an output and shows it every picture from the current one on; `stop` closes it. */
  attach(output: Output): Promise<void>;
  /** Once if the agent cannot work at all (the MQTT TLS context failed); at once if that already happened. */
  onFatal(listener: (error: Error) => void): void;
  /** The metrics in Prometheus text format, as of now (the web board's `/metrics`). */
  metrics(): string;
  /** Stops the feed, blanks the board, saves the slots. Idempotent. */
  stop(): Promise<void>;
}

/** The configured board as an output; none for `web`, which shows the web board alone. */
export function boardOutputs(config: Config, deps: DisplayDeps = {}): Output[] {
  return config.display.board === 'web' ? [] : [displayOutput(createDisplay(config.display, deps))];
}

/** Starts everything but the process: outputs, feed, timers. Rejects if the display cannot open. */
export async function startAgent(options: AgentOptions): Promise<Agent> {
  const { config, log } = options;
  const now = options.now ?? Date.now;
  const settings = pictureSettings(config);
  const metrics = createAgentMetrics(now);
  const loaded = await loadSlots(config.stateDir);
  if (loaded.reason !== undefined) log.warn('slots not restored', { reason: loaded.reason });
  let picture: Picture | undefined;
  let identify: Identify | undefined;
  const listeners: (() => void)[] = [];
  const outputs: Output[] = [
    ...boardOutputs(config, options.displayDeps),
    slotsOutput(config.stateDir, loaded.slots, log),
    legendOutput('legend', () => {
      for (const listener of listeners) listener();
    }),
  ];
  const show = (output: Output, shown: Picture): Promise<void> =>
    output.show(shown).catch((error: unknown) => log.error(`${output.name} render failed`, { error }));

  const draw = async (state: SyncState, nowMs: number): Promise<number | undefined> => {
    const status = { connected: state.connected, synced: state.synced };
    const slots = picture?.layout.slots ?? loaded.slots;
    const listed = state.listedAtMs !== undefined;
    const shown = composePicture({
      fleet: state.fleet,
      slots,
      listed,
      settings,
      status,
      nowMs,
      identify,
      staleAccounts: state.staleAccounts,
      previous: picture,
    });
    picture = shown;
    await Promise.all(outputs.map((output) => show(output, shown)));
    return shown.wakeInMs;
  };
  const feed = feedEffects(config, log, ec2SourceFor(config, log, options.awsTimeouts), () =>
    mqtt.subscribe(),
  );
  const runtime = createRuntime({
    initial: initialSyncState({
      resyncMinutes: config.resyncMinutes,
      // A tag filter for any account (the global one, or an account's own).
      tagFiltered: accountsOf(config.aws.accounts, config.tagFilter).some((a) => a.tagFilter !== undefined),
    }),
    effects: metrics.effects(feed),
    draw: metrics.frames(draw),
    log,
    clock: { ...systemClock, now },
    ...(options.random === undefined ? {} : { random: options.random }),
  });
  let fatal: Error | undefined;
  const fatalListeners: ((error: Error) => void)[] = [];
  const mqtt = createMqttSource({
    mqtt: config.mqtt,
    topicPrefix: config.topicPrefix,
    accounts: accountIds(config.aws.accounts),
    regions: config.aws.regions,
    onEvent: (event) => {
      metrics.observe(event);
      runtime.dispatch(toSyncEvent(event));
    },
    counters: metrics.messages,
    onFatal: (error) => {
      fatal ??= error;
      for (const listener of fatalListeners.splice(0)) listener(error);
    },
    log,
  });

  for (const output of outputs) await output.open();
  log.info('display opened', { board: config.display.board, width: settings.width, height: settings.height });
  runtime.redraw();
  mqtt.start();

  let stopping: Promise<void> | undefined;
  return {
    legend: () => picture?.legend ?? emptyLegend(settings.width, settings.height),
    state: () => runtime.state(),
    metrics: () => metrics.render(runtime.state()),
    identify(target) {
      identify = { target, untilMs: now() + IDENTIFY_MS };
      runtime.redraw();
    },
    onLegendChange: (listener) => void listeners.push(listener),
    async attach(output) {
      await output.open();
      outputs.push(output);
      if (picture !== undefined) await show(output, picture);
    },
    onFatal(listener) {
      if (fatal === undefined) fatalListeners.push(listener);
      else listener(fatal);
    },
    stop() {
      // The frame in flight first: closing the display before it ends would light the board again.
      const closed = (): Promise<unknown> =>
        Promise.all(outputs.map((output) => output.close().catch(() => undefined)));
      stopping ??= Promise.all([mqtt.stop(), runtime.stop().then(closed)]).then(() => feed.close());
      return stopping;
    },
  };
}
