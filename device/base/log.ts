/**
 * Log lines to stderr (stdout is for data). `json`: one object a line with level, msg, time and
 * context, for journald and tools; hostile text (a topic, a Name tag) cannot carry a raw control,
 * bidi or C1 character into it: those are \u escapes. `pretty`: one readable line for a terminal.
 *
 * Log transitions (connected, listing, synced with N instances, reconnecting), not every message or
 * frame. A redaction guard runs on every line: values under secret-looking keys, PEM private keys,
 * AWS access key ids and long secret-looking strings never leave this module, whoever passed them in.
 */
import { sanitizeText } from './sanitize.ts';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogContext = Readonly<Record<string, unknown>>;

export interface Logger {
  debug(msg: string, context?: LogContext): void;
  info(msg: string, context?: LogContext): void;
  warn(msg: string, context?: LogContext): void;
  error(msg: string, context?: LogContext): void;
  /** A logger that adds `context` to every line (e.g. { source: 'mqtt' }). */
  child(context: LogContext): Logger;
}

export interface LoggerOptions {
  readonly format?: 'json' | 'pretty';
  readonly level?: LogLevel;
  readonly write?: (line: string) => void;
  readonly now?: () => number;
}

const RANK: Readonly<Record<LogLevel, number>> = { debug: 10, info: 20, warn: 30, error: 40 };
const REDACTED = '[redacted]';
const SECRET_KEY = /secret|password|passphrase|token|authorization|private.?key|access.?key|credentials?$/i;
const PEM_PRIVATE = /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)/g;
const ACCESS_KEY_ID = /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g;
/** A secret access key is 40 random base64 characters; session tokens are hundreds. */
const LONG_SECRET = /[A-Za-z0-9/+=]{40,}/g;

function redactText(text: string): string {
  return text
    .replace(PEM_PRIVATE, REDACTED)
    .replace(ACCESS_KEY_ID, REDACTED)
    .replace(LONG_SECRET, (run) =>
      /[a-z]/.test(run) && /[A-Z]/.test(run) && /\d/.test(run) ? REDACTED : run,
    );
}

/** Deep copy with secrets replaced; Errors become { name, message, cause }. Never throws. */
export function redact(value: unknown, depth = 0): unknown {
  if (depth > 6) return '[deep]';
  if (typeof value === 'string') return redactText(value);
  if (typeof value === 'bigint') return value.toString();
  if (typeof value !== 'object' || value === null) return value;
  if (value instanceof Error) {
    const out: Record<string, unknown> = { name: value.name, message: redactText(value.message) };
    if (value.cause !== undefined) out.cause = redact(value.cause, depth + 1);
    return out;
  }
  if (value instanceof Uint8Array) return `<${value.byteLength} bytes>`;
  if (Array.isArray(value)) return value.slice(0, 50).map((item) => redact(item, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    out[key] = SECRET_KEY.test(key) && item !== undefined ? REDACTED : redact(item, depth + 1);
  }
  return out;
}

/**
 * Characters JSON.stringify leaves raw but a terminal or a log viewer acts on: DEL and the C1
 * controls (U+0080-U+009F, 8-bit CSI and OSC), every format character (bidi overrides and isolates
 * U+202A-U+202E, U+2066-U+2069, zero-width characters, BOM, tag characters) and the line and
 * paragraph separators. JSON.stringify already escapes C0.
 */
const UNSAFE_IN_JSON = /[\p{Cc}\p{Cf}\u2028\u2029]/gu;

/** A JSON line with those characters as \uXXXX escapes: the same value for a parser, inert on a screen. */
export function escapeJsonLine(line: string): string {
  return line.replace(UNSAFE_IN_JSON, (char) => {
    let out = '';
    for (let i = 0; i < char.length; i++) out += `\\u${char.charCodeAt(i).toString(16).padStart(4, '0')}`;
    return out;
  });
}

function prettyValue(value: unknown): string {
  if (typeof value === 'string') {
    const clean = sanitizeText(value);
    return /[\s"=]/.test(clean) || clean === '' ? JSON.stringify(clean) : clean;
  }
  return sanitizeText(JSON.stringify(value) ?? String(value));
}

function formatPretty(level: LogLevel, msg: string, time: number, context: Record<string, unknown>): string {
  const clock = new Date(time).toISOString().slice(11, 23);
  const fields = Object.entries(context)
    .map(([key, value]) => `${key}=${prettyValue(value)}`)
    .join(' ');
  return `${clock} ${level.toUpperCase().padEnd(5)} ${sanitizeText(msg)}${fields === '' ? '' : `  ${fields}`}`;
}

export function createLogger(options: LoggerOptions = {}, bound: LogContext = {}): Logger {
  const format = options.format ?? 'json';
  const threshold = RANK[options.level ?? 'info'];
  const write = options.write ?? ((line: string) => process.stderr.write(line));
  const now = options.now ?? Date.now;

  const emit = (level: LogLevel, msg: string, context: LogContext | undefined): void => {
    if (RANK[level] < threshold) return;
    const time = now();
    const safeMsg = redactText(msg);
    const safe = redact({ ...bound, ...context }) as Record<string, unknown>;
    const line =
      format === 'pretty'
        ? formatPretty(level, safeMsg, time, safe)
        : escapeJsonLine(
            JSON.stringify({
              level,
              msg: safeMsg,
              time: new Date(time).toISOString(),
              ...(Object.keys(safe).length > 0 ? { context: safe } : {}),
            }),
          );
    try {
      write(`${line}\n`);
    } catch {
      // A closed stderr must never take the agent down.
    }
  };

  return {
    debug: (msg, context) => emit('debug', msg, context),
    info: (msg, context) => emit('info', msg, context),
    warn: (msg, context) => emit('warn', msg, context),
    error: (msg, context) => emit('error', msg, context),
    child: (context) => createLogger(options, { ...bound, ...context }),
  };
}

/** A logger that drops everything, for tests and library defaults. */
export const silentLogger: Logger = createLogger({ write: () => undefined, level: 'error' });
