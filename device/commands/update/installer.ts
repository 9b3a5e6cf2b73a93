/**
 * The root installer of an update (ec2led-update.service, started by ec2led-update.path when the
 * agent leaves a request in the spool, spool.ts). The agent stays unprivileged; this is the one part
 * that runs as root, and it trusts nothing the agent wrote: it copies the package into its own
 * folder and checks it again (verify.ts) against the root-owned keys.
 *
 * A journal of steps (`journal.json` in its own folder, written before each step, by rename), so a
 * power cut at any point leaves a working agent once the installer runs again (the path unit starts
 * it again at boot while the request is there):
 *   copied     -> the package is in `new.deb` and verified; nothing installed yet
 *   kept       -> the running package is kept: `kept.deb` (the package of the last update, when its
 *                 version is the installed one) or a copy of the installed tree (`kept-tree/`)
 *   installing -> `dpkg -i new.deb` started (again from the start after a cut: dpkg redoes it)
 *   waiting    -> installed; the agent restarted; waiting until it is READY (systemd, the watchdog's
 *                 sd_notify), connected and synced (the status socket), within `readyTimeoutMs`
 *   rolling-back (reason) -> reinstalling the kept package, then waiting for that agent
 *   reported   -> the result is in the spool for the agent to report; cleaning up
 * Each step is safe to run again, so resuming means running the journal's step again.
 * Outcomes: SUCCEEDED only after the new agent is ready, connected and synced; otherwise FAILED with
 * the reason, the kept package back in place.
 */
import { join } from 'node:path';
import { compareVersions, type UpdateDocument } from '../../../shared/update-job.ts';
import {
  decodeResult,
  isJobId,
  PACKAGE_FILE,
  REQUEST_FILE,
  RESULT_FILE,
  type UpdateOutcome,
  type UpdateResult,
} from '../../agent/update/spool.ts';
import {
  checkDocument,
  checkPackage,
  type RunningPackage,
  type TrustedKeys,
} from '../../agent/update/verify.ts';

/** How long a freshly installed agent has to be READY, connected and synced (it lists EC2 first). */
export const READY_TIMEOUT_MS = 180_000;
/** How often the agent's health is looked at while waiting. */
export const READY_POLL_MS = 2_000;

export type Step = 'copied' | 'kept' | 'installing' | 'waiting' | 'rolling-back' | 'reported';

export interface Journal {
  readonly jobId: string;
  readonly version: string;
  readonly fromVersion: string;
  readonly keep: 'deb' | 'tree';
  readonly step: Step;
  /** Why it is rolling back; the result's reason. */
  readonly reason?: string;
}

/** All the installer does to the world; the real one is installer-system.ts, tests use a fake. */
export interface InstallerSystem {
  readJson(path: string, maxBytes: number): Promise<Record<string, unknown> | undefined>;
  /** Atomic (temporary file, fsync, rename). */
  writeJson(path: string, value: unknown): Promise<void>;
  /** Writes the spool's result, owned by the spool's owner (the agent removes it). */
  writeResult(path: string, value: UpdateResult): Promise<void>;
  exists(path: string): Promise<boolean>;
  copyFile(from: string, to: string): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  remove(path: string): Promise<void>;
  hashFile(path: string): Promise<{ size: number; sha256: string }>;
  /** The installed ec2-led package's version (dpkg-query); undefined when none is. */
  installedVersion(): Promise<string | undefined>;
  /** `dpkg -i FILE`; rejects with dpkg's output. */
  installPackage(file: string): Promise<void>;
  /** Copies the installed tree to `to` (through a temporary name and a rename). */
  saveTree(to: string): Promise<void>;
  /** Puts a saved tree back in place of the installed one. */
  restoreTree(from: string): Promise<void>;
  restartAgent(): Promise<void>;
  /** Why the agent is not ready, connected and synced; undefined when it is. */
  agentProblem(): Promise<string | undefined>;
  sleep(ms: number): Promise<void>;
  now(): number;
  log(message: string, context?: Record<string, unknown>): void;
}

