/**
 * The EC2 source the agent uses: every listing and every describe runs in a short-lived process of
 * its own (listing-child.ts), which loads the AWS SDK's EC2 client, makes the one call and exits. The
 * EC2 client's code and the garbage of parsing 1,000 instances of XML never stay in the agent: only
 * the answer, plain data, comes back. Measured with `npm run bench -- footprint` on the packed agent
 * with 1,000 instances: 68-70 MB resident between listings instead of 103 MB (docs/benchmarks.md,
 * section (h)); while a listing runs, its process adds about 100 MB for a few seconds.
 *
 * A process, not a worker thread: a worker's isolate is freed when it ends, but 7-12 MB of the memory
 * its thread took from malloc stays with the agent (measured), a process's goes back to the system.
 * The price is a node start per call (about half a second, packed, on this machine), once per
 * listing (start, every resync, every reconnect) and per describe batch.
 *
 * Behaviour kept from the in-process source (accounts-ec2.ts, ec2.ts, which the child runs): the
 * timeouts, retries, per-account failures and error fixes; errors come back with what ec2-errors.ts
 * classifies by, as an Ec2Error with the same message and `throttled`. Added here:
 * - The home credentials of the IoT credentials provider stay in the agent, which answers the
 *   child's questions for them: one cached provider across listings. Assumed role sessions come back
 *   from each child and are handed to the next while valid.
 * - Aborting a call (cancel-list, stop) kills its process. A process that crashes, is killed, or runs
 *   over `maxLifetimeMs` fails its call (sync.ts then backs off and relists); it never fails the agent.
 * - A listing that replaces one of COLLECT_AFTER_REPLACING things or more is followed, a moment after
 *   the agent applied it, by two full garbage collections (collectAndRelease): the fleet it replaced
 *   (every thing is a new object from the listing process) stays in the agent's heap as garbage
 *   until V8's next major collection, which an idle agent does not run for many minutes, and the
 *   resident memory follows V8's heap. Measured with bench (i) before this: 108 MB after going from
 *   30,000 instances back to 1,000, against 76 MB steady; with 30,000 held, 137 MB after the second
 *   listing against 112 MB after the first. With one collection: 94 and 127 MB; with these two and
 *   the unit's MALLOC_MMAP_THRESHOLD_ (device/commands/service/unit.ts: the rest was glibc's), 75.7 MB back
 *   at 1,000 (74.7 steady) and 98-101 MB after the second 30,000 (98-107 after the first).
 */
import { type ChildProcess, fork } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { silentLogger } from '../base/log.ts';
import type { ItemDetails, Snapshot } from '../fleet/item.ts';
import type { AccountsEc2Options } from './accounts-ec2.ts';
import type { AwsCredentials } from './credentials.ts';
import type { Ec2Source } from './ec2.ts';
import { Ec2Error } from './ec2-errors.ts';
import {
  type ChildMessage,
  fromWireError,
  type ListingCall,
  type ListingRequest,
  type ParentMessage,
  toWireCredentials,
  toWireError,
  type WireCredentials,
} from './listing-protocol.ts';

/**
 * The longest a listing process may run before it is killed and its call fails. A listing of 10,000
 * instances takes seconds; each request gives up after 30 s (DEFAULT_AWS_TIMEOUTS) and is retried
 * twice. Longer only delays the relist of a process that hangs.
 */
export const LISTING_LIFETIME_MS = 5 * 60_000;

/**
 * What the in-process source takes (accounts-ec2.ts), less the session hand-over, which this source
 * does itself between its processes. The home credentials (the IoT credentials provider) stay here;
 * undefined: the SDK chain, in the child.
 */
export interface ProcessEc2Options extends Omit<AccountsEc2Options, 'sessions' | 'onSession'> {
  /** Default LISTING_LIFETIME_MS. */
  readonly maxLifetimeMs?: number;
  /** Default COLLECT_AFTER_REPLACING. */
  readonly collectAfterReplacing?: number;
  /** Default two full collections of V8's heap (`collectAndRelease`); tests count the calls. */
  readonly collect?: () => void;
  /** Called with each listing process once started (tests kill it). */
  readonly onSpawn?: (child: ChildProcess) => void;
}

/** True when this code runs from the TypeScript sources (tsx, vitest), false in the packed agent. */
export function runsFromSources(here: string = import.meta.url): boolean {
  return here.endsWith('.ts');
}

/**
 * The child's module and node flags. From the sources (a clone, the tests) listing-child.ts beside
 * this file, through tsx; in the packed agent dist/ec2-listing.mjs, one folder above dist/chunks/
 * where this code is bundled (scripts/device-bundle.ts).
 */
