/**
 * What a state directory can hold besides the agent's own files, as an attack on the agent used: a FIFO
 * (made with the real `mkfifo`), a symlink to /dev/zero, a sparse file far over any limit. Each
 * under the caller's temporary directory; the caller removes it.
 */
import { execFileSync } from 'node:child_process';
import { symlinkSync, truncateSync, writeFileSync } from 'node:fs';

export function makeFifo(path: string): void {
  execFileSync('mkfifo', ['-m', '0644', path], { timeout: 5_000 });
}

export function linkToDevZero(path: string): void {
  symlinkSync('/dev/zero', path);
}

/** A sparse file of `bytes` that costs no disk: truncate(2) past its end. */
export function makeSparseFile(path: string, bytes: number): void {
  writeFileSync(path, '{"version":1,');
  truncateSync(path, bytes);
}

/** Rejects naming `what` when `promise` takes longer than `ms`: a read that blocks fails the test. */
export function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}
