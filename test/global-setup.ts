/**
 * Once per vitest run: every temporary file of the run goes under the clone's git-ignored
 * `test-results/tmp/run-<pid>/` instead of /tmp (TMPDIR is what `os.tmpdir()`, playwright and the
 * child processes read). At the end the folder must be empty, since each test removes what it made;
 * anything left (but the tools' caches) is named and fails the run, and stays there to be looked at.
 */
import { mkdirSync, readdirSync, rmdirSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const TMP_ROOT = fileURLToPath(new URL('../test-results/tmp/', import.meta.url));

export default function setup(): () => void {
  const dir = `${TMP_ROOT}run-${process.pid}`;
  mkdirSync(dir, { recursive: true });
  const previous = process.env.TMPDIR;
  process.env.TMPDIR = dir;
  return () => {
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
    // Caches of the tools, not of the tests: tsx's transforms (tsx-<uid>) and, from Node 22 on, the
    // module compile cache that the CLIs the tests run (npm, cdk) turn on.
    for (const cache of readdirSync(dir).filter((name) => /^(tsx-\d+|node-compile-cache)$/.test(name))) {
      rmSync(`${dir}/${cache}`, { recursive: true, force: true });
    }
    const left = readdirSync(dir);
    if (left.length > 0) {
      throw new Error(`tests left ${left.join(', ')} in ${dir}; each test must remove what it creates`);
    }
    rmdirSync(dir);
    if (readdirSync(TMP_ROOT).length === 0) rmdirSync(TMP_ROOT);
  };
}
