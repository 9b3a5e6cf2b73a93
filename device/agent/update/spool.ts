/**
 * The spool: how the unprivileged agent hands a verified package to the root installer and how the
 * installer's outcome comes back. One folder, `${stateDir}/update` (the agent's, /var/lib/ec2led/update
 * on a Pi), holding at most one update:
 * - `package.deb`: the downloaded, verified package;
 * - `request.json`: `{ jobId, document }`, written last (a rename), which starts the installer
 *   (ec2led-update.path watches it). The installer removes both once it wrote the result.
 * - `result.json`: the installer's outcome `{ jobId, status, reason, version, fromVersion }`; the agent
 *   reports it to the Jobs service, records it in `last.json` and removes it.
 * - `last.json`: the last outcome reported, for `ec2led status` and the web board.
 * Every read is bounded (16 KB, a job document is at most 32 KB: 64 KB for a request) and a file that
 * does not parse reads as absent.
 */
import { constants } from 'node:fs';
import { mkdir, open, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { UpdateDocument } from '../../../shared/update-job.ts';

export const SPOOL_FOLDER = 'update';
export const REQUEST_FILE = 'request.json';
export const PACKAGE_FILE = 'package.deb';
export const RESULT_FILE = 'result.json';
export const LAST_FILE = 'last.json';

export interface UpdateRequest {
  readonly jobId: string;
  readonly document: UpdateDocument;
}

export type UpdateOutcome = 'SUCCEEDED' | 'FAILED' | 'REJECTED';

export interface UpdateResult {
  readonly jobId: string;
  readonly status: UpdateOutcome;
  /** Why it failed or was refused; for a success, what was done. */
  readonly reason: string;
  /** The version the job carried. */
  readonly version: string;
  /** The version that ran before; undefined when the agent refused before any install. */
  readonly fromVersion?: string;
  /** When the outcome was known (Date.now). */
  readonly atMs: number;
}

export function spoolDir(stateDir: string): string {
  return join(stateDir, SPOOL_FOLDER);
}

const JOB_ID_PATTERN = /^[a-zA-Z0-9_-]{1,64}$/;

/** IoT job ids: letters, digits, `-` and `_`, at most 64 (CreateJob). Anything else is not ours to put in a topic. */
export function isJobId(value: unknown): value is string {
  return typeof value === 'string' && JOB_ID_PATTERN.test(value);
}

/**
 * A JSON object from a file, or undefined when it is absent, too big, not a regular file (a FIFO
 * would block a reader for ever; a symlink is not followed) or not an object.
 */
export async function readJsonFile(
  path: string,
  maxBytes: number,
): Promise<Record<string, unknown> | undefined> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW);
  } catch {
    return undefined;
  }
  try {
    if (!(await handle.stat()).isFile()) return undefined;
    const buffer = Buffer.alloc(maxBytes + 1);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    if (bytesRead > maxBytes) return undefined;
    const value: unknown = JSON.parse(buffer.subarray(0, bytesRead).toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  } finally {
    await handle.close();
  }
}

/** Writes through a temporary file and a rename, so a reader (or a power cut) never sees half of it. */
export async function writeJsonAtomic(path: string, value: unknown, mode = 0o640): Promise<void> {
  const temporary = `${path}.tmp`;
  await writeFile(temporary, `${JSON.stringify(value)}\n`, { mode });
  const handle = await open(temporary, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temporary, path);
}

export function decodeResult(value: Record<string, unknown> | undefined): UpdateResult | undefined {
  if (value === undefined) return undefined;
  const { jobId, status, reason, version, fromVersion, atMs } = value;
  if (!isJobId(jobId)) return undefined;
  if (status !== 'SUCCEEDED' && status !== 'FAILED' && status !== 'REJECTED') return undefined;
  if (typeof reason !== 'string' || typeof version !== 'string' || typeof atMs !== 'number') return undefined;
  return {
    jobId,
    status,
    reason: reason.slice(0, 1000),
    version: version.slice(0, 64),
    ...(typeof fromVersion === 'string' ? { fromVersion: fromVersion.slice(0, 64) } : {}),
    atMs,
  };
}

export async function readResult(dir: string, name = RESULT_FILE): Promise<UpdateResult | undefined> {
  return decodeResult(await readJsonFile(join(dir, name), 16 * 1024));
}

/** The job id of the request waiting for (or being handled by) the installer. */
export async function readRequestJobId(dir: string): Promise<string | undefined> {
  const value = await readJsonFile(join(dir, REQUEST_FILE), 64 * 1024);
  return isJobId(value?.jobId) ? value.jobId : undefined;
}

export async function ensureSpool(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o750 });
}

export async function clearSpool(dir: string, names: readonly string[]): Promise<void> {
  await Promise.all(names.map((name) => rm(join(dir, name), { force: true })));
}
