/**
 * Layers the configuration (later wins): schema defaults, `$STATE_DIRECTORY` (systemd) as the default
 * stateDir, the JSON file, `EC2LED_*` environment variables, command-line flags. A display.board set
 * nowhere is `terminal` when stdout is a terminal and `none` otherwise (a service). Then validates once
 * with device/config/config.ts. Relative certificate paths in the file are resolved against the file's
 * folder, so a device bundle works wherever it is unpacked.
 */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { isRecord } from '../../shared/schema.ts';
import { whatItIs } from '../base/state-file.ts';
import { type Config, ConfigError, ENV_KEYS, parseConfig, type ReadableCheck } from './config.ts';
import type { EnvKind } from './config-table.ts';
import type { TlsCheck } from './tls-files.ts';

export const DEFAULT_CONFIG_PATH = '/etc/ec2led/config.json';

/** A config file larger than this is refused unread (the device bundle's is about 1 kB). */
export const MAX_CONFIG_FILE_BYTES = 1024 * 1024;

/** A config file that is not one: named, with what it is, instead of an errno code. */
class NotAConfigFile extends Error {}

/**
 * The config file's text: a regular file only, opened without blocking (a FIFO there would stop
 * the agent before its first log line, deaf to SIGTERM, as it did for the state files), its size
 * checked before reading and at most that read. Throws errno errors as readFileSync does, and
 * NotAConfigFile for anything else.
 */
export function readConfigFile(path: string, maxBytes = MAX_CONFIG_FILE_BYTES): string {
  const fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) throw new NotAConfigFile(`is ${whatItIs(stats)}, not a regular file`);
    if (stats.size > maxBytes) throw new NotAConfigFile(`is ${stats.size} bytes, over ${maxBytes}`);
    // One byte more than the size tells a file that grew since the stat, or a /proc-like file.
    const buffer = Buffer.alloc(stats.size + 1);
    let length = 0;
    while (length < buffer.length) {
      const read = readSync(fd, buffer, length, buffer.length - length, length);
      if (read === 0) break;
      length += read;
    }
    if (length > stats.size) throw new NotAConfigFile('grew while it was read');
    return buffer.toString('utf8', 0, length);
  } finally {
    closeSync(fd);
  }
}

/** One command-line flag already mapped to its key, e.g. `--display web` -> display.board. */
export interface FlagValue {
  readonly key: string;
  readonly value: unknown;
  readonly flag: string;
}

export interface LoadOptions {
  /** `--config FILE`; else $EC2LED_CONFIG; else /etc/ec2led/config.json. */
  readonly configPath?: string | undefined;
  readonly flags?: readonly FlagValue[];
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly readFile?: (path: string) => string;
  readonly readable?: ReadableCheck;
  /**
   * Whether stdout is a terminal; default process.stdout.isTTY. It picks the default display.board:
   * `terminal` on one, `none` otherwise (a service: journald must not get a board 20 times a second).
   */
  readonly stdoutIsTerminal?: boolean;
  /** Parses the certificate, key and CA; default node:crypto on the real files. */
  readonly tls?: TlsCheck;
  readonly cwd?: string;
}

export interface LoadedConfig {
  readonly config: Config;
  readonly path: string;
  /** Not fatal, worth a log line: e.g. an EC2LED_ variable nobody reads. */
  readonly warnings: readonly string[];
  /** Where each value came from, by dotted key (file path, `EC2LED_*`, `--flag`). */
  readonly origins: ReadonlyMap<string, string>;
}

type Raw = Record<string, unknown>;

/** Sets a dotted key, creating objects on the way; leaves a non-object in the way for the schema to report. */
function setPath(target: Raw, key: string, value: unknown): void {
  const parts = key.split('.');
  let node: Raw = target;
  for (const part of parts.slice(0, -1)) {
    const next = node[part] ?? {};
    if (!isRecord(next)) return;
    node[part] = next;
    node = next;
  }
  node[parts[parts.length - 1] as string] = value;
}