export function listingEntry(here: string = import.meta.url): { file: string; execArgv: string[] } {
  if (runsFromSources(here)) {
    const tsx = createRequire(import.meta.url).resolve('tsx');
    return {
      file: fileURLToPath(new URL('./listing-child.ts', here)),
      execArgv: [...childFlags(), '--import', pathToFileURL(tsx).href],
    };
  }
  return { file: fileURLToPath(new URL('../ec2-listing.mjs', here)), execArgv: childFlags() };
}

/**
 * Small young-generation semi-spaces: parsing a page of 1,000 instances then peaks at about 98 MB
 * resident instead of 124 MB (Node 20; Node 24: 119 instead of 153). V8's lite mode (no optimizing
 * compiler, lazy feedback) takes 11-14 MB more off a process that lives a second or two, at about
 * the same listing time: 87 MB on Node 20, 105 MB on Node 24. --jitless saves a little less,
 * --max-old-space-size=48 and --single-threaded nothing worth it (npm run bench -- listing-child).
 */
export function childFlags(nodeMajor = Number(process.versions.node.split('.')[0])): string[] {
  // Node 20 and 22 print "disabling flag --expose_wasm" to stderr in lite mode unless it is off
  // already; Node 24's V8 has no such flag and refuses it.
  return ['--max-semi-space-size=1', '--lite-mode', ...(nodeMajor < 24 ? ['--no-expose-wasm'] : [])];
}

type Answer = Extract<ChildMessage, { type: 'listed' | 'described' }>;

/**
 * A listing that replaces this many things or more is followed by one full collection (at most one
 * a listing: every resync, 15 minutes by default). 5,000 things are a few MB of heap; fewer are
 * collected in the normal course soon enough.
 */
export const COLLECT_AFTER_REPLACING = 5_000;

/** After the listing's answer is applied (sync.ts replaces the fleet at once): then the drop is garbage. */
const COLLECT_DELAY_MS = 2_000;

let gc: (() => void) | null | undefined;

/**
 * One full collection of this process's heap. V8's `gc` is not exposed without --expose-gc at start;
 * set at run time, the flag gives the next new context its `gc` (node:v8 setFlagsFromString), so this
 * needs no change to how the agent is started. Does nothing where that is refused.
 */
export function fullCollection(): void {
  if (gc === undefined) {
    try {
      setFlagsFromString('--expose-gc');
      const found = runInNewContext('gc') as unknown;
      gc = typeof found === 'function' ? (found as () => void) : null;
    } catch {
      gc = null;
    }
  }
  gc?.();
}

/** Between the two collections of `collectAndRelease`: V8's sweeper is done with the first by then. */
const RELEASE_DELAY_MS = 1_000;

/**
 * A full collection, and a second one a moment later. The first finds the dropped fleet dead, but the
 * pages it empties are swept concurrently and stay in V8's heap (committed, resident) until the next
 * major collection; the second gives them back. Measured with bench (i) from 30,000 instances back to
 * 1,000: heapTotal 20.9 MB after one collection (heapUsed 11.1 MB), 14.4 MB and 6.4 MB less resident
 * after the second.
 */
export function collectAndRelease(): void {
  fullCollection();
  setTimeout(fullCollection, RELEASE_DELAY_MS).unref();
}

