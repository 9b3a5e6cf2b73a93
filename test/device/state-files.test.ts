/**
 * A FIFO (made with the real `mkfifo`) as either state file: loading it returns at once with a
 * warning naming the file and the fix, instead of waiting in open(2) for a writer that never comes.
 * Here rather than beside the other cases in layout/ and fleet-store tests: `mkfifo` is a child
 * process, which the unit set (vitest.unit.config.ts) keeps out.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FLEET_FILE_NAME, loadFleet } from '../../device/agent/fleet-store.ts';
import { loadSlots, SLOT_FILE_NAME } from '../../device/outputs/slot-store.ts';
import { makeFifo, within } from '../fakes/hostile-files.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ec2led-state-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const refused = (path: string, what: string) =>
  `${path} is a FIFO (named pipe), not a regular file, so it was not read; remove it (rm "${path}") and the agent writes a new one; starting with no ${what}`;

describe('a FIFO as a state file', () => {
  it('slots.json: empty slots and a warning, at once', async () => {
    const path = join(dir, SLOT_FILE_NAME);
    makeFifo(path);
    expect(await within(2_000, 'loadSlots of a FIFO', loadSlots(dir))).toEqual({
      slots: new Map(),
      reason: refused(path, 'slots'),
    });
  });

  it('fleet.json: an empty fleet and a warning, at once', async () => {
    const path = join(dir, FLEET_FILE_NAME);
    makeFifo(path);
    expect(await within(2_000, 'loadFleet of a FIFO', loadFleet(dir))).toEqual({
      fleet: new Map(),
      savedAtMs: undefined,
      reason: refused(path, 'fleet'),
    });
  });
});
