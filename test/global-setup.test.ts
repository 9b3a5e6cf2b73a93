import { existsSync, mkdirSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import setup from './global-setup.ts';

const ROOT = realpathSync(fileURLToPath(new URL('..', import.meta.url)));

/** The deepest unix socket a test binds under TMPDIR (the service install test's agent.sock). */
const DEEPEST_SOCKET = 'ec2led-root-XXXXXX/var/lib/ec2led/agent.sock';
/** A unix socket path holds at most 107 bytes on Linux: sun_path is 108 with the NUL (unix(7)). */
const SOCKET_PATH_MAX = 107;

describe('the run folder (TMPDIR of every test)', () => {
  it('is short and outside the clone, so socket paths fit wherever the clone is', () => {
    const dir = tmpdir();
    expect(realpathSync(dir).startsWith(ROOT)).toBe(false);
    expect(Buffer.byteLength(join(dir, DEEPEST_SOCKET))).toBeLessThanOrEqual(SOCKET_PATH_MAX - 20);
    // Children under other uids (status-default.test.ts) reach their files below it.
    expect(statSync(dir).mode & 0o777).toBe(0o755);
  });

  it('fails the run naming what a test left behind, and is removed when empty', () => {
    const outer = process.env.TMPDIR;
    const teardown = setup();
    const dir = process.env.TMPDIR as string;
    try {
      expect(dir).not.toBe(outer);
      expect(dir).toMatch(new RegExp(`^/tmp/ec2led-test-${process.pid}-`));
      mkdirSync(join(dir, 'tsx-0')); // a tool's cache: not a leftover
      writeFileSync(join(dir, 'left-by-a-test'), '');
      expect(teardown).toThrow(`tests left left-by-a-test in ${dir}; each test must remove what it creates`);
      expect(process.env.TMPDIR).toBe(outer);
      rmSync(join(dir, 'left-by-a-test'));
      const again = setup();
      const second = process.env.TMPDIR as string;
      again();
      expect(existsSync(second)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      if (outer === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = outer;
    }
  });
});
