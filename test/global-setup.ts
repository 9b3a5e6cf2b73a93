/**
 * Once per vitest run: every temporary file of the run goes under one short folder of its own,
 * `/tmp/ec2led-test-<pid>-XXXXXX/` (TMPDIR is what `os.tmpdir()`, playwright and the child processes
 * read). At the end the folder must be empty, since each test removes what it made; anything left
 * (but the tools' caches) is named and fails the run, and stays there to be looked at.
 *
 * Why /tmp and not the clone (or the inherited TMPDIR): the tests bind unix sockets under it, the
 * agent's `stateDir/agent.sock`, the systemd notify socket, Chromium's `SingletonSocket`, and a unix
 * socket path holds at most 107 bytes on Linux (103 on macOS). Inside a clone the run folder grows
 * with the clone's path, and a clone 60 characters deep already pushed `…/ec2led-world-XXXXXX/state/
 * agent.sock` past the limit; macOS's own TMPDIR is 49 bytes alone. Here the run folder is 30 bytes
 * wherever the clone is, which leaves the deepest socket a test makes (45 bytes under it) far inside
 * the limit. One folder for the whole run, not short folders for the socket tests only, so a new
 * test that binds a socket cannot meet the limit again.
 */
import { chmodSync, mkdtempSync, readdirSync, rmdirSync, rmSync } from 'node:fs';

export default function setup(): () => void {
  const dir = mkdtempSync(`/tmp/ec2led-test-${process.pid}-`);
  // Open to other users as a folder of the clone was: tests run children under other uids
  // (status-default.test.ts), which must reach their files below it.
  chmodSync(dir, 0o755);
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
  };
}
