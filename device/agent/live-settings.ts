/**
 * Applies effective settings to a running agent (from the settings shadow, sources/shadow.ts):
 * pins and colours through the picture settings, brightness through every output that lights LEDs,
 * the resync period and the tag filter through sync.ts (a new tag filter relists at once, through a
 * new EC2 source). Decides nothing beyond which part a changed key belongs to.
 */

import type { Logger } from '../base/log.ts';
import type { Config } from '../config/config.ts';
import { pictureSettings } from '../config/picture-settings.ts';
import { anyTagFilter } from '../fleet/accounts.ts';
import type { SyncEvent } from '../fleet/sync.ts';
import type { Output } from '../outputs/outputs.ts';
import type { PictureSettings } from '../picture/picture.ts';
import type { Ec2Source } from '../sources/ec2.ts';

/** An EC2 source whose implementation can be replaced; the one replaced is closed. */
export interface SwappableEc2 extends Ec2Source {
  replace(next: Ec2Source): void;
}

export function swappableEc2(initial: Ec2Source): SwappableEc2 {
  let current = initial;
  return {
    list: (signal) => current.list(signal),
    describeIds: (region, ids, signal) => current.describeIds(region, ids, signal),
    close: () => current.close(),
    replace(next) {
      const old = current;
      current = next;
      old.close();
    },
  };
}

/** A tag filter applies to some account (the config-wide one, or an account's own). */
export function tagFiltered(config: Pick<Config, 'aws' | 'tagFilter'>): boolean {
  return anyTagFilter(config.aws.accounts, config.tagFilter);
}

export interface LiveTargets {
  readonly log: Logger;
  /** The agent's outputs, read at each apply (outputs attached later are included). */
  readonly outputs: () => readonly Output[];
  /** New picture settings; the agent lays out again and redraws. */
  readonly picture: (settings: PictureSettings) => void;
  readonly dispatch: (event: SyncEvent) => void;
  readonly ec2: SwappableEc2;
  readonly ec2For: (config: Config) => Ec2Source;
}

export function liveSettings(targets: LiveTargets): (config: Config, changed: readonly string[]) => void {
  const { log } = targets;
  return (config, changed) => {
    const has = (prefix: string): boolean =>
      changed.some((key) => key === prefix || key.startsWith(`${prefix}.`));
    if (has('display.brightness')) {
      const brightness = config.display.brightness;
      for (const output of targets.outputs()) {
        output.setBrightness?.(brightness).catch((error: unknown) => {
          log.error(`${output.name} brightness not set`, { brightness, error: (error as Error).message });
        });
      }
    }
    if (has('tagFilter')) targets.ec2.replace(targets.ec2For(config));
    if (has('tagFilter') || has('resyncMinutes')) {
      targets.dispatch({
        type: 'settings',
        resyncMs: Math.round(config.resyncMinutes * 60_000),
        tagFiltered: tagFiltered(config),
        relist: has('tagFilter'),
      });
    }
    if (has('pins') || has('colors') || has('display.brightness') || has('display.schedule'))
      targets.picture(pictureSettings(config));
  };
}