export function createProcessEc2Source(options: ProcessEc2Options): Ec2Source {
  const log = options.log ?? silentLogger;
  const now = options.now ?? Date.now;
  const lifetimeMs = options.maxLifetimeMs ?? LISTING_LIFETIME_MS;
  const entry = listingEntry();
  const sessions = new Map<string, WireCredentials>();
  const children = new Set<ChildProcess>();
  const collectAfter = options.collectAfterReplacing ?? COLLECT_AFTER_REPLACING;
  const collect = options.collect ?? collectAndRelease;
  let lastListed: number | undefined;
  let collection: NodeJS.Timeout | undefined;

  const validSessions = (): Record<string, WireCredentials> => {
    const out: Record<string, WireCredentials> = {};
    for (const [account, c] of sessions) if ((c.expirationMs ?? 0) > now()) out[account] = c;
    return out;
  };

  const answerCredentials = (child: ChildProcess, id: number): void => {
    const reply = (message: ParentMessage): void => {
      if (child.connected) child.send(message, () => undefined);
    };
    const provider = options.credentials;
    if (provider === undefined) {
      reply({ type: 'credentials', id, error: { name: 'Error', message: 'the agent holds no credentials' } });
      return;
    }
    provider().then(
      (c: AwsCredentials) => reply({ type: 'credentials', id, credentials: toWireCredentials(c) }),
      (error: unknown) => reply({ type: 'credentials', id, error: toWireError(error) }),
    );
  };

  const run = (call: ListingCall, signal: AbortSignal | undefined): Promise<Answer> =>
    new Promise((resolve, reject) => {
      const what = call.kind === 'list' ? 'listing' : `describe in ${call.region}`;
      if (signal?.aborted) {
        reject(cancelled(what));
        return;
      }
      const child = fork(entry.file, [], {
        execArgv: entry.execArgv,
        serialization: 'advanced',
        stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
        // The SDK's Node-version notice would print its 9 lines at every listing: off unless the
        // agent's environment says otherwise (bin/ec2led.js and the unit turn it off too).
        env: {
          ...process.env,
          AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED:
            process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ?? 'true',
        },
      });
      children.add(child);
      log.debug('listing process started', { pid: child.pid, call: what });
      let settled = false;
      const finish = (answer: Answer | Error): void => {
        if (settled) return;
        settled = true;
        clearTimeout(deadline);
        signal?.removeEventListener('abort', onAbort);
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
        if (answer instanceof Error) reject(answer);
        else resolve(answer);
      };
      const onAbort = (): void => finish(cancelled(what));
      signal?.addEventListener('abort', onAbort, { once: true });
      const deadline = setTimeout(
        () =>
          finish(
            new Ec2Error(
              `the ${what} process ran over ${lifetimeMs} ms and was stopped; the agent relists with backoff`,
              false,
              undefined,
            ),
          ),
        lifetimeMs,
      );
      // What the child says is trusted no further than its shape: nothing it sends can throw here.
      child.on('message', (message: ChildMessage) => {
        try {
          switch (message.type) {
            case 'log':
              (log[message.level] ?? log.warn)(String(message.msg), message.context);
              return;
            case 'credentials':
              answerCredentials(child, message.id);
              return;
            case 'session':
              sessions.set(message.account, message.credentials);
              return;
            case 'failed':
              finish(fromWireError(message.error));
              return;
            case 'listed':
            case 'described':
              finish(message);
              return;
          }
        } catch (error) {
          finish(new Ec2Error(`the ${what} process sent a message the agent cannot read`, false, error));
        }
      });
      child.on('error', (error) =>
        finish(
          new Ec2Error(
            `cannot run the ${what} process ${entry.file} (${error.message}); reinstall the agent`,
            false,
            error,
          ),
        ),
      );
      child.on('exit', (code, exitSignal) => {
        children.delete(child);
        finish(
          new Ec2Error(
            `the ${what} process exited (${exitSignal ?? `code ${code}`}) before answering; ` +
              'the agent relists with backoff (a lack of memory kills it first: check `journalctl -k`)',
            false,
            undefined,
          ),
        );
      });
      const request: ListingRequest = {
        type: 'run',
        call,
        accounts: options.accounts,
        regions: options.regions,
        sessionName: options.sessionName,
        ec2Endpoint: options.ec2Endpoint,
        stsEndpoint: options.stsEndpoint,
        timeouts: options.timeouts,
        ...(options.retry === undefined ? {} : { retry: options.retry }),
        credentials: options.credentials === undefined ? 'default' : 'agent',
        sessions: validSessions(),
      };
      child.send(request, (error) => {
        if (error !== null) log.debug('listing process not reached', { error });
      });
      options.onSpawn?.(child);
    });

  return {
    async list(signal) {
      // Taken before the process starts: changes newer than it are replayed over the snapshot.
      const startedAtMs = now();
      const answer = await run({ kind: 'list' }, signal);
      const snapshot = (answer as Extract<Answer, { type: 'listed' }>).snapshot;
      const listed = snapshot.items.length;
      if (lastListed !== undefined && lastListed >= collectAfter) {
        clearTimeout(collection);
        collection = setTimeout(collect, COLLECT_DELAY_MS);
        collection.unref();
      }
      lastListed = listed;
      return { ...snapshot, startedAtMs } satisfies Snapshot;
    },
    async describeIds(region, ids, signal): Promise<ItemDetails[]> {
      const answer = await run({ kind: 'describe', region, ids }, signal);
      return [...(answer as Extract<Answer, { type: 'described' }>).details];
    },
    close() {
      clearTimeout(collection);
      for (const child of children) child.kill('SIGKILL');
      children.clear();
    },
  };
}

function cancelled(what: string): Ec2Error {
  const abort = new Error('the operation was aborted');
  abort.name = 'AbortError';
  return new Ec2Error(
    `${what} cancelled: the listing was cancelled (the agent is stopping or a newer listing took over)`,
    false,
    abort,
  );
}
