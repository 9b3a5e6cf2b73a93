/**
 * The config file is read like the state files: a regular file only, never blocking, its size checked
 * before any byte is read. (A FIFO there, which would block, is in agent-entry.test.ts, where the real
 * entry runs in a child process: a blocking read in this process would hang the test itself.)
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../../device/config/config.ts';
import { loadConfig, MAX_CONFIG_FILE_BYTES, readConfigFile } from '../../../../device/config/config-load.ts';
import { linkToDevZero, makeSparseFile } from '../../../fakes/hostile-files.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ec2led-config-file-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** The one problem loadConfig reports for the config file at `path`. */
function problemOf(path: string): string {
  try {
    loadConfig({ configPath: path, env: {}, stdoutIsTerminal: false });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems[0] ?? '';
  }
  throw new Error(`loadConfig accepted ${path}`);
}

describe('the config file', () => {
  it('reads a regular file whole', () => {
    const path = join(dir, 'config.json');
    writeFileSync(path, '{"topicPrefix":"ec2led"}');
    expect(readConfigFile(path)).toBe('{"topicPrefix":"ec2led"}');
  });

  it('refuses a file over the limit before reading it (a sparse file of 80 MB)', () => {
    const path = join(dir, 'config.json');
    makeSparseFile(path, 80 * 1024 * 1024);
    expect(problemOf(path)).toBe(
      `config file ${path} is 83886080 bytes, over ${MAX_CONFIG_FILE_BYTES}, so it was not read: point --config at the JSON file`,
    );
  });

  it('refuses a link to /dev/zero as a character device, without reading from it', () => {
    const path = join(dir, 'config.json');
    linkToDevZero(path);
    expect(problemOf(path)).toBe(
      `config file ${path} is a character device, not a regular file, so it was not read: point --config at the JSON file`,
    );
  });

  it('refuses a directory', () => {
    const path = join(dir, 'config.json');
    mkdirSync(path);
    expect(problemOf(path)).toMatch(/is a directory, not a regular file, so it was not read/);
  });

  it('still names a missing file with its own fix', () => {
    expect(problemOf(join(dir, 'absent.json'))).toBe(
      `config file ${join(dir, 'absent.json')} does not exist: check the path`,
    );
  });
});
