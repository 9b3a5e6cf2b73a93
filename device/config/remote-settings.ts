/**
 * Remote settings: the `desired` section of the device's settings shadow, merged over the local
 * config, validated with the config file's own schema, and the `reported` section that answers it.
 * Pure: no MQTT, no clock (sources/shadow.ts carries the documents).
 *
 * Contract:
 * - Only REMOTE_KEYS may be set from the shadow; any other desired key is refused with a reason.
 *   A key named `__proto__`, `constructor` or `prototype`, at any depth, is refused by its path and
 *   dropped before anything reads the section: no object here ever takes one as a property name
 *   that could reach a prototype (`put` defines own properties only).
 * - Precedence: file < shadow < environment and flags. A key set on the device by an `EC2LED_*`
 *   variable or a flag is pinned: the shadow cannot change it, and the reason says where it is set.
 * - Each desired value is validated on its own by `parseConfig` over the local config with only
 *   that value replaced; a refused value changes nothing and is reported in `reported.errors` with
 *   the same text a bad config file would get. The accepted values are then validated together.
 * - A key absent from `desired` takes the local value: removing a desired key (`null` in an update)
 *   undoes the remote setting.
 * - `reported` holds the effective value of every remote key and the errors; `reportPatch` makes
 *   the update that turns the stored `reported` into it (shadows merge objects, so a key that must
 *   go is sent as null). `fitReport` keeps desired + reported within the 8 KB a shadow may hold.
 */

import { isRecord } from '../../shared/schema.ts';
import { type Config, ConfigError, parseConfig, REMOTE_CONFIG_KEYS } from './config.ts';

/**
 * The dotted config keys a shadow may set: read off the config schema, where each carries
 * `remote(...)` beside its type and fix text (config.ts, config-table.ts). Adding a key is that one
 * mark; docs/config.md lists them (test/docs/remote-settings.test.ts).
 */
export const REMOTE_KEYS: readonly string[] = REMOTE_CONFIG_KEYS;

/** The shadow service refuses a document whose desired and reported state exceed this (HTTP 413). */
export const SHADOW_STATE_LIMIT_BYTES = 8192;

/** A reported error text is cut to this, so that one long zod message cannot fill the document. */
const ERROR_CHARS = 300;

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Obj = Record<string, unknown>;

/** Key names that reach a prototype when assigned (`o[k] = v`) or read through a lookup. */
const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);
/** A desired section nested deeper than this is refused there (8 KB of JSON could nest 4,000 deep). */
const MAX_DEPTH = 16;

/** Sets an own, enumerable property, even one named "__proto__" (plain assignment would set the prototype). */
function put(target: Obj, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * A copy of `value` without any key in FORBIDDEN_KEYS, at any depth; each one dropped (and each
 * object nested past MAX_DEPTH) is put in `dropped`: its dotted path, why.
 */
function withoutForbiddenKeys(
  value: unknown,
  prefix: string,
  dropped: Map<string, string>,
  depth = 0,
): unknown {
  if (Array.isArray(value))
    return value.map((item) => withoutForbiddenKeys(item, prefix, dropped, depth + 1));
  if (!isRecord(value)) return value;
  if (depth >= MAX_DEPTH) {
    dropped.set(prefix, `${prefix} nests deeper than ${MAX_DEPTH} levels; remove it`);
    return undefined;
  }
  const out: Obj = {};
  for (const [name, item] of Object.entries(value)) {
    const at = prefix === '' ? name : `${prefix}.${name}`;
    if (FORBIDDEN_KEYS.has(name)) {
      dropped.set(at, `${at}: a key named ${name} is never accepted; remove it`);
      continue;
    }
    const clean = withoutForbiddenKeys(item, at, dropped, depth + 1);
    if (clean !== undefined) put(out, name, clean);
  }
  return out;
}

export function getPath(target: unknown, key: string): unknown {
  let node = target;
  for (const part of key.split('.')) {
    if (!isRecord(node) || !Object.hasOwn(node, part)) return undefined;
    node = node[part];
  }
  return node;
}

/** A copy of `target` with `key` set (undefined: removed), copying only the objects on the way. */
export function withPath(target: Obj, key: string, value: unknown): Obj {
  const [head, ...rest] = key.split('.') as [string, ...string[]];
  const copy = { ...target };
  if (rest.length === 0) {
    if (value === undefined) delete copy[head];
    else put(copy, head, value);
    return copy;
  }
  const child = Object.hasOwn(target, head) && isRecord(target[head]) ? target[head] : {};
  put(copy, head, withPath(child, rest.join('.'), value));
  return copy;
}

export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((v, i) => sameJson(v, b[i]));
  if (isRecord(a) && isRecord(b)) {
    const keys = Object.keys(a).filter((k) => a[k] !== undefined);
    const other = Object.keys(b).filter((k) => b[k] !== undefined);
    return keys.length === other.length && keys.every((k) => sameJson(a[k], b[k]));
  }
  return false;
}

