/**
 * The fleet file on disk: `fleet.json` in the agent's state directory, beside `slots.json`
 * (fleet/fleet-file.ts has the format). Restored at start, so a Pi that reboots without network shows
 * its last known fleet, dimmed as stale, until the first listing replaces it.
 *
 * Contract:
 * - `loadFleet` never throws: no file gives an empty fleet and no reason; an unreadable, corrupt,
 *   oversized or future-dated file, or one that is not a regular file (a FIFO, /dev/zero), gives an
 *   empty fleet and a reason to log naming the path and the fix (a warning, not a crash, and never a
 *   wait: slot-store.ts `readStateFile`; the next save replaces it).
 * - `fleetOutput` saves the fleet shown when it changed, at most once per FLEET_SAVE_INTERVAL_MS
 *   (an SD card wears; the file is a hint, a minute old is fine), one save at a time, atomically
 *   (slot-store.ts `writeStateFile`); `close` saves what is still pending and waits for it.
 */
import { join } from 'node:path';
import { type Clock, systemClock } from '../base/clock.ts';
import type { Logger } from '../base/log.ts';
import { readStateFile, writeStateFile } from '../base/state-file.ts';
import { type FleetParse, MAX_FLEET_FILE_BYTES, parseFleet, serializeFleet } from '../fleet/fleet-file.ts';
import type { Fleet } from '../fleet/store.ts';
import { EMPTY_FLEET } from '../fleet/store.ts';
import type { Output } from '../outputs/outputs.ts';

export const FLEET_FILE_NAME = 'fleet.json';
/** At most one write a minute: about 1,400 small writes a day while the fleet keeps changing. */
export const FLEET_SAVE_INTERVAL_MS = 60_000;

/** `nowMs` (default the clock) refuses a file saved in the future (fleet-file.ts `parseFleet`). */
export async function loadFleet(stateDir: string, nowMs: number = Date.now()): Promise<FleetParse> {
  const path = join(stateDir, FLEET_FILE_NAME);
  const read = await readStateFile(path, MAX_FLEET_FILE_BYTES);
  if (read.kind === 'missing') return { fleet: EMPTY_FLEET, savedAtMs: undefined, reason: undefined };
  if (read.kind === 'refused')
    return { fleet: EMPTY_FLEET, savedAtMs: undefined, reason: `${read.reason}; starting with no fleet` };
  const parsed = parseFleet(read.text, nowMs);
  return parsed.reason === undefined ? parsed : { ...parsed, reason: `${path}: ${parsed.reason}` };
}

export function saveFleet(
  stateDir: string,
  fleet: Fleet,
  savedAtMs: number,
  shown?: ReadonlyMap<string, unknown>,
): Promise<void> {
  return writeStateFile(stateDir, FLEET_FILE_NAME, serializeFleet(fleet, savedAtMs, shown), 'the fleet');
}

/** Saves the fleet of the pictures shown (see the contract); `loaded` is what was restored (not saved again). */
export function fleetOutput(
  stateDir: string,
  loaded: Fleet,
  log: Logger,
  clock: Clock = systemClock,
): Output {
  let saved = loaded;
  let latest: { fleet: Fleet; shown: ReadonlyMap<string, unknown> } | undefined;
  let lastSaveAt = Number.NEGATIVE_INFINITY;
  let timer: unknown;
  let saving: Promise<void> = Promise.resolve();
  let closed = false;

  const save = (): void => {
    timer = undefined;
    const next = latest;
    if (next === undefined || next.fleet === saved) return;
    saved = next.fleet;
    lastSaveAt = clock.now();
    saving = saving
      .then(() => saveFleet(stateDir, next.fleet, lastSaveAt, next.shown))
      .catch((error: unknown) => log.warn('fleet not saved', { error: (error as Error).message }));
  };
  return {
    name: 'fleet file',
    open: async () => undefined,
    async show({ fleet, layout }) {
      if (closed) return;
      latest = { fleet, shown: layout.slots };
      if (fleet === saved || timer !== undefined) return;
      const waitMs = lastSaveAt + FLEET_SAVE_INTERVAL_MS - clock.now();
      if (waitMs <= 0) save();
      else timer = clock.setTimeout(save, waitMs);
    },
    async close() {
      if (!closed) {
        closed = true;
        if (timer !== undefined) clock.clearTimeout(timer);
        save();
      }
      await saving;
    },
  };
}
