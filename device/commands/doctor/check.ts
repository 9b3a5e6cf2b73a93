/**
 * One doctor check and its result: a status, one line saying what was found, and the fix when it is
 * not ok. `withLimit` gives every check its own time limit, so one dead endpoint cannot hang doctor.
 */

export type CheckStatus = 'ok' | 'warn' | 'fail' | 'skip';

export interface CheckResult {
  readonly name: string;
  readonly status: CheckStatus;
  /** What was found: a value, a version, a path. */
  readonly detail: string;
  /** What to do, for warn and fail. */
  readonly fix?: string;
}

export const ok = (name: string, detail: string): CheckResult => ({ name, status: 'ok', detail });
export const warn = (name: string, detail: string, fix: string): CheckResult => ({
  name,
  status: 'warn',
  detail,
  fix,
});
export const fail = (name: string, detail: string, fix: string): CheckResult => ({
  name,
  status: 'fail',
  detail,
  fix,
});
export const skip = (name: string, detail: string): CheckResult => ({ name, status: 'skip', detail });

/** Runs `check` with an abort signal that fires after `ms`; a late answer becomes a failure. */
export async function withLimit(
  name: string,
  ms: number,
  fix: string,
  check: (signal: AbortSignal) => Promise<CheckResult>,
): Promise<CheckResult> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<CheckResult>((resolve) => {
    timer = setTimeout(() => {
      controller.abort();
      resolve(fail(name, `no answer within ${ms / 1000} s`, fix));
    }, ms);
  });
  try {
    return await Promise.race([
      check(controller.signal).catch((error: unknown) =>
        fail(name, `failed: ${(error as Error).message}`, fix),
      ),
      late,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** One line per check: status, name, what was found, the fix after a dash; names in a column as wide as the longest. */
export function formatResults(results: readonly CheckResult[]): string {
  const width = Math.max(0, ...results.map((result) => result.name.length)) + 1;
  return results
    .map((result) => {
      const label = result.status === 'fail' ? 'FAIL' : result.status === 'warn' ? 'WARN' : result.status;
      const fix = result.fix === undefined ? '' : ` — fix: ${result.fix}`;
      return `${label.padEnd(5)}${result.name.padEnd(width)}${result.detail}${fix}\n`;
    })
    .join('');
}