/** Where a local setting of a remote key came from: `EC2LED_*` or `--flag`, by dotted key. */
export type Pinned = ReadonlyMap<string, string>;

/**
 * The remote keys set on the device by the environment or a flag (config-load.ts origins), which
 * the shadow cannot override. A file or a default does not pin.
 */
export function pinnedKeys(
  origins: ReadonlyMap<string, string>,
  keys: readonly string[] = REMOTE_KEYS,
): Pinned {
  const pinned = new Map<string, string>();
  for (const key of keys) {
    for (const [at, origin] of origins) {
      const related = at === key || at.startsWith(`${key}.`) || key.startsWith(`${at}.`);
      if (related && (origin.startsWith('EC2LED_') || origin.startsWith('--'))) pinned.set(key, origin);
    }
  }
  return pinned;
}

/** Every leaf-or-remote-key path of `desired` that is no remote key nor inside one. */
function unknownKeys(desired: Obj, prefix: string, keys: readonly string[]): string[] {
  const found: string[] = [];
  for (const [name, value] of Object.entries(desired)) {
    const at = prefix === '' ? name : `${prefix}.${name}`;
    if (keys.includes(at)) continue;
    if (keys.some((key) => key.startsWith(`${at}.`)) && isRecord(value)) {
      found.push(...unknownKeys(value, at, keys));
    } else {
      found.push(at);
    }
  }
  return found;
}

/** The config checks without the file system: certificates were checked when the agent started. */
function check(raw: unknown): { ok: true; config: Config } | { ok: false; problems: readonly string[] } {
  try {
    return { ok: true, config: parseConfig(raw, { readable: () => undefined, tls: () => [] }) };
  } catch (error) {
    if (error instanceof ConfigError) return { ok: false, problems: error.problems };
    return { ok: false, problems: [(error as Error).message] };
  }
}

function cut(text: string): string {
  return text.length > ERROR_CHARS ? `${text.slice(0, ERROR_CHARS - 3)}...` : text;
}

export interface Resolved {
  /** The effective config: local, with every accepted remote value. */
  readonly config: Config;
  /** Per refused desired key, why (`reported.errors`). */
  readonly errors: Readonly<Record<string, string>>;
  /** Remote keys whose effective value differs from `previous`. */
  readonly changed: readonly string[];
}

/**
 * Merges `desired` (the shadow's desired section; anything not an object counts as empty) over the
 * local config. `previous` is the effective config before, for `changed`.
 */
export function resolveSettings(input: {
  readonly local: Config;
  readonly desired: unknown;
  readonly pinned: Pinned;
  readonly previous: Config;
  readonly keys?: readonly string[];
}): Resolved {
  const keys = input.keys ?? REMOTE_KEYS;
  const forbidden = new Map<string, string>();
  const desired = (isRecord(input.desired) ? withoutForbiddenKeys(input.desired, '', forbidden) : {}) as Obj;
  const errors: Record<string, string> = {};
  for (const [at, why] of forbidden) put(errors, at, cut(why));
  for (const key of unknownKeys(desired, '', keys)) {
    put(errors, key, cut(`${key} cannot be set from the shadow; remove it (settable: ${keys.join(', ')})`));
  }
  const local = input.local as unknown as Obj;
  let merged: Obj = local;
  const accepted: string[] = [];
  for (const key of keys) {
    const value = getPath(desired, key);
    if (value === undefined || value === null) continue;
    const origin = input.pinned.get(key);
    if (origin !== undefined) {
      errors[key] = cut(
        `${key} is set on the device by ${origin}, which wins over the shadow; remove it there, or remove desired.${key}`,
      );
      continue;
    }
    const alone = check(withPath(local, key, value));
    if (!alone.ok) {
      errors[key] = cut(alone.problems.join('; '));
      continue;
    }
    accepted.push(key);
    merged = withPath(merged, key, getPath(alone.config, key));
  }
  let config = input.local;
  if (accepted.length > 0) {
    const together = check(merged);
    if (together.ok) config = together.config;
    else
      for (const key of accepted)
        errors[key] = cut(`together with the other desired keys: ${together.problems.join('; ')}`);
  }
  const changed = keys.filter((key) => !sameJson(getPath(config, key), getPath(input.previous, key)));
  return { config, errors, changed };
}

/**
 * The `reported` section: the effective value of every remote key, and the errors (if any). An
 * empty object (no pins) is left out like an unset value: the shadow need not keep empty objects.
 */
export function reportedState(
  config: Config,
  errors: Readonly<Record<string, string>>,
  keys: readonly string[] = REMOTE_KEYS,
): Obj {
  let reported: Obj = {};
  for (const key of keys) {
    const value = getPath(config, key);
    if (!isRecord(value) || Object.keys(value).length > 0) reported = withPath(reported, key, value);
  }
  if (Object.keys(errors).length > 0) put(reported, 'errors', { ...errors });
  return reported;
}

