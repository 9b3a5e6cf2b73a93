/**
 * The status socket's path limit: a unix socket path holds at most 107 bytes on Linux, and Node binds
 * a longer one truncated (or fails with EADDRINUSE) instead of refusing it.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  fetchBoard,
  SOCKET_NAME,
  serveBoard,
  socketPathMaxBytes,
  socketPathProblem,
} from '../../../../device/outputs/web/status-socket.ts';
import { emptyLegend, type Legend } from '../../../../device/picture/legend.ts';

const EMPTY: Legend = emptyLegend(1, 1);

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

/** A new state directory whose agent.sock is exactly `bytes` long. */
function stateDirFor(bytes: number): { parent: string; stateDir: string; path: string } {
  const parent = mkdtempSync(join(tmpdir(), 'ec2led-sock-'));
  cleanups.push(() => rmSync(parent, { recursive: true, force: true }));
  const fill = bytes - Buffer.byteLength(join(parent, 'x', SOCKET_NAME)) + 1;
  const stateDir = join(parent, 'x'.repeat(fill));
  mkdirSync(stateDir);
  const path = join(stateDir, SOCKET_NAME);
  expect(Buffer.byteLength(path)).toBe(bytes);
  return { parent, stateDir, path };
}

describe('the status socket path', () => {
  it('is at most 107 bytes on Linux and 103 on macOS', () => {
    expect(socketPathMaxBytes('linux')).toBe(107);
    expect(socketPathMaxBytes('darwin')).toBe(103);
    expect(socketPathProblem(`/${'a'.repeat(106)}`, 'linux')).toBeUndefined();
  });

  it('names the path, its length, the limit and the fix when stateDir makes it too long', () => {
    const path = `/var/lib/${'deep/'.repeat(20)}${SOCKET_NAME}`;
    expect(socketPathProblem(path, 'linux')).toBe(
      `the status socket ${path} is 119 bytes long, and a unix socket path holds at most 107; ` +
        'set a shorter stateDir (at most 96 bytes, e.g. the default /var/lib/ec2led)',
    );
  });

  it('the agent refuses a stateDir too deep for its socket, and binds nothing', async () => {
    const max = socketPathMaxBytes();
    const { parent, path } = stateDirFor(max + 1);
    await expect(serveBoard(path, EMPTY)).rejects.toThrow(
      `the status socket ${path} is ${max + 1} bytes long, and a unix socket path holds at most ${max}; set a shorter stateDir`,
    );
    // Nothing bound at the truncated path either.
    expect(readdirSync(parent).map((name) => readdirSync(join(parent, name)))).toEqual([[]]);
    await expect(fetchBoard(path)).rejects.toThrow('set a shorter stateDir');
  });

  it('serves on a path of exactly the limit', async () => {
    const { path } = stateDirFor(socketPathMaxBytes());
    const socket = await serveBoard(path, EMPTY);
    try {
      await expect(fetchBoard(path)).resolves.toEqual(expect.objectContaining({ width: 1, pixels: [] }));
    } finally {
      await socket.close();
    }
  });
});
