/**
 * The slot file on disk: `slots.json` in the agent's state directory. The only I/O of device/layout.
 *
 * Contract:
 * - `loadSlots` never throws: no file yet gives empty slots and no reason; an unreadable or corrupt
 *   file gives empty slots and a reason to log (the next save replaces it).
 * - `saveSlots` replaces the file atomically: it writes a temporary file beside it, flushes it to the
 *   disk (fsync: a Pi loses power without warning, and SD cards reorder writes) and renames it over
 *   the old one, so a reader sees the old file or the new one, never half of one. The directory is
 *   not synced: a power cut right after a save may bring back the previous file, whole. It creates the
 *   directory if needed and throws an Error naming the path and the fix, with the cause, on failure.
 */
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { parseSlots, type SlotParse, serializeSlots } from './slot-file.ts';
import type { SlotMap } from './slots.ts';

export const SLOT_FILE_NAME = 'slots.json';

let saves = 0;

export function slotFilePath(stateDir: string): string {
  return join(stateDir, SLOT_FILE_NAME);
}

export async function loadSlots(stateDir: string): Promise<SlotParse> {
  const path = slotFilePath(stateDir);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { slots: new Map(), reason: undefined };
    return {
      slots: new Map(),
      reason: `cannot read ${path} (${code ?? (error as Error).message}); starting with no slots`,
    };
  }
  const parsed = parseSlots(text);
  return parsed.reason === undefined ? parsed : { ...parsed, reason: `${path}: ${parsed.reason}` };
}

export async function saveSlots(stateDir: string, slots: SlotMap): Promise<void> {
  await writeStateFile(stateDir, SLOT_FILE_NAME, serializeSlots(slots), 'the slots');
}

/**
 * Replaces `stateDir/name` atomically (temporary file, fsync, rename; see the contract above). Also
 * used for the fleet file. Throws an Error naming the path and the fix, with the cause.
 */
export async function writeStateFile(
  stateDir: string,
  name: string,
  text: string,
  what: string,
): Promise<void> {
  const path = join(stateDir, name);
  const temporary = join(stateDir, `.${name}.${process.pid}.${++saves}.tmp`);
  try {
    await mkdir(stateDir, { recursive: true });
    const file = await open(temporary, 'w', 0o644);
    try {
      await file.writeFile(text, 'utf8');
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true }).catch(() => undefined);
    throw new Error(
      `cannot save ${what} to ${path}: ${(error as Error).message}; ` +
        'check that the state directory exists and the agent user may write to it',
      { cause: error },
    );
  }
}
