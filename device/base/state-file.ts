/**
 * The agent's state files (the slots, the fleet, the acknowledgements): read bounded, written whole.
 *
 * Contract:
 * - `readStateFile` (slots and fleet alike) reads regular files only, at most their limit, and never
 *   blocks: it opens with O_NONBLOCK (a FIFO there would otherwise hold a libuv thread in open(2)
 *   until a writer came, and with it the agent's start and its exit on SIGTERM), checks on the open
 *   handle that it is a regular file (not a FIFO, a device such as /dev/zero, a socket or a
 *   directory, symlinks followed) and that its size is within the limit, and then reads at most the
 *   limit.
 * - `writeStateFile` replaces a file atomically: it writes a temporary file beside it, flushes it to the
 *   disk (fsync: a Pi loses power without warning, and SD cards reorder writes) and renames it over
 *   the old one, so a reader sees the old file or the new one, never half of one. The directory is
 *   not synced: a power cut right after a save may bring back the previous file, whole. It creates the
 *   directory if needed and throws an Error naming the path and the fix, with the cause, on failure.
 */
import { constants, type FileHandle, mkdir, open, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';

let saves = 0;

export type StateFileRead =
  | { readonly kind: 'missing' }
  | { readonly kind: 'text'; readonly text: string }
  /** Not read, or not all of it: `reason` names the path, what it is and the fix. */
  | { readonly kind: 'refused'; readonly reason: string };

/** What a path that is not a regular file is, for a message that refuses it (the config file's too). */
export function whatItIs(stats: Awaited<ReturnType<FileHandle['stat']>>): string {
  if (stats.isFIFO()) return 'a FIFO (named pipe)';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isSocket()) return 'a socket';
  if (stats.isDirectory()) return 'a directory';
  return 'not a regular file';
}

/**
 * Reads a state file of at most `maxBytes` (see the contract: regular files only, never blocking,
 * never more than the limit). Never throws.
 */
export async function readStateFile(path: string, maxBytes: number): Promise<StateFileRead> {
  const fix = `remove it (rm ${JSON.stringify(path)}) and the agent writes a new one`;
  let handle: FileHandle;
  try {
    handle = await open(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { kind: 'missing' };
    return { kind: 'refused', reason: `cannot read ${path} (${code ?? (error as Error).message})` };
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) {
      return {
        kind: 'refused',
        reason: `${path} is ${whatItIs(stats)}, not a regular file, so it was not read; ${fix}`,
      };
    }
    if (stats.size > maxBytes) {
      return {
        kind: 'refused',
        reason: `${path} is ${stats.size} bytes, over the ${maxBytes} such a file can be, so it was not read; ${fix}`,
      };
    }
    // One byte more than the size tells a file that grew since the stat (not ours: saves rename a
    // whole file into place), or a /proc-like file that reports size 0 and has more.
    const buffer = Buffer.alloc(stats.size + 1);
    let length = 0;
    while (length < buffer.length) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    if (length > stats.size) {
      return {
        kind: 'refused',
        reason: `${path} grew while it was read, so it is not one the agent wrote; ${fix}`,
      };
    }
    return { kind: 'text', text: buffer.toString('utf8', 0, length) };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { kind: 'refused', reason: `cannot read ${path} (${code ?? (error as Error).message})` };
  } finally {
    await handle.close().catch(() => undefined);
  }
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
