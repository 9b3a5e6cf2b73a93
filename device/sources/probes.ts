/**
 * Desk probes (config `probes`): HTTP(S), TCP and HLS checks run from the Pi itself, each at its own
 * interval, shown as pixels of the kind `probe` (kinds/kinds.ts), "seen from this desk": region and
 * account `desk`. They cost nothing on AWS and see what this network sees; the Route 53 and HLS
 * checks of docs/checks.md see the internet's view and keep watching while the Pi is off.
 *
 * Contract:
 * - One probe runs at a time per probe (never overlapping itself), first at `start()`, then every
 *   `intervalSeconds`; every request is bounded (TIMEOUT_MS, HLS by shared/hls-check.ts's own limits).
 * - HTTP(S): up on 2xx or 3xx (redirects are not followed, as Route 53 counts them), with `match`
 *   only if the first 5,120 bytes of the body hold the text; down otherwise. TCP: up when a
 *   connection opens. HLS: the look of shared/hls-check.ts (`healthy` is `up`), the same code the
 *   cloud checker runs. No body is read past its limit (5,120 bytes for `match`, 512 KiB for a
 *   playlist): the request is aborted there (shared/read-body.ts).
 * - A request that fails says why: the certificate problem for TLS (host name mismatch, self-signed,
 *   expired; shared/fetch-error.ts), the socket error otherwise, not undici's bare `fetch failed`.
 * - A result is a change (`probe:{name}`, stamped with the local clock) handed to `onChange` only
 *   when the state moves, with one log line naming the reason. The probes are their own slice of
 *   the fleet (kind `probe`): once every probe has a result, each move also hands the whole slice
 *   to `onSlice`, and the EC2 and alarm listings never touch it (fleet/store.ts `replaceWithSnapshot`).
 * - Never throws out of a run: whatever fails is a `down` with its reason.
 */
import { connect } from 'node:net';
import { describeFetchError } from '../../shared/fetch-error.ts';
import { checkStream } from '../../shared/hls-check.ts';
import { readAtMost } from '../../shared/read-body.ts';
import { type Logger, silentLogger } from '../base/log.ts';
import type { Change, ItemDetails, Snapshot } from '../fleet/item.ts';
import { DESK, PROBE_KIND, type ProbeState } from '../kinds/kinds.ts';
import type { ItemSource } from './item-source.ts';
import { sleep } from './retry.ts';

export interface ProbeConfig {
  /** Unique; the pixel's name, and its pin key. */
  readonly name: string;
  /** `https://…`, `http://…`, `tcp://host:port` or `hls:https://…` (the master playlist). */
  readonly url: string;
  /** HTTP(S) only: text the first 5,120 bytes of the body must hold. */
  readonly match?: string | undefined;
  readonly intervalSeconds: number;
}

export type ProbeTarget =
  | { readonly type: 'http'; readonly url: string }
  | { readonly type: 'tcp'; readonly host: string; readonly port: number }
  | { readonly type: 'hls'; readonly url: string };

/** The probe region and account (kinds/kinds.ts, which checks it). */
export { DESK };
/** One HTTP request or TCP connect. */
export const TIMEOUT_MS = 10_000;
/** Route 53 reads this much of a body for a string match. */
const MATCH_BYTES = 5120;

/** The target of a probe URL, or undefined when it is none of the four forms. */
export function parseProbeUrl(url: string): ProbeTarget | undefined {
  const tcp = /^tcp:\/\/([A-Za-z0-9.-]{1,253}):(\d{1,5})$/.exec(url);
  if (tcp !== null) {
    const port = Number(tcp[2]);
    return port >= 1 && port <= 65535 ? { type: 'tcp', host: tcp[1] as string, port } : undefined;
  }
  const hls = url.startsWith('hls:');
  const rest = hls ? url.slice(4) : url;
  try {
    const parsed = new URL(rest);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return undefined;
  } catch {
    return undefined;
  }
  return hls ? { type: 'hls', url: rest } : { type: 'http', url: rest };
}

export interface ProbeResult {
  readonly state: ProbeState;
  readonly reason: string;
}

async function probeHttp(url: string, match: string | undefined, timeoutMs: number): Promise<ProbeResult> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'manual' });
    if (response.status < 200 || response.status >= 400) {
      await response.body?.cancel();
      return { state: 'down', reason: `answered ${response.status}` };
    }
    if (match === undefined) {
      await response.body?.cancel();
      return { state: 'up', reason: `answered ${response.status}` };
    }
    const text = new TextDecoder().decode((await readAtMost(response, MATCH_BYTES)).bytes);
    return text.includes(match)
      ? { state: 'up', reason: `answered ${response.status} with ${JSON.stringify(match)}` }
      : {
          state: 'down',
          reason: `answered ${response.status} without ${JSON.stringify(match)} in its first ${MATCH_BYTES} bytes`,
        };
  } catch (error) {
    return { state: 'down', reason: `no answer: ${describeFetchError(error)}` };
  }
}