export interface InstallerOptions {
  /** The agent's spool (`/var/lib/ec2led/update`). */
  readonly spool: string;
  /** The installer's own folder (`/var/lib/ec2led-update`, root's). */
  readonly work: string;
  readonly arch: RunningPackage['arch'];
  readonly keys: TrustedKeys;
  readonly system: InstallerSystem;
  /** Default READY_TIMEOUT_MS. */
  readonly readyTimeoutMs?: number;
  /** Default READY_POLL_MS. */
  readonly pollMs?: number;
}

const STEPS: readonly Step[] = ['copied', 'kept', 'installing', 'waiting', 'rolling-back', 'reported'];

export function decodeJournal(value: Record<string, unknown> | undefined): Journal | undefined {
  if (value === undefined) return undefined;
  const { jobId, version, fromVersion, keep, step, reason } = value;
  if (!isJobId(jobId) || typeof version !== 'string' || typeof fromVersion !== 'string') return undefined;
  if (keep !== 'deb' && keep !== 'tree') return undefined;
  if (!STEPS.includes(step as Step)) return undefined;
  return {
    jobId,
    version,
    fromVersion,
    keep,
    step: step as Step,
    ...(typeof reason === 'string' ? { reason } : {}),
  };
}

/** Runs (or resumes) the update in the spool to its end. Resolves to the outcome, or undefined when there was nothing to do. */
export async function runInstaller(options: InstallerOptions): Promise<UpdateOutcome | undefined> {
  const { system, spool, work } = options;
  const readyTimeoutMs = options.readyTimeoutMs ?? READY_TIMEOUT_MS;
  const pollMs = options.pollMs ?? READY_POLL_MS;
  const paths = {
    journal: join(work, 'journal.json'),
    newDeb: join(work, 'new.deb'),
    keptDeb: join(work, 'kept.deb'),
    keptInfo: join(work, 'kept.json'),
    keptTree: join(work, 'kept-tree'),
    request: join(spool, REQUEST_FILE),
    spoolPackage: join(spool, PACKAGE_FILE),
    result: join(spool, RESULT_FILE),
  };

  const save = async (journal: Journal): Promise<Journal> => {
    await system.writeJson(paths.journal, journal);
    system.log('update step', { jobId: journal.jobId, step: journal.step, version: journal.version });
    return journal;
  };

  /** Done: the spool holds the result for the agent; nothing of this update is left but kept.deb. */
  const finish = async (journal: Journal, status: UpdateOutcome, reason: string): Promise<UpdateOutcome> => {
    if (journal.step !== 'reported') {
      await system.writeResult(paths.result, {
        jobId: journal.jobId,
        status,
        reason,
        version: journal.version,
        fromVersion: journal.fromVersion,
        atMs: system.now(),
      });
      journal = await save({ ...journal, step: 'reported', reason });
    }
    await system.remove(paths.request);
    await system.remove(paths.spoolPackage);
    await system.remove(paths.newDeb);
    await system.remove(paths.keptTree);
    await system.remove(paths.journal);
    return status;
  };

  /** Refused before anything changed: the result alone. */
  const refuse = async (jobId: string, version: string, fromVersion: string, reason: string) => {
    system.log('update refused', { jobId, reason });
    await system.writeResult(paths.result, {
      jobId,
      status: 'FAILED',
      reason,
      version,
      fromVersion,
      atMs: system.now(),
    });
    await system.remove(paths.request);
    await system.remove(paths.spoolPackage);
    await system.remove(paths.newDeb);
    return 'FAILED' as const;
  };

  const waitReady = async (): Promise<string | undefined> => {
    const deadline = system.now() + readyTimeoutMs;
    let problem: string | undefined = 'not looked at yet';
    while (system.now() <= deadline) {
      problem = await system.agentProblem();
      if (problem === undefined) return undefined;
      await system.sleep(pollMs);
    }
    return `the agent was not ready, connected and synced within ${Math.round(readyTimeoutMs / 1000)} s (${problem})`;
  };

  let journal = decodeJournal(await system.readJson(paths.journal, 16 * 1024));
  if (journal === undefined) {
    // A fresh request: copy, check, journal.
    const request = await system.readJson(paths.request, 64 * 1024);
    if (request === undefined) {
      // A result already written for a request that is gone: nothing more to do.
      return undefined;
    }
    const jobId = isJobId(request.jobId) ? request.jobId : undefined;
    const fromVersion = (await system.installedVersion()) ?? '0.0.0';
    const raw = request.document as Record<string, unknown> | undefined;
    const claimed = typeof raw?.version === 'string' ? raw.version.slice(0, 64) : '?';
    if (jobId === undefined) {
      system.log('request without a job id removed', {});
      await system.remove(paths.request);
      await system.remove(paths.spoolPackage);
      return undefined;
    }
    const checked = checkDocument(
      request.document,
      { version: fromVersion, arch: options.arch },
      options.keys,
    );
    if (!checked.ok) return refuse(jobId, claimed, fromVersion, `installer: ${checked.reason}`);
    const doc: UpdateDocument = checked.value;
    await system.remove(paths.newDeb);
    if (!(await system.exists(paths.spoolPackage)))
      return refuse(jobId, doc.version, fromVersion, 'installer: the package is missing from the spool');
    let got: { size: number; sha256: string };
    try {
      await system.copyFile(paths.spoolPackage, paths.newDeb);
      got = await system.hashFile(paths.newDeb);
    } catch (error) {
      return refuse(
        jobId,
        doc.version,
        fromVersion,
        `installer: cannot copy the package: ${(error as Error).message}`,
      );
    }
    const wrong = checkPackage(doc, got.size, got.sha256);
    if (wrong !== undefined) return refuse(jobId, doc.version, fromVersion, `installer: ${wrong.reason}`);
    const kept = await system.readJson(paths.keptInfo, 1024);
    const keep =
      kept?.version === fromVersion && (await system.exists(paths.keptDeb))
        ? ('deb' as const)
        : ('tree' as const);
    journal = await save({ jobId, version: doc.version, fromVersion, keep, step: 'copied' });
  }

  for (;;) {
    switch (journal.step) {
      case 'copied': {
        if (journal.keep === 'tree') {
          await system.remove(paths.keptTree);
          await system.saveTree(paths.keptTree);
        }
        journal = await save({ ...journal, step: 'kept' });
        break;
      }
      case 'kept':
      case 'installing': {
        journal = await save({ ...journal, step: 'installing' });
        try {
          await system.installPackage(paths.newDeb);
        } catch (error) {
          journal = await save({
            ...journal,
            step: 'rolling-back',
            reason: `dpkg -i failed: ${(error as Error).message.slice(0, 600)}`,
          });
          break;
        }
        journal = await save({ ...journal, step: 'waiting' });
        break;
      }
      case 'waiting': {
        await system.restartAgent();
        const installed = await system.installedVersion();
        const problem =
          installed === undefined || compareVersions(installed, journal.version) !== 0
            ? `dpkg reports version ${installed ?? 'none'} installed, not ${journal.version}`
            : await waitReady();
        if (problem === undefined)
          return finish(
            await promote(journal),
            'SUCCEEDED',
            `installed ${journal.version}; the agent is ready, connected and synced`,
          );
        journal = await save({ ...journal, step: 'rolling-back', reason: problem });
        break;
      }
      case 'rolling-back': {
        const reason = journal.reason ?? 'rolled back';
        if (journal.keep === 'deb') await system.installPackage(paths.keptDeb);
        else await system.restoreTree(paths.keptTree);
        await system.restartAgent();
        const after = await waitReady();
        return finish(
          journal,
          'FAILED',
          `${reason}; reinstalled ${journal.fromVersion}${after === undefined ? '' : `, but ${after}`}`,
        );
      }
      case 'reported':
        return finish(
          journal,
          decodeResult(await system.readJson(paths.result, 16 * 1024))?.status ?? 'FAILED',
          '',
        );
    }
  }

  /** The new package becomes the kept one for the next update. */
  async function promote(done: Journal): Promise<Journal> {
    await system.copyFile(paths.newDeb, `${paths.keptDeb}.new`);
    await system.rename(`${paths.keptDeb}.new`, paths.keptDeb);
    await system.writeJson(paths.keptInfo, { version: done.version });
    return done;
  }
}