function convert(text: string, kind: EnvKind, cwd: string): unknown {
  switch (kind) {
    case 'number':
      return /^-?\d+(\.\d+)?$/.test(text.trim()) ? Number(text) : text;
    case 'boolean': {
      const lower = text.trim().toLowerCase();
      if (['true', '1', 'yes'].includes(lower)) return true;
      if (['false', '0', 'no'].includes(lower)) return false;
      return text;
    }
    case 'list':
      return text
        .split(',')
        .map((part) => part.trim())
        .filter((part) => part !== '');
    case 'tag': {
      const at = text.indexOf('=');
      return at < 0 ? { key: text, value: '' } : { key: text.slice(0, at), value: text.slice(at + 1) };
    }
    case 'path':
      return resolve(cwd, text);
    default:
      return text;
  }
}

function readJson(path: string, readFile: (path: string) => string, explicit: boolean): Raw {
  let text: string;
  try {
    text = readFile(path);
  } catch (error) {
    if (error instanceof NotAConfigFile) {
      throw new ConfigError([
        `config file ${path} ${error.message}, so it was not read: point --config at the JSON file`,
      ]);
    }
    const code = (error as NodeJS.ErrnoException).code;
    const fix = explicit
      ? 'check the path'
      : 'install the device bundle with `sudo ec2led setup DIR` (docs/pi.md), pass --config FILE or set EC2LED_CONFIG';
    const what = code === 'ENOENT' ? 'does not exist' : `cannot be read (${code})`;
    throw new ConfigError([`config file ${path} ${what}: ${fix}`]);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ConfigError([`config file ${path} is not JSON (${(error as Error).message}): fix the syntax`]);
  }
  if (!isRecord(parsed)) throw new ConfigError([`config file ${path} is not a JSON object: wrap it in {}`]);
  return parsed;
}

/** Reads, layers and validates. Throws ConfigError (exit code 2 in the CLI). */
export function loadConfig(options: LoadOptions = {}): LoadedConfig {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const explicit = options.configPath ?? env.EC2LED_CONFIG;
  const path = resolve(cwd, explicit ?? DEFAULT_CONFIG_PATH);
  const raw: Raw = {};
  const origins = new Map<string, string>();
  const warnings: string[] = [];

  const stateDirectory = env.STATE_DIRECTORY?.split(':')[0];
  if (stateDirectory) {
    raw.stateDir = stateDirectory;
    origins.set('stateDir', 'STATE_DIRECTORY');
  }
  const file = readJson(path, options.readFile ?? readConfigFile, explicit !== undefined);
  for (const [key, value] of Object.entries(file)) {
    raw[key] = value;
    origins.set(key, path);
  }
  const mqtt = raw.mqtt;
  if (isRecord(mqtt)) {
    for (const key of ['cert', 'key', 'ca']) {
      const value = mqtt[key];
      if (typeof value === 'string' && value !== '') mqtt[key] = resolve(dirname(path), value);
    }
  }
  for (const [name, text] of Object.entries(env)) {
    if (!name.startsWith('EC2LED_') || text === undefined || name === 'EC2LED_CONFIG') continue;
    const entry = ENV_KEYS[name];
    if (entry === undefined) {
      warnings.push(`environment variable ${name} is not a config setting and was ignored (docs/config.md)`);
      continue;
    }
    setPath(raw, entry[0], convert(text, entry[1], cwd));
    origins.set(entry[0], name);
  }
  for (const flag of options.flags ?? []) {
    setPath(raw, flag.key, flag.value);
    origins.set(flag.key, flag.flag);
  }
  const display = isRecord(raw.display) ? raw.display : raw.display === undefined ? {} : undefined;
  if (display !== undefined && display.board === undefined) {
    const terminal = options.stdoutIsTerminal ?? process.stdout.isTTY === true;
    display.board = terminal ? 'terminal' : 'none';
    raw.display = display;
    origins.set(
      'display.board',
      terminal ? 'the default on a terminal' : 'the default when stdout is not a terminal',
    );
    if (!terminal) {
      warnings.push(
        'display.board is not set and stdout is not a terminal: drawing on no board (board "none"); ' +
          'set display.board to your board (docs/config.md), or enable web.enabled',
      );
    }
  }
  const { readable, tls } = options;
  const checks = { origins, ...(readable ? { readable } : {}), ...(tls ? { tls } : {}) };
  return { config: parseConfig(raw, checks), path, warnings, origins };
}
