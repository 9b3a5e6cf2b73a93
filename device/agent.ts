/**
 * The agent: wiring only. The MQTT and EC2 sources feed sync.ts through the runtime (runtime.ts),
 * which carries out its commands and paces the frames; the stage (stage.ts) composes the picture
 * each frame and every output (outputs.ts) shows it: the display, the slot file, and what the CLI
 * attaches (the web board, the status socket). `stop()` stops the feed, waits for the frame in
 * flight, then closes every output (blanking the board, saving the slots); the CLI exits the
 * process afterwards (aws-crt).
 */

import type { Config } from './config.ts';
import { createDisplay, type DisplayDeps } from './display/open.ts';
import { initialSyncState, type SyncState } from './fleet/sync.ts';
import { createLatch } from './latch.ts';
import { IDENTIFY_MS } from './layout/animate.ts';
import type { Legend } from './layout/legend.ts';
import { loadSlots } from './layout/slot-store.ts';
import type { Logger } from './log.ts';
import { displayOutput, type Output, slotsOutput } from './outputs.ts';
import { pictureSettings } from './picture-settings.ts';
import { createRuntime, systemClock } from './runtime.ts';
import type { AwsTimeouts } from './sources/ec2.ts';
import { ec2SourceFor, feedEffects, mqttOptionsFor, syncOptionsFor } from './sources/feed.ts';
import { createMqttSource, toSyncEvent } from './sources/mqtt.ts';
import { createStage } from './stage.ts';

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
  const loaded = await loadSlots(config.stateDir);
  if (loaded.reason !== undefined) log.warn('slots not restored', { reason: loaded.reason });
  const settings = pictureSettings(config);
  const stage = createStage({
    settings,
    slots: loaded.slots,
    outputs: [...boardOutputs(config, options.displayDeps), slotsOutput(config.stateDir, loaded.slots, log)],
    log,
  });
  const feed = feedEffects(config, log, ec2SourceFor(config, log, options.awsTimeouts), () =>
    mqtt.subscribe(),
  );
  const runtime = createRuntime({
    initial: initialSyncState(syncOptionsFor(config)),
    effects: feed,
    draw: stage.draw,
    log,
    clock: { ...systemClock, now },
    ...(options.random === undefined ? {} : { random: options.random }),
  });
  const fatal = createLatch<Error>(); // the MQTT TLS context failed: the agent cannot work
  const mqtt = createMqttSource({
    ...mqttOptionsFor(config),
    onEvent: (event) => runtime.dispatch(toSyncEvent(event)),
    onFatal: fatal.set,
    log,
  });

  await stage.open();
  log.info('display opened', { board: config.display.board, width: settings.width, height: settings.height });
  runtime.redraw();
  mqtt.start();

  let stopping: Promise<void> | undefined;
  return {
    legend: stage.legend,
    state: () => runtime.state(),
    identify(target) {
      stage.identify(target, now() + IDENTIFY_MS);
      runtime.redraw();
    },
    onLegendChange: stage.onLegendChange,
    attach: stage.attach,
    onFatal: fatal.on,
    stop() {
      // The frame in flight first: closing the display before it ends would light the board again.
      stopping ??= Promise.all([mqtt.stop(), runtime.stop().then(stage.close)]).then(() => feed.close());
      return stopping;
    },
  };
}
