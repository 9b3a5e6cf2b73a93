/**
 * The one schema kit for data that enters from outside: wire messages, EventBridge events, the
 * update job, the slot file, CDK context. A schema is a value that declares a shape and, for each
 * field, what it must be; `check` parses a value against it and returns the value or one reason.
 *
 * Contract:
 * - `check` never throws, whatever it is handed (cycles, getters that throw, huge strings, `__proto__`
 *   keys). A reason names the dotted path, the value (as JSON, cut to 60 characters) and what was
 *   expected: `detail.state "rebooting" is not an EC2 state (pending, ...)`, or
 *   `detail is missing, expected an object`, or `unexpected key "tags"`.
 * - Objects are read through own properties only and rebuilt with the shape's keys alone, so no key
 *   of the input (`__proto__` included) reaches a prototype or the result. `strict` objects refuse
 *   any key the shape does not name (the wire messages); loose ones ignore them (AWS events, which
 *   gain fields over time).
 * - The first problem wins, in the shape's key order after unknown keys: a reason is one sentence.
 *
 * Why not zod or valibot: the Lambda bundles this, and its budget (200 KiB, lambda/README.md) leaves
 * ~10 KB; zod's mini build added 22.5 KB and valibot 9.2 KB for the same four schemas, while this
 * kit (2.2 KB) replaced the hand-written checks and the bundle shrank by 0.5 KB (shared/README.md).
 * The device's config stays on zod (device/config/config.ts), which it bundles anyway.
 */

export type Parsed<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly reason: string };

export interface Schema<T> {
  /** What a valid value is, for a reason: "12 digits", "an EC2 state (pending, ...)". */
  readonly what: string;
  /** A key whose absence is allowed (`optional`). */
  readonly optional?: boolean;
  /** Parses `value` found at `path` ("" at the root). Must not throw. */
  readonly parse: (value: unknown, path: string) => Parsed<T>;
}

export type Infer<S> = S extends Schema<infer T> ? T : never;

