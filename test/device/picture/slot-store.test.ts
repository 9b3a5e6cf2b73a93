import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadSlots, SLOT_FILE_NAME, saveSlots } from '../../../device/outputs/slot-store.ts';
import { MAX_SLOT_FILE_BYTES } from '../../../device/picture/slot-file.ts';
import { linkToDevZero, makeSparseFile, within } from '../../fakes/hostile-files.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ec2led-slots-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const slots = new Map([['i-00000001', { x: 2, y: 1 }]]);

describe('slot store', () => {
  it('starts empty, without complaint, when there is no file yet', async () => {
    expect(await loadSlots(dir)).toEqual({ slots: new Map(), reason: undefined });
  });

  it('saves the slots and loads them back after a restart', async () => {
    await saveSlots(dir, slots);
    expect(await loadSlots(dir)).toEqual({ slots, reason: undefined });
    expect(await readFile(join(dir, SLOT_FILE_NAME), 'utf8')).toContain('"i-00000001": "2,1"');
  });

  it('replaces the file and leaves no temporary file behind', async () => {
    await saveSlots(dir, slots);
    await saveSlots(dir, new Map([['i-00000002', { x: 0, y: 0 }]]));
    expect(await readdir(dir)).toEqual([SLOT_FILE_NAME]);
    expect((await loadSlots(dir)).slots).toEqual(new Map([['i-00000002', { x: 0, y: 0 }]]));
  });

  it('creates the state directory when it is missing', async () => {
    const nested = join(dir, 'var', 'lib', 'ec2led');
    await saveSlots(nested, slots);
    expect((await loadSlots(nested)).slots).toEqual(slots);
  });

  it('loads a corrupt file as empty with a reason naming the path', async () => {
    await writeFile(join(dir, SLOT_FILE_NAME), '{"version":1,"slo');
    const loaded = await loadSlots(dir);
    expect(loaded.slots.size).toBe(0);
    expect(loaded.reason).toMatch(new RegExp(`^${join(dir, SLOT_FILE_NAME)}: slot file is not JSON`));
  });

  it('loads an unreadable file as empty with a reason', async () => {
    await mkdir(join(dir, SLOT_FILE_NAME)); // a directory where the file should be
    const loaded = await loadSlots(dir);
    expect(loaded.slots.size).toBe(0);
    expect(loaded.reason).toBe(
      `${join(dir, SLOT_FILE_NAME)} is a directory, not a regular file, so it was not read; remove it (rm "${join(dir, SLOT_FILE_NAME)}") and the agent writes a new one; starting with no slots`,
    );
  });

  it('does not read /dev/zero through a symlink', async () => {
    linkToDevZero(join(dir, SLOT_FILE_NAME));
    const loaded = await within(2_000, 'loadSlots of /dev/zero', loadSlots(dir));
    expect(loaded.reason).toMatch(
      /slots\.json is a character device, not a regular file, so it was not read/,
    );
  });

  it('refuses a file over the limit by its size, before reading it', async () => {
    makeSparseFile(join(dir, SLOT_FILE_NAME), 80 * 1024 * 1024);
    const loaded = await within(2_000, 'loadSlots of 80 MB', loadSlots(dir));
    expect(loaded.reason).toMatch(
      new RegExp(
        `slots\\.json is 83886080 bytes, over the ${MAX_SLOT_FILE_BYTES} such a file can be, so it was not read; remove it`,
      ),
    );
  });

  it('fails to save with the path and the fix when the state directory is not a directory', async () => {
    const file = join(dir, 'plain-file');
    await writeFile(file, '');
    await expect(saveSlots(file, slots)).rejects.toThrow(
      new RegExp(`^cannot save the slots to ${file}/slots.json: .*; check that the state directory exists`),
    );
    expect(await readdir(dir)).toEqual(['plain-file']);
  });
});
