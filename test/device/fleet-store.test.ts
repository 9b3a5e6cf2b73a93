/** The fleet file on disk: atomic round trip, a corrupt file as a warning, saves at most once a minute. */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  FLEET_FILE_NAME,
  FLEET_SAVE_INTERVAL_MS,
  fleetOutput,
  loadFleet,
  saveFleet,
} from '../../device/agent/fleet-store.ts';
import { createLogger } from '../../device/base/log.ts';
import { MAX_FLEET_FILE_BYTES } from '../../device/fleet/fleet-file.ts';
import type { Item } from '../../device/fleet/item.ts';
import type { Fleet } from '../../device/fleet/store.ts';
import type { Picture } from '../../device/picture/picture.ts';
import { linkToDevZero, makeSparseFile, within } from '../fakes/hostile-files.ts';
import { TimerClock } from '../fakes/timer-clock.ts';
import { waitForAsync } from '../fakes/wait.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ec2led-fleet-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const WEB: Item = {
  kind: 'instance',
  id: 'i-0123456789abcdef0',
  state: 'running',
  timeMs: 1_000,
  sinceMs: 500,
  region: 'eu-west-1',
  account: '123456789012',
  name: 'web-1',
  tags: { Name: 'web-1' },
  listed: true,
};
const fleetOf = (...instances: Item[]): Fleet => new Map(instances.map((i) => [i.id, i]));
const pictureOf = (fleet: Fleet) => ({ fleet, layout: { slots: new Map() } }) as unknown as Picture;

describe('fleet store', () => {
  it('starts empty, without complaint, when there is no file yet', async () => {
    expect(await loadFleet(dir)).toEqual({ fleet: new Map(), savedAtMs: undefined, reason: undefined });
  });

  it('saves the fleet atomically and loads it back after a restart', async () => {
    await saveFleet(dir, fleetOf(WEB), 2_000);
    await saveFleet(dir, fleetOf(WEB, { ...WEB, id: 'i-00000001', name: 'db' }), 3_000);
    expect(await readdir(dir)).toEqual([FLEET_FILE_NAME]);
    const loaded = await loadFleet(dir);
    expect(loaded.reason).toBeUndefined();
    expect(loaded.savedAtMs).toBe(3_000);
    expect(loaded.fleet.get(WEB.id)).toEqual(WEB);
    expect(loaded.fleet.get('i-00000001')?.name).toBe('db');
  });

  it('reads a corrupt file as an empty fleet with a reason naming the path, not a crash', async () => {
    await writeFile(join(dir, FLEET_FILE_NAME), '{"version": 1, "savedAtMs": ');
    const loaded = await loadFleet(dir);
    expect(loaded.fleet.size).toBe(0);
    expect(loaded.reason).toContain(`${join(dir, FLEET_FILE_NAME)}: fleet file is not JSON`);
  });

  it('reports an unreadable file (the state directory is a file) the same way', async () => {
    const notADirectory = join(dir, 'state');
    await writeFile(notADirectory, 'x');
    const loaded = await loadFleet(notADirectory);
    expect(loaded.fleet.size).toBe(0);
    expect(loaded.reason).toMatch(/cannot read .*fleet\.json \(ENOTDIR\); starting with no fleet/);
  });

  it('does not read /dev/zero or an 80 MB file: each a warning naming the file and the fix', async () => {
    const path = join(dir, FLEET_FILE_NAME);
    const fix = `remove it (rm "${path}") and the agent writes a new one; starting with no fleet`;
    linkToDevZero(path);
    expect((await within(2_000, 'loadFleet of /dev/zero', loadFleet(dir))).reason).toBe(
      `${path} is a character device, not a regular file, so it was not read; ${fix}`,
    );
    await rm(path);
    makeSparseFile(path, 80 * 1024 * 1024);
    expect((await within(2_000, 'loadFleet of 80 MB', loadFleet(dir))).reason).toBe(
      `${path} is 83886080 bytes, over the ${MAX_FLEET_FILE_BYTES} such a file can be, so it was not read; ${fix}`,
    );
  });

  it('refuses a fleet file saved in the future of the clock, with a warning naming the file', async () => {
    await saveFleet(dir, fleetOf(WEB), Date.now() + 30 * 24 * 3600 * 1000);
    const loaded = await loadFleet(dir);
    expect(loaded.fleet.size).toBe(0);
    expect(loaded.reason).toMatch(
      new RegExp(
        `^${join(dir, FLEET_FILE_NAME)}: fleet file "savedAtMs" \\d+ \\(.*\\) is in the future of this clock`,
      ),
    );
  });

  it('as an output: saves a changed fleet at once, then at most once a minute, and what is pending on close', async () => {
    const clock = new TimerClock();
    const lines: string[] = [];
    const output = fleetOutput(dir, fleetOf(WEB), createLogger({ write: (l) => lines.push(l) }), clock);
    await output.open();
    const one = fleetOf({ ...WEB, state: 'stopping' });
    const two = fleetOf({ ...WEB, state: 'stopped' });
    const three = fleetOf({ ...WEB, state: 'pending' });
    await output.show(pictureOf(one));
    await savedState('stopping');
    await output.show(pictureOf(two));
    await clock.advance(FLEET_SAVE_INTERVAL_MS - 1);
    expect((await loadFleet(dir)).fleet.get(WEB.id)?.state).toBe('stopping');
    await clock.advance(1);
    await savedState('stopped');
    await output.show(pictureOf(three));
    await output.close();
    expect((await loadFleet(dir)).fleet.get(WEB.id)?.state).toBe('pending');
    expect(clock.timers.size).toBe(0);
    expect(lines).toEqual([]);
    expect(JSON.parse(await readFile(join(dir, FLEET_FILE_NAME), 'utf8')).version).toBe(1);
  });

  it('does not write the restored fleet back while nothing changed it', async () => {
    const restored = fleetOf(WEB);
    const output = fleetOutput(dir, restored, createLogger({ write: () => undefined }), new TimerClock());
    await output.show(pictureOf(restored));
    await output.close();
    expect(await readdir(dir)).toEqual([]);
  });
});

/** Waits (bounded) until the file on disk holds WEB in `state`. */
function savedState(state: string): Promise<unknown> {
  return waitForAsync(`fleet.json with ${state}`, async () => {
    const loaded = await loadFleet(dir);
    return loaded.fleet.get(WEB.id)?.state === state;
  });
}
