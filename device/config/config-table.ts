/**
 * The config's one table is its schema (config.ts): each key carries, beside its zod type and
 * default, its fix text and its `EC2LED_*` environment variable as zod metadata (`setting(...)`).
 * `remote(...)` marks the keys the settings shadow may set.
 * `settingsOf` reads them back by dotted key (`*` for a list's items or a map's values), so the fix
 * texts of the error messages, the environment variables of the loader and the rows of
 * docs/config.md (held to it by test/docs/config-table.test.ts) cannot drift from the schema.
 */
import type { z } from 'zod';

/** How an environment variable's text becomes the value (config/config-load.ts `convert`). */
export type EnvKind = 'string' | 'number' | 'boolean' | 'list' | 'tag' | 'path';

export interface Setting {
  /** What to write instead, for an error message ("use ..."). */
  readonly fix?: string | undefined;
  readonly env?: { readonly name: string; readonly kind: EnvKind } | undefined;
  /** True when the device's settings shadow may set it (remote-settings.ts REMOTE_KEYS). */
  readonly remote?: boolean | undefined;
}

/** Metadata for one key: `.meta(setting('use a port number', 'EC2LED_WEB_PORT', 'number'))`. */
export function setting(
  fix: string | undefined,
  env?: string,
  kind: EnvKind = 'string',
): Record<string, unknown> {
  return { ec2led: { fix, env: env === undefined ? undefined : { name: env, kind } } satisfies Setting };
}

/**
 * Marks a key as settable from the settings shadow: `.meta(remote(setting(...)))`. The remote key
 * list (remote-settings.ts) is read off the schema, so it cannot name a key the config lacks.
 */
export function remote(meta: Record<string, unknown>): Record<string, unknown> {
  return { ...meta, ec2led: { ...(meta.ec2led as Setting), remote: true } satisfies Setting };
}

type Node = z.core.$ZodType;

function settingOf(node: Node): Setting | undefined {
  const meta = (node as unknown as { meta?: () => Record<string, unknown> | undefined }).meta?.();
  return meta?.ec2led as Setting | undefined;
}

const WRAPPERS = new Set(['default', 'prefault', 'optional', 'nullable', 'readonly', 'catch']);

/** Every key's setting, by dotted key; wrappers (default, optional...) are looked through. */
export function settingsOf(schema: Node): Map<string, Setting> {
  const found = new Map<string, Setting>();
  const visit = (node: Node, path: string): void => {
    const own = settingOf(node);
    if (own !== undefined && !found.has(path)) found.set(path, own);
    const def = node._zod.def as unknown as Record<string, unknown> & { type: string };
    if (WRAPPERS.has(def.type)) {
      visit(def.innerType as Node, path);
      return;
    }
    if (def.type === 'pipe') {
      visit(def.in as Node, path);
      return;
    }
    const at = (name: string) => (path === '' ? name : `${path}.${name}`);
    if (def.type === 'object') {
      for (const [name, child] of Object.entries(def.shape as Record<string, Node>)) visit(child, at(name));
    } else if (def.type === 'array') {
      visit(def.element as Node, at('*'));
    } else if (def.type === 'record') {
      visit(def.valueType as Node, at('*'));
    } else if (def.type === 'union') {
      for (const option of def.options as Node[]) visit(option, path);
    }
  };
  visit(schema, '');
  return found;
}
