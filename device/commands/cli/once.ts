/**
 * `ec2led agent --once`: list every region, render one frame, exit. No MQTT: the picture is the
 * listing, drawn as if live (no dimming, no status blink). A LED board keeps showing it after exit;
 * the terminal board prints it on the normal screen (its alternate screen would vanish on exit), in
 * colour on a terminal only (wantsColor: NO_COLOR and FORCE_COLOR are honoured).
 */
import { boardOutputs } from '../../agent/agent.ts';
import type { Logger } from '../../base/log.ts';
import type { Config } from '../../config/config.ts';
import { pictureSettings } from '../../config/picture-settings.ts';
import { EMPTY_FLEET, replaceWithSnapshot } from '../../fleet/store.ts';
import type { TerminalOutput } from '../../outputs/display/boards/terminal.ts';
import { drawLegend } from '../../outputs/display/boards/terminal-legend.ts';
import { drawPicture, wantsColor } from '../../outputs/display/boards/terminal-picture.ts';
import type { DisplayDeps } from '../../outputs/display/open.ts';
import { loadSlots, saveSlots } from '../../outputs/slot-store.ts';
import type { Legend } from '../../picture/legend.ts';
import { composePicture } from '../../picture/picture.ts';
import { sameSlots } from '../../picture/slots.ts';
import { ec2SourceFor } from '../../sources/feed.ts';

export interface OnceOptions {
  readonly config: Config;
  readonly log: Logger;
  readonly now?: () => number;
  readonly output?: TerminalOutput;
  readonly displayDeps?: DisplayDeps;
  /** FORCE_COLOR and NO_COLOR are read here; default process.env. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/**
 * The caption of a --once picture. It never connects to MQTT, so it says what the picture is (one
 * listing, at this time) instead of the live agent's "connected · synced".
 */
export function onceCaption(view: Legend, nowMs: number): string {
  const parts = [
    'ec2-led',
    `listed once at ${new Date(nowMs).toISOString().slice(0, 19)}Z`,
    'no live feed (run without --once to follow changes)',
  ];
  if (view.overflow > 0) {
    parts.push(`${view.overflow} more instance${view.overflow === 1 ? '' : 's'} than pixels`);
  }
  return parts.join(' · ');
}

export async function runOnce(options: OnceOptions): Promise<void> {
  const { config, log } = options;
  const now = options.now ?? Date.now;
  const outputs = config.display.board === 'terminal' ? [] : boardOutputs(config, options.displayDeps);
  const ec2 = ec2SourceFor(config, log);
  try {
    log.info('listing', { regions: config.aws.regions });
    const snapshot = await ec2.list();
    const nowMs = now();
    const fleet = replaceWithSnapshot(EMPTY_FLEET, snapshot, nowMs);
    log.info('synced', { instances: fleet.size });
    const { slots } = await loadSlots(config.stateDir);
    const settings = pictureSettings(config);
    const status = { connected: true, synced: true };
    const picture = composePicture({ fleet, slots, listed: true, settings, status, nowMs });
    if (!sameSlots(picture.layout.slots, slots)) {
      await saveSlots(config.stateDir, picture.layout.slots).catch((error) =>
        log.warn('slots not saved', { error }),
      );
    }
    if (config.display.board === 'terminal') {
      const output = options.output ?? process.stdout;
      // The picture is nothing but colour: into a pipe, a file or with NO_COLOR, the legend alone.
      const color = wantsColor(output, options.env);
      const lines = [
        onceCaption(picture.legend, nowMs),
        ...(color ? [...drawPicture(picture.frame), ''] : []),
        ...drawLegend(picture.legend, nowMs, output.columns, Number.POSITIVE_INFINITY, color),
      ];
      await new Promise<void>((resolve) => output.write(`${lines.join('\n')}\n`, () => resolve()));
      return;
    }
    for (const output of outputs) {
      await output.open();
      await output.show(picture);
    }
  } finally {
    ec2.close();
  }
}
