/**
 * The agent's side of AWS IoT Jobs (MQTT API, IoT developer guide "Jobs device MQTT API
 * operations"): it takes its next job, checks it (verify.ts), downloads and checks the package, and
 * hands it to the root installer through the spool (spool.ts); then reports the installer's outcome.
 * Carried on the agent's one MQTT connection as side topics, like the settings shadow.
 *
 * Contract:
 * - Level-based: `start-next` answers with the thing's next pending execution (IN_PROGRESS first,
 *   then QUEUED) or none, and that answer is the truth. notify-next, a reconnection and a terminal
 *   update's acceptance are only hints to ask again. So an agent restarted mid-update (by the
 *   installer, or by power loss) picks its job up where the spool says it is: a result to report, a
 *   request the installer still holds, or nothing (download again).
 * - One job at a time. A refusal of the document (decode, architecture, older version, unknown key,
 *   bad signature) is REJECTED; a failed download or a package whose size or SHA-256 is not the signed
 *   one is FAILED; both with `statusDetails.reason` naming the value and the fix. The installer's
 *   outcome (SUCCEEDED / FAILED) is reported by whichever agent runs after it.
 * - A `start-next` unanswered within `answerTimeoutMs` is asked again (the answers are QoS 0 on IoT
 *   Core); an update to report is sent again on every connection until the service answers it.
 * - Nothing received throws; payloads over 128 KB or not JSON objects are dropped and counted.
 * - The pre-signed URL is a credential: it is never logged (download.ts `redactUrl`).
 */