/** True for a plain JSON-like object: not null, not an array. The one copy of this test. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An own property, never one inherited (a `__proto__` or `constructor` key reads as absent unless own). */
export function field(record: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

/** A value for a reason: JSON (strings quoted), cut to 60 characters; never throws. */
export function show(value: unknown): string {
  let text: string;
  try {
    text =
      typeof value === 'number' || typeof value === 'bigint'
        ? String(value)
        : (JSON.stringify(value) ?? String(value));
  } catch {
    text = Array.isArray(value) ? 'an array' : typeof value;
  }
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** "<path> <value> is not <what>", or "<path> is missing, expected <what>". */
export function isNot(path: string, value: unknown, what: string): string {
  if (value === undefined) return `${path} is missing, expected ${what}`;
  return `${path} ${show(value)} is not ${what}`;
}

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const fail = (reason: string): { ok: false; reason: string } => ({ ok: false, reason });

/** A leaf: `test` decides, the reason is `isNot(path, value, what)`. */
export function leaf<T>(what: string, test: (value: unknown) => value is T): Schema<T> {
  return { what, parse: (value, path) => (test(value) ? ok(value) : fail(isNot(path, value, what))) };
}

/** Exactly `expected`; `what` defaults to its text (`1`, `aws.ec2`). */
export function literal<const T extends string | number | boolean>(
  expected: T,
  what = String(expected),
): Schema<T> {
  return leaf(what, (value): value is T => value === expected);
}

/** One of `values`; `what` should list them. */
export function oneOf<const T extends string>(values: readonly T[], what: string): Schema<T> {
  return leaf(
    what,
    (value): value is T => typeof value === 'string' && (values as readonly string[]).includes(value),
  );
}

/** A string matching `pattern` (anchor it). */
export function pattern(regex: RegExp, what: string): Schema<string> {
  return leaf(what, (value): value is string => typeof value === 'string' && regex.test(value));
}

/** A string of `min` to `max` characters that `test` (default: any) accepts. */
export function text(
  min: number,
  max: number,
  what: string,
  test: (value: string) => boolean = () => true,
): Schema<string> {
  return leaf(
    what,
    (value): value is string =>
      typeof value === 'string' && value.length >= min && value.length <= max && test(value),
  );
}

/** A safe integer from `min` to `max`. */
export function int(min: number, max: number, what: string): Schema<number> {
  return leaf(
    what,
    (value): value is number =>
      typeof value === 'number' && Number.isSafeInteger(value) && value >= min && value <= max,
  );
}

export function bool(what = 'true or false'): Schema<boolean> {
  return leaf(what, (value): value is boolean => typeof value === 'boolean');
}

/** Any value at all, kept as it is (a field read by later code, such as `resources`). */
export function unknown(what = 'anything'): Schema<unknown> {
  return { what, parse: (value) => ok(value) };
}

/**
 * `schema`, but a reason never shows the value: for a pre-signed URL, whose query signs a request,
 * or anything else a log must not hold.
 */
export function secret<T>(schema: Schema<T>): Schema<T> {
  return {
    ...schema,
    parse(value, path) {
      const parsed = schema.parse(value, path);
      return parsed.ok ? parsed : fail(value === undefined ? parsed.reason : `${path} is not ${schema.what}`);
    },
  };
}

/** A list whose every item passes `item`, at most `max` long; the reason names the index. */
export function array<T>(item: Schema<T>, what: string, max = 1000): Schema<T[]> {
  return {
    what,
    parse(value, path) {
      if (!Array.isArray(value) || value.length > max) return fail(isNot(path, value, what));
      const out: T[] = [];
      for (let i = 0; i < value.length; i += 1) {
        const parsed = item.parse(value[i], `${path}.${i}`);
        if (!parsed.ok) return parsed;
        out.push(parsed.value);
      }
      return ok(out);
    },
  };
}

/** The key may be absent (or undefined); present, it must pass `schema`. */
export function optional<T>(schema: Schema<T>): Schema<T | undefined> {
  return {
    what: schema.what,
    optional: true,
    parse: (value, path) => (value === undefined ? ok(undefined) : schema.parse(value, path)),
  };
}

/** `schema`, then a check of the parsed value that returns a reason, or undefined when it holds. */
export function refine<T>(
  schema: Schema<T>,
  problem: (value: T, path: string) => string | undefined,
): Schema<T> {
  return {
    what: schema.what,
    ...(schema.optional === true ? { optional: true } : {}),
    parse(value, path) {
      const parsed = schema.parse(value, path);
      if (!parsed.ok) return parsed;
      const reason = problem(parsed.value, path);
      return reason === undefined ? parsed : fail(reason);
    },
  };
}

type Shape = Record<string, Schema<unknown>>;
export type ObjectOf<S extends Shape> = { [K in keyof S]: Infer<S[K]> };

/**
 * An object with the keys of `shape`, each parsed by its schema. `strict` refuses any other key
 * (the reason quotes the first); otherwise other keys are ignored. The result holds the shape's
 * keys only, in its order.
 */
export function object<S extends Shape>(
  shape: S,
  options: {
    readonly strict?: boolean;
    readonly what?: string;
    /** A reason's name for a key whose own name says little (`v` -> `version`). */
    readonly labels?: Readonly<Record<string, string>>;
  } = {},
): Schema<ObjectOf<S>> {
  const keys = Object.keys(shape);
  const what = options.what ?? 'an object';
  const labels = options.labels ?? {};
  // Each key once: its schema and its name in a reason, so a parse only joins paths.
  const fields = keys.map((key) => ({
    key,
    schema: shape[key] as Schema<unknown>,
    name: Object.hasOwn(labels, key) ? (labels[key] as string) : key,
  }));
  return {
    what,
    parse(value, path) {
      if (!isRecord(value)) return fail(path === '' ? `is not ${what}` : isNot(path, value, what));
      if (options.strict === true) {
        for (const key in value) {
          if (Object.hasOwn(value, key) && !Object.hasOwn(shape, key)) {
            return fail(`unexpected key ${show(path === '' ? key : `${path}.${key}`)}`);
          }
        }
      }
      const out: Record<string, unknown> = {};
      for (const { key, schema, name } of fields) {
        const parsed = schema.parse(field(value, key), path === '' ? name : `${path}.${name}`);
        if (!parsed.ok) return parsed;
        if (parsed.value !== undefined || schema.optional !== true) out[key] = parsed.value;
      }
      return ok(out as ObjectOf<S>);
    },
  };
}

/**
 * Parses `value` against `schema` at the root. `name` names the whole value in a root reason
 * ("message is not a JSON object"). Never throws: a schema that throws (a getter on a hostile
 * object) gives a reason too.
 */
export function check<T>(schema: Schema<T>, value: unknown, name: string): Parsed<T> {
  try {
    const parsed = schema.parse(value, '');
    return parsed.ok || !parsed.reason.startsWith('is not ') ? parsed : fail(`${name} ${parsed.reason}`);
  } catch (error) {
    return fail(`${name} could not be read: ${error instanceof Error ? error.message : String(error)}`);
  }
}