/**
 * The update that turns the stored `reported` into `next` under the shadow's merge rules: objects
 * merge key by key, any other value replaces, null deletes. Undefined when nothing differs.
 */
export function reportPatch(stored: unknown, next: Obj): Obj | undefined {
  const before = isRecord(stored) ? stored : {};
  const patch: Obj = {};
  for (const [key, value] of Object.entries(next)) {
    if (value === undefined) continue;
    const old = Object.hasOwn(before, key) ? before[key] : undefined;
    if (isRecord(value) && isRecord(old)) {
      const inner = reportPatch(old, value);
      if (inner !== undefined) put(patch, key, inner);
    } else if (!sameJson(old, value)) {
      put(patch, key, value);
    }
  }
  for (const key of Object.keys(before)) {
    if (before[key] !== undefined && !(Object.hasOwn(next, key) && next[key] !== undefined))
      put(patch, key, null);
  }
  return Object.keys(patch).length === 0 ? undefined : patch;
}

/** Bytes of the desired and reported state as the shadow counts them (JSON, UTF-8). */
export function stateBytes(desired: unknown, reported: unknown): number {
  return Buffer.byteLength(JSON.stringify({ desired: desired ?? {}, reported: reported ?? {} }), 'utf8');
}

export type Fitted =
  | { readonly ok: true; readonly reported: Obj; readonly omitted: readonly string[] }
  | { readonly ok: false; readonly reason: string };

/**
 * A `reported` that fits beside `desired` in SHADOW_STATE_LIMIT_BYTES: the whole one if it fits,
 * else without the largest effective values (named in `reported.omitted`, largest first), else
 * refused: the desired section alone leaves no room, and only a smaller desired can fix that.
 */
export function fitReport(desired: unknown, reported: Obj, limit = SHADOW_STATE_LIMIT_BYTES): Fitted {
  if (stateBytes(desired, reported) <= limit) return { ok: true, reported, omitted: [] };
  const bySize = Object.keys(reported)
    .filter((key) => key !== 'errors')
    .sort((a, b) => JSON.stringify(reported[b]).length - JSON.stringify(reported[a]).length);
  let trimmed: Obj = { ...reported };
  const omitted: string[] = [];
  for (const key of bySize) {
    delete trimmed[key];
    omitted.push(key);
    const candidate = { ...trimmed, omitted };
    if (stateBytes(desired, candidate) <= limit) return { ok: true, reported: candidate, omitted };
  }
  trimmed = { omitted };
  if (stateBytes(desired, trimmed) <= limit) return { ok: true, reported: trimmed, omitted };
  return {
    ok: false,
    reason:
      `the desired section alone takes ${stateBytes(desired, {})} of the ${limit} bytes a shadow holds, ` +
      'leaving no room for the report; shorten desired (pins and colors are the large ones)',
  };
}

/**
 * A config that passes every check, for validating one remote value away from the device (the
 * admin's `ec2led device set`). Its virtual board is the largest, so a pin is refused here only for
 * its form: whether it lies on the device's board is the device's check, reported in the shadow.
 */
const TEMPLATE: Config = parseConfig(
  {
    mqtt: { endpoint: 'localhost', clientId: 'template', tls: false },
    aws: { credentials: 'default', accounts: ['000000000000'], regions: ['us-east-1'] },
    display: { board: 'none', virtualWidth: 64, virtualHeight: 64 },
  },
  { readable: () => undefined, tls: () => [] },
);

/** The remote key a dotted name falls under (itself, or `pins.NAME` under `pins`); undefined if none. */
export function remoteKeyOf(name: string, keys: readonly string[] = REMOTE_KEYS): string | undefined {
  return keys.find((key) => name === key || name.startsWith(`${key}.`));
}

/**
 * The desired patch that sets `name` (a remote key, or one entry of a remote record such as
 * `pins.web.1`, whose entry name may hold dots) to `value`; null removes it from desired.
 */
export function desiredPatch(name: string, value: unknown, keys: readonly string[] = REMOTE_KEYS): Obj {
  const key = remoteKeyOf(name, keys);
  if (key === undefined) throw new Error(`${name} is not a remote setting`);
  if (name === key) return withPath({}, key, value);
  return withPath({}, key, { [name.slice(key.length + 1)]: value });
}

/** The config's problems with `name` = `value`, checked with the config file's own schema; [] when valid. */
export function checkRemoteValue(
  name: string,
  value: unknown,
  keys: readonly string[] = REMOTE_KEYS,
): string[] {
  const key = remoteKeyOf(name, keys);
  if (key === undefined) return [`${name} cannot be set from the shadow (settable: ${keys.join(', ')})`];
  const patch = desiredPatch(name, value, keys);
  const current = getPath(TEMPLATE, key);
  const next = getPath(patch, key);
  const merged = isRecord(current) && isRecord(next) && name !== key ? { ...current, ...next } : next;
  const result = check(withPath(TEMPLATE as unknown as Obj, key, merged));
  return result.ok ? [] : [...result.problems];
}