import { randomUUID } from 'node:crypto';
import { rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { jobsTopic } from '../../../shared/topics.ts';
import type { UpdateDocument } from '../../../shared/update-job.ts';
import type { Clock } from '../../base/clock.ts';
import type { Logger } from '../../base/log.ts';
import { createDropReport } from '../../sources/drop-report.ts';
import type { SideTopics } from '../../sources/mqtt.ts';
import { type DownloadOptions, download as httpsDownload, redactUrl } from './download.ts';
import {
  clearSpool,
  ensureSpool,
  isJobId,
  LAST_FILE,
  PACKAGE_FILE,
  REQUEST_FILE,
  RESULT_FILE,
  readRequestJobId,
  readResult,
  type UpdateResult,
  writeJsonAtomic,
} from './spool.ts';
import { checkDocument, checkPackage, type RunningPackage, type TrustedKeys } from './verify.ts';

const MAX_PAYLOAD_BYTES = 128 * 1024;
/** How long a start-next may go unanswered before it is asked again. */
export const ANSWER_TIMEOUT_MS = 30_000;
/** How often the spool is looked at while the installer holds a request. */
export const RESULT_POLL_MS = 5_000;
/** statusDetails values are at most 1024 characters (UpdateJobExecution). */
const DETAIL_MAX = 1_000;

/** What the board, `ec2led status` and Home Assistant show of updates. */
export interface UpdateStatus {
  /** The version running now. */
  readonly version: string;
  /** What is happening: nothing, a download, or the installer at work. */
  readonly phase: 'idle' | 'downloading' | 'installing';
  /** The version being downloaded or installed. */
  readonly target?: string;
  /** The last outcome reported to the Jobs service (spool.ts `last.json`). */
  readonly last?: UpdateResult;
}

export interface UpdateJobsOptions {
  readonly thingName: string;
  readonly running: RunningPackage;
  /** `${stateDir}/update`. */
  readonly spool: string;
  /** The trusted public keys, read again for each job (a rotation needs no restart). */
  readonly keys: () => Promise<TrustedKeys>;
  readonly publish: (topic: string, payload: string) => Promise<void>;
  readonly log: Logger;
  /** The download's limits and trust anchors (tests: a loopback server's CA, short timeouts). */
  readonly download?: Pick<DownloadOptions, 'ca' | 'totalMs' | 'idleMs'>;
  /** Default download.ts `download`. */
  readonly fetchPackage?: typeof httpsDownload;
  /** Default ANSWER_TIMEOUT_MS. */
  readonly answerTimeoutMs?: number;
  /** Default RESULT_POLL_MS. */
  readonly pollMs?: number;
  readonly clock?: Pick<Clock, 'setTimeout' | 'clearTimeout' | 'now'>;
  /** Called on every change of `status()`. */
  readonly onStatus?: (status: UpdateStatus) => void;
  /**
   * Whether the root installer is installed (the .deb's ec2led-update.path); without it (a tarball
   * install) a job is refused at once rather than left waiting for an installer that never comes.
   */
  readonly installerPresent: () => boolean;
}

export interface UpdateJobs extends SideTopics {
  status(): UpdateStatus;
  /** Stops the timers and any download. Idempotent. */
  close(): void;
}

type Obj = Record<string, unknown>;

function isObject(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parse(payload: ArrayBuffer): Obj | undefined {
  if (payload.byteLength > MAX_PAYLOAD_BYTES) return undefined;
  try {
    const value: unknown = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payload));
    return isObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

const systemTimers: Pick<Clock, 'setTimeout' | 'clearTimeout' | 'now'> = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => {
    const timer = setTimeout(callback, ms);
    timer.unref();
    return timer;
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export function createUpdateJobs(options: UpdateJobsOptions): UpdateJobs {
  const log = options.log.child({ source: 'jobs' });
  const timers = options.clock ?? systemTimers;
  const answerTimeoutMs = options.answerTimeoutMs ?? ANSWER_TIMEOUT_MS;
  const pollMs = options.pollMs ?? RESULT_POLL_MS;
  const fetchPackage = options.fetchPackage ?? httpsDownload;
  const topic = (op: Parameters<typeof jobsTopic>[1]) => jobsTopic(options.thingName, op);
  const filters = [
    topic({ op: 'notify-next' }),
    topic({ op: 'start-next/accepted' }),
    topic({ op: 'start-next/rejected' }),
    topic({ op: 'update/accepted', jobId: '+' }),
    topic({ op: 'update/rejected', jobId: '+' }),
  ];
  const junk = createDropReport({
    log,
    message: 'dropped jobs messages',
    context: { fix: 'only the AWS IoT Jobs service should publish on these topics' },
  });
  const nonce = randomUUID().slice(0, 8);
  let sequence = 0;
  const token = (): string => `ec2led-${nonce}-${++sequence}`;

  let closed = false;
  let ready = false;
  /** asking: a start-next in flight; working: a job is ours (download, hand-off, report). */
  let phase: 'idle' | 'asking' | 'working' = 'idle';
  let again = false;
  let askToken: string | undefined;
  let timer: unknown;
  let abort = new AbortController();
  /** The terminal report in flight, sent again on each connection until answered. */
  let report: UpdateResult | undefined;
  let status: UpdateStatus = { version: options.running.version, phase: 'idle' };

  const setStatus = (next: Partial<UpdateStatus>): void => {
    const merged: Record<string, unknown> = { ...status, ...next };
    if (merged.phase === 'idle') delete merged.target;
    status = merged as unknown as UpdateStatus;
    options.onStatus?.(status);
  };
  void readResult(options.spool, LAST_FILE).then((last) => {
    if (last !== undefined && status.last === undefined) setStatus({ last });
  });

  const stopTimer = (): void => {
    if (timer !== undefined) timers.clearTimeout(timer);
    timer = undefined;
  };
  const arm = (ms: number, then: () => void): void => {
    stopTimer();
    timer = timers.setTimeout(() => {
      timer = undefined;
      then();
    }, ms);
  };

  const send = (target: string, body: Obj): void => {
    options.publish(target, JSON.stringify(body)).catch((error: unknown) => {
      log.debug('jobs publish failed; sent again on the next connection', {
        topic: target,
        error: (error as Error).message,
      });
    });
  };

  /** Asks for the next pending execution (a hint from anywhere ends up here). */
  const ask = (): void => {
    if (closed || !ready) return;
    if (phase !== 'idle') {
      again = phase === 'asking' ? true : again;
      return;
    }
    phase = 'asking';
    again = false;
    askToken = token();
    send(topic({ op: 'start-next' }), { clientToken: askToken });
    arm(answerTimeoutMs, () => {
      if (phase !== 'asking') return;
      phase = 'idle';
      ask();
    });
  };

  const sendReport = (result: UpdateResult): void => {
    report = result;
    const statusDetails: Record<string, string> = {
      reason: result.reason.slice(0, DETAIL_MAX) || '-',
      version: result.version,
    };
    if (result.fromVersion !== undefined) statusDetails.fromVersion = result.fromVersion;
    send(topic({ op: 'update', jobId: result.jobId }), {
      status: result.status,
      statusDetails,
      clientToken: token(),
    });
  };

  /** The service answered our terminal report (accepted, or rejected: it is terminal already). */
  const reported = async (jobId: string, accepted: boolean, detail: string): Promise<void> => {
    const done = report;
    if (done === undefined || done.jobId !== jobId) return;
    report = undefined;
    if (accepted) log.info('update outcome reported', { jobId, status: done.status, version: done.version });
    else log.warn('update outcome not taken by the Jobs service', { jobId, status: done.status, detail });
    await writeJsonAtomic(join(options.spool, LAST_FILE), done).catch((error: unknown) =>
      log.warn('cannot record the last update', { error: (error as Error).message }),
    );
    await clearSpool(options.spool, [RESULT_FILE]);
    setStatus({ phase: 'idle', last: done });
    phase = 'idle';
    ask();
  };

  const refuse = (jobId: string, status: 'REJECTED' | 'FAILED', reason: string, version: string): void => {
    log.warn('update refused', { jobId, status, reason });
    sendReport({ jobId, status, reason, version, fromVersion: options.running.version, atMs: timers.now() });
  };

  /** Looks at the spool until the installer leaves its result. */
  const watchInstaller = (jobId: string): void => {
    arm(pollMs, () => {
      void (async () => {
        const result = await readResult(options.spool);
        if (closed) return;
        if (result !== undefined) {
          sendReport(result);
          return;
        }
        if ((await readRequestJobId(options.spool)) === jobId) watchInstaller(jobId);
        else {
          // The request is gone without a result (removed by hand): ask the service again.
          setStatus({ phase: 'idle' });
          phase = 'idle';
          ask();
        }
      })().catch((error: unknown) => log.warn('spool unreadable', { error: (error as Error).message }));
    });
  };

  const work = async (jobId: string, jobDocument: unknown): Promise<void> => {
    const pending = await readResult(options.spool);
    if (pending !== undefined) {
      // The installer's outcome, for this job or an older one: it goes first.
      sendReport(pending);
      return;
    }
    if ((await readRequestJobId(options.spool)) === jobId) {
      setStatus({ phase: 'installing', target: String((jobDocument as Obj | undefined)?.version ?? '') });
      watchInstaller(jobId);
      return;
    }
    if (!options.installerPresent()) {
      const version = (jobDocument as Obj | undefined)?.version;
      refuse(
        jobId,
        'REJECTED',
        'this device has no root installer (ec2led-update.path): it runs from the tarball; install the .deb (docs/pi.md) to update by job',
        typeof version === 'string' ? version.slice(0, 64) : '?',
      );
      return;
    }
    const checked = checkDocument(jobDocument, options.running, await options.keys());
    if (!checked.ok) {
      const version = (jobDocument as Obj | undefined)?.version;
      refuse(jobId, 'REJECTED', checked.reason, typeof version === 'string' ? version.slice(0, 64) : '?');
      return;
    }
    const doc: UpdateDocument = checked.value;
    log.info('update job taken', { jobId, version: doc.version, size: doc.size, from: redactUrl(doc.url) });
    setStatus({ phase: 'downloading', target: doc.version });
    await ensureSpool(options.spool);
    await clearSpool(options.spool, [REQUEST_FILE, PACKAGE_FILE]);
    const file = join(options.spool, PACKAGE_FILE);
    abort = new AbortController();
    let got: { size: number; sha256: string };
    try {
      got = await fetchPackage({
        ...options.download,
        url: doc.url,
        file,
        maxBytes: doc.size,
        signal: abort.signal,
      });
    } catch (error) {
      if (closed) return;
      setStatus({ phase: 'idle' });
      refuse(jobId, 'FAILED', (error as Error).message, doc.version);
      return;
    }
    const wrong = checkPackage(doc, got.size, got.sha256);
    if (wrong !== undefined) {
      await rm(file, { force: true });
      setStatus({ phase: 'idle' });
      refuse(jobId, 'FAILED', wrong.reason, doc.version);
      return;
    }
    // The request last, by rename: it is what starts the installer (ec2led-update.path).
    await writeJsonAtomic(join(options.spool, `${REQUEST_FILE}.new`), { jobId, document: doc });
    await rename(join(options.spool, `${REQUEST_FILE}.new`), join(options.spool, REQUEST_FILE));
    log.info('update handed to the installer', { jobId, version: doc.version });
    setStatus({ phase: 'installing', target: doc.version });
    send(topic({ op: 'update', jobId }), {
      status: 'IN_PROGRESS',
      statusDetails: { step: 'installing', version: doc.version },
      clientToken: token(),
    });
    watchInstaller(jobId);
  };

  const onStartNext = (body: Obj): void => {
    if (body.clientToken !== askToken) {
      junk.drop('start-next answer to another request');
      return;
    }
    stopTimer();
    const execution = body.execution;
    if (!isObject(execution)) {
      phase = 'idle';
      if (again) ask();
      return;
    }
    const jobId = execution.jobId;
    if (!isJobId(jobId)) {
      junk.drop('execution without a job id');
      phase = 'idle';
      return;
    }
    phase = 'working';
    void work(jobId, execution.jobDocument).catch((error: unknown) => {
      log.error('update job failed', { jobId, error: (error as Error).message });
      setStatus({ phase: 'idle' });
      refuse(jobId, 'FAILED', `the device could not handle the job: ${(error as Error).message}`, '?');
    });
  };

  return {
    filters,
    onReady() {
      ready = true;
      if (report !== undefined) sendReport(report);
      else if (phase === 'asking') {
        phase = 'idle';
        ask();
      } else ask();
    },
    onMessage(received, payload) {
      if (closed) return;
      const body = parse(payload);
      if (body === undefined) {
        junk.drop('not a JSON object of at most 128 KB');
        return;
      }
      if (received === topic({ op: 'notify-next' })) {
        if (isObject(body.execution)) ask();
        return;
      }
      if (received === topic({ op: 'start-next/accepted' })) {
        onStartNext(body);
        return;
      }
      if (received === topic({ op: 'start-next/rejected' })) {
        if (body.clientToken !== askToken) return;
        log.warn('start-next refused', { code: body.code, message: body.message });
        stopTimer();
        phase = 'idle';
        return;
      }
      const match = /\/jobs\/([^/]+)\/update\/(accepted|rejected)$/.exec(received);
      if (match === null) return;
      const [, jobId = '', answer] = match;
      void reported(jobId, answer === 'accepted', String(body.message ?? body.code ?? '')).catch(
        (error: unknown) => log.warn('cannot clear the reported result', { error: (error as Error).message }),
      );
    },
    status: () => status,
    close() {
      if (closed) return;
      closed = true;
      stopTimer();
      abort.abort();
      junk.close();
    },
  };
}