function probeTcp(host: string, port: number, timeoutMs: number): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: timeoutMs });
    const done = (result: ProbeResult) => {
      socket.destroy();
      resolve(result);
    };
    socket.once('connect', () => done({ state: 'up', reason: `${host}:${port} accepted a connection` }));
    socket.once('timeout', () =>
      done({ state: 'down', reason: `${host}:${port} did not answer in ${timeoutMs} ms` }),
    );
    socket.once('error', (error) => done({ state: 'down', reason: `${host}:${port}: ${error.message}` }));
  });
}

/** Runs one probe once. Never throws. */
export async function runProbe(
  probe: ProbeConfig,
  timeoutMs = TIMEOUT_MS,
  signal?: AbortSignal,
): Promise<ProbeResult> {
  const target = parseProbeUrl(probe.url);
  if (target === undefined)
    return { state: 'down', reason: `${JSON.stringify(probe.url)} is not a probe URL` };
  if (target.type === 'tcp') return probeTcp(target.host, target.port, timeoutMs);
  if (target.type === 'http') return probeHttp(target.url, probe.match, timeoutMs);
  try {
    const judged = await checkStream(target.url, { fetch, sleep: (ms) => sleep(ms, signal), now: Date.now });
    return { state: judged.look === 'healthy' ? 'up' : judged.look, reason: judged.reason };
  } catch (error) {
    return { state: 'down', reason: `the check failed: ${(error as Error).message}` };
  }
}

export interface ProbeRunnerOptions {
  readonly probes: readonly ProbeConfig[];
  readonly onChange: (change: Change) => void;
  /**
   * Once every probe has a result, each move also hands over the whole probe slice (kinds
   * [PROBE_KIND]): it replaces the fleet's probes, so a probe removed from the config (or restored
   * from the fleet file) goes. Default none.
   */
  readonly onSlice?: (snapshot: Snapshot) => void;
  readonly now?: () => number;
  readonly log?: Logger;
  /** Per request; default TIMEOUT_MS. */
  readonly timeoutMs?: number;
}

export interface ProbeRunner {
  readonly size: number;
  start(): void;
  /** Stops the timers; resolves once no probe runs, or after 2 s (a request in flight is dropped). */
  stop(): Promise<void>;
  /** Every probe's last result, as a listing carries it. */
  current(): ItemDetails[];
}

export function createProbeRunner(options: ProbeRunnerOptions): ProbeRunner {
  const log = (options.log ?? silentLogger).child({ source: 'probes' });
  const now = options.now ?? Date.now;
  const last = new Map<string, ProbeState>();
  const stop = new AbortController();
  const loops: Promise<void>[] = [];
  const current = (): ItemDetails[] =>
    options.probes.flatMap((probe): ItemDetails[] => {
      const state = last.get(probe.name);
      return state === undefined
        ? []
        : [
            {
              kind: PROBE_KIND,
              id: `probe:${probe.name}`,
              name: probe.name,
              state,
              region: DESK,
              account: DESK,
              tags: {},
            },
          ];
    });

  const loop = async (probe: ProbeConfig) => {
    while (!stop.signal.aborted) {
      const result = await runProbe(probe, options.timeoutMs ?? TIMEOUT_MS, stop.signal);
      if (stop.signal.aborted) return;
      if (last.get(probe.name) !== result.state) {
        log.info('probe changed', { probe: probe.name, state: result.state, reason: result.reason });
        last.set(probe.name, result.state);
        try {
          options.onChange({
            kind: PROBE_KIND,
            id: `probe:${probe.name}`,
            name: probe.name,
            state: result.state,
            timeMs: now(),
            region: DESK,
            account: DESK,
          });
          if (last.size === options.probes.length)
            options.onSlice?.({ startedAtMs: now(), kinds: [PROBE_KIND], items: current() });
        } catch (error) {
          log.error('probe change handler threw', { probe: probe.name, error });
        }
      }
      await sleep(probe.intervalSeconds * 1000, stop.signal);
    }
  };

  return {
    size: options.probes.length,
    start() {
      if (loops.length > 0 || stop.signal.aborted) return;
      for (const probe of options.probes) loops.push(loop(probe));
    },
    async stop() {
      stop.abort();
      await Promise.race([Promise.all(loops), sleep(2_000)]);
    },
    current,
  };
}

/** The runner as an item source (item-source.ts): the probes' slice and changes go to the sink. */
export function probeSource(
  options: Omit<ProbeRunnerOptions, 'onChange' | 'onSlice'>,
): ItemSource & { readonly size: number } {
  let runner: ProbeRunner | undefined;
  return {
    kinds: [PROBE_KIND],
    size: options.probes.length,
    start(sink) {
      runner ??= createProbeRunner({ ...options, onChange: sink.change, onSlice: sink.listed });
      runner.start();
    },
    stop: () => runner?.stop() ?? Promise.resolve(),
  };
}
