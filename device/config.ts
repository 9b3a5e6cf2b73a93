/**
 * The agent's configuration: one strict zod schema, validated once at start.
 *
 * Where values come from (later wins): the defaults below, the JSON file, `EC2LED_*` environment
 * variables, command-line flags — layered by `device/cli/config-load.ts`, validated here. Unknown keys
 * and bad values are errors that name the dotted key, the value, where it came from and the fix.
 * Cross-field checks (IoT credentials need an endpoint and a role alias; TLS needs a certificate and
 * key that are readable files, parse and belong together; pins must lie on the board the `display`
 * options describe) run beside the schema, against an injected file system, and every problem of a
 * config is listed in one go.
 */
import { z } from 'zod';
import {
  ACCOUNT_PATTERN,
  REGION_PATTERN,
  THING_NAME_PATTERN,
  TOPIC_PREFIX_PATTERN,
} from '../shared/patterns.ts';
import { DEFAULT_TOPIC_PREFIX } from '../shared/topics.ts';
import { displayOptionsSchema } from './display/options.ts';
import { displaySize } from './display/size.ts';
import { accountIds } from './fleet/accounts.ts';
import { PALETTE_KEYS, type PaletteKey } from './layout/palette.ts';
import { offBoard, parsePixel } from './layout/pins.ts';
import { fileProblem, realTlsCheck, type TlsCheck, type TlsFileKey } from './tls-files.ts';

const HOST = /^[A-Za-z0-9.-]{1,253}$/;
const COLOR = /^#[0-9a-fA-F]{6}$/;
const PIXEL = /^\d{1,2},\d{1,2}$/;

export const configSchema = z.strictObject({
  mqtt: z.strictObject({
    /** MQTT host: `aws iot describe-endpoint --endpoint-type iot:Data-ATS`, or a local broker. */
    endpoint: z.string().regex(HOST),
    /** 8883 (mutual TLS). 443 also works on IoT Core (ALPN is set by the SDK). */
    port: z.int().min(1).max(65535).default(8883),
    /** The thing name. One connection per client id: a second device with it kicks the first. */
    clientId: z.string().regex(THING_NAME_PATTERN),
    /** Device certificate, private key and CA (AmazonRootCA1 for IoT Core) file paths. */
    cert: z.string().min(1).optional(),
    key: z.string().min(1).optional(),
    ca: z.string().min(1).optional(),
    /** Default true. False is plain TCP, for a local test broker only. */
    tls: z.boolean().default(true),
    /** Default 60: a dead link is noticed within ~90 s; PINGs are free on IoT Core (5-1200 allowed). */
    keepAliveSeconds: z.int().min(5).max(1200).default(60),
    /** First reconnect delay, default 1 s; doubles per failed attempt up to the maximum. */
    reconnectMinSeconds: z.int().min(1).max(120).default(1),
    /** Reconnect delay ceiling, default 10 s (the SDK's own default is 120 s: two minutes dark). */
    reconnectMaxSeconds: z.int().min(1).max(120).default(10),
  }),
  aws: z.strictObject({
    /** 'iot' (default): short-lived keys from the IoT credentials provider. 'default': the SDK chain. */
    credentials: z.enum(['iot', 'default']).default('iot'),
    /** `aws iot describe-endpoint --endpoint-type iot:CredentialProvider`: host name, ":port" optional (443). */
    credentialsEndpoint: z
      .string()
      .regex(/^[A-Za-z0-9.-]{1,253}(:\d{1,5})?$/)
      .optional(),
    roleAlias: z
      .string()
      .regex(/^[\w=,@-]{1,128}$/)
      .optional(),
    /**
     * The AWS accounts whose instances the board shows: an id, or `{ id, label, tagFilter }`. Required:
     * changes for any other account are dropped, never shown. The first is the home account (the IoT
     * credentials'); every other is read through its `ec2led-reader` role (docs/accounts.md).
     * `ec2led device create` writes it.
     */
    accounts: z
      .array(
        z.union([
          z.string().regex(ACCOUNT_PATTERN),
          z.strictObject({
            id: z.string().regex(ACCOUNT_PATTERN),
            /** The legend's name for the account; default the id. */
            label: z.string().min(1).max(32).optional(),
            /** Overrides the config-wide tagFilter for this account. */
            tagFilter: z
              .strictObject({ key: z.string().min(1).max(127), value: z.string().max(255) })
              .optional(),
          }),
        ]),
      )
      .min(1),
    /** Regions listed with DescribeInstances, in parallel; changes for other regions are dropped. */
    regions: z.array(z.string().regex(REGION_PATTERN)).min(1),
    /** EC2 endpoint override, e.g. a fake; else the SDK honours AWS_ENDPOINT_URL_EC2. */
    ec2Endpoint: z.url({ protocol: /^https?$/ }).optional(),
    /** STS endpoint override, e.g. a fake; else the SDK's regional one (honours AWS_ENDPOINT_URL_STS). */
    stsEndpoint: z.url({ protocol: /^https?$/ }).optional(),
  }),
  /** First topic level; the device subscribes to `{topicPrefix}/v1/#`. */
  topicPrefix: z.string().regex(TOPIC_PREFIX_PATTERN).default(DEFAULT_TOPIC_PREFIX),
  /** Show only instances carrying this tag (DescribeInstances `tag:KEY` filter). */
  tagFilter: z.strictObject({ key: z.string().min(1).max(127), value: z.string().max(255) }).optional(),
  /** Relist every N minutes even when nothing seems lost. Default 15. */
  resyncMinutes: z.number().min(1).max(1440).default(15),
  /** How long a terminated instance keeps its pixel, in minutes. Default 10. */
  graceMinutes: z.number().min(0).max(1440).default(10),
  /** Fixed pixels: instance id or Name tag -> "x,y". */
  pins: z.record(z.string().min(1), z.string().regex(PIXEL)).default({}),
  /** Colour per state or indicator (disconnected, not-synced, overflow), '#rrggbb'; unset keys keep the palette. */
  colors: z
    .partialRecord(z.enum(PALETTE_KEYS as [PaletteKey, ...PaletteKey[]]), z.string().regex(COLOR))
    .default({}),
  /** Slots and the status socket live here. systemd's StateDirectory= sets $STATE_DIRECTORY. */
  stateDir: z.string().startsWith('/').default('/var/lib/ec2led'),
  display: displayOptionsSchema.prefault({}),
  web: z
    .strictObject({
      enabled: z.boolean().default(false),
      /** Default 127.0.0.1: the board is not on the network unless you say so. */
      host: z.string().min(1).default('127.0.0.1'),
      port: z.int().min(0).max(65535).default(8080),
      /** Default false. `/metrics` in Prometheus text format on this listener, also when `enabled` is false. */
      metrics: z.boolean().default(false),
    })
    .prefault({}),
  log: z
    .strictObject({
      format: z.enum(['json', 'pretty']).default('json'),
      level: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
    })
    .prefault({}),
});

export type Config = z.infer<typeof configSchema>;
export type MqttConfig = Config['mqtt'];
export type AwsConfig = Config['aws'];

/** What to write instead, per dotted key (`*` matches one level). */
const FIXES: Readonly<Record<string, string>> = {
  'mqtt.endpoint': 'use the host name from `aws iot describe-endpoint --endpoint-type iot:Data-ATS`',
  'mqtt.port': 'use a port number, 8883 for AWS IoT Core',
  'mqtt.clientId': 'use the thing name (letters, digits, ":", "_", "-", up to 128)',
  'mqtt.tls': 'use true (false only for a local plain-TCP broker)',
  'mqtt.keepAliveSeconds': 'use a whole number of seconds from 5 to 1200',
  'mqtt.reconnectMinSeconds': 'use a whole number of seconds from 1 to 120',
  'mqtt.reconnectMaxSeconds': 'use a whole number of seconds from 1 to 120',
  'aws.credentials': 'use "iot" (IoT credentials provider) or "default" (the AWS SDK chain)',
  'aws.credentialsEndpoint':
    'use the host name from `aws iot describe-endpoint --endpoint-type iot:CredentialProvider`',
  'aws.roleAlias': 'use the IoT role alias name (letters, digits, =,@-_)',
  'aws.accounts':
    'use a list of 12-digit account ids such as ["123456789012"]; ' +
    '`aws sts get-caller-identity --query Account --output text` prints the one your credentials are in',
  'aws.accounts.*':
    'use a 12-digit account id as a string, such as "123456789012", or { "id": "123456789012", "label": "prod" }',
  'aws.accounts.*.id': 'use a 12-digit account id as a string, such as "123456789012"',
  'aws.accounts.*.label': 'use a label of 1-32 characters, such as "prod"',
  'aws.regions': 'use a list of region names such as ["us-east-1"]',
  'aws.regions.*': 'use a region name such as "us-east-1"',
  'aws.ec2Endpoint': 'use an http(s) URL, or remove it',
  'aws.stsEndpoint': 'use an http(s) URL, or remove it',
  topicPrefix: `use one topic level of letters, digits, "_" or "-", such as "${DEFAULT_TOPIC_PREFIX}"`,
  'tagFilter.key': 'use a tag key of 1-127 characters',
  'tagFilter.value': 'use a tag value of up to 255 characters',
  resyncMinutes: 'use a number of minutes from 1 to 1440',
  graceMinutes: 'use a number of minutes from 0 to 1440',
  'pins.*': 'use "x,y" pixel coordinates such as "0,3"',
  'colors.*': `use "#rrggbb" for one of ${PALETTE_KEYS.join(', ')}`,
  stateDir: 'use an absolute directory path such as /var/lib/ec2led',
  'web.enabled': 'use true or false',
  'web.host': 'use an address to listen on, such as 127.0.0.1',
  'web.port': 'use a port number from 0 to 65535',
  'web.metrics': 'use true or false',
  'log.format': 'use "json" or "pretty"',
  'log.level': 'use "debug", "info", "warn" or "error"',
};

export class ConfigError extends Error {
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** The file-system checks, injected so tests need no real files. Returns a reason, or undefined when readable. */
export type ReadableCheck = (path: string) => string | undefined;

/** A regular file this user can read; a directory or a missing file is named as such. */
export const realReadable: ReadableCheck = fileProblem;

/** Where each value came from, by dotted key; the nearest recorded ancestor is used. */
export type Origins = ReadonlyMap<string, string>;

function originOf(path: string, origins: Origins): string {
  for (let p = path; p !== ''; p = p.includes('.') ? p.slice(0, p.lastIndexOf('.')) : '') {
    const found = origins.get(p);
    if (found !== undefined) return ` (from ${found})`;
  }
  return '';
}

function fixFor(path: string): string {
  const wildcard = path.replace(/\.[^.]+$/, '.*');
  const indexes = path.replace(/\.\d+(?=\.|$)/g, '.*');
  return FIXES[path] ?? FIXES[indexes] ?? FIXES[wildcard] ?? 'see docs/config.md';
}

function show(value: unknown, max = 60): string {
  const text = value === undefined ? 'missing' : JSON.stringify(value);
  return text.length > max ? `${text.slice(0, max - 3)}...` : text;
}

/** A file path is shown whole, within reason: its end is what tells one file from another. */
const PATH_SHOWN = 240;

function describeIssue(issue: z.core.$ZodIssue, origins: Origins): string {
  const path = issue.path.join('.');
  if (issue.code === 'unrecognized_keys') {
    return issue.keys
      .map((key) => {
        const at = path === '' ? key : `${path}.${key}`;
        return `unknown key ${at}${originOf(at, origins)}: remove it or fix its spelling (docs/config.md lists every key)`;
      })
      .join('\n  - ');
  }
  const input = (issue as { input?: unknown }).input;
  if (path.startsWith('display.')) return `${issue.message}${originOf(path, origins)}`;
  const what = input === undefined ? 'is missing' : `= ${show(input)} is invalid`;
  const reason =
    issue.code === 'invalid_format' ? 'wrong format' : issue.message.replace(/^Invalid (input|option): /, '');
  return `${path}${originOf(path, origins)} ${what}: ${reason}; ${fixFor(path)}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A field through its own schema: the value the config would hold, or undefined when invalid. */
function valid<T>(schema: z.ZodType<T>, value: unknown): T | undefined {
  const parsed = schema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

interface CheckOptions {
  readonly readable: ReadableCheck;
  readonly tls: TlsCheck;
  readonly origins: Origins;
}

/**
 * The checks across keys and against the files, run on every field that passed the schema even when
 * others did not, so one run lists every problem. A field the schema refused is skipped here (it is
 * already reported).
 */
function crossChecks(raw: unknown, options: CheckOptions): string[] {
  const { readable, tls: tlsCheck, origins } = options;
  const problems: string[] = [];
  const top = isRecord(raw) ? raw : {};
  const rawMqtt = isRecord(top.mqtt) ? top.mqtt : undefined;
  const rawAws = isRecord(top.aws) ? top.aws : undefined;
  const m = configSchema.shape.mqtt.shape;
  const a = configSchema.shape.aws.shape;

  const min = valid(m.reconnectMinSeconds, rawMqtt?.reconnectMinSeconds);
  const max = valid(m.reconnectMaxSeconds, rawMqtt?.reconnectMaxSeconds);
  if (rawMqtt !== undefined && min !== undefined && max !== undefined && min > max) {
    problems.push(
      `mqtt.reconnectMinSeconds = ${min} exceeds mqtt.reconnectMaxSeconds = ` +
        `${max}: make the minimum no larger than the maximum`,
    );
  }
  const credentials = valid(a.credentials, rawAws?.credentials);
  if (rawAws !== undefined && credentials === 'iot') {
    for (const key of ['credentialsEndpoint', 'roleAlias'] as const) {
      if (rawAws[key] === undefined) {
        problems.push(`aws.${key} is missing: aws.credentials "iot" needs it; ${fixFor(`aws.${key}`)}`);
      }
    }
  }

  const accounts = valid(a.accounts, rawAws?.accounts);
  const seen = new Set<string>();
  for (const id of accountIds(accounts ?? [])) {
    if (seen.has(id)) problems.push(`aws.accounts lists ${id} twice: list each account once`);
    seen.add(id);
  }

  const tls = valid(m.tls, rawMqtt?.tls);
  if (rawMqtt !== undefined && tls !== undefined && credentials !== undefined) {
    problems.push(...fileChecks(rawMqtt, tls, credentials, { readable, tls: tlsCheck, origins }));
  }

  const display = valid(configSchema.shape.display, top.display);
  const pins = valid(configSchema.shape.pins, top.pins);
  if (display !== undefined && pins !== undefined) {
    const { width, height } = displaySize(display);
    const board = `${width}x${height} ${display.board} board${display.rotation === 0 ? '' : ` at rotation ${display.rotation}`}`;
    for (const [name, value] of Object.entries(pins)) {
      const parsed = parsePixel(value);
      if (!parsed.ok || offBoard(parsed.pixel, width, height) === undefined) continue;
      const at = `pins.${name}`;
      problems.push(
        `${at}${originOf(at, origins)} = ${show(value)} is outside the ${board} ` +
          `(x 0-${width - 1}, y 0-${height - 1}): pick a pixel on the board, or check display.board and display.rotation`,
      );
    }
  }
  return problems;
}

/** Certificate, key and CA: present, regular readable files, then parseable and matching. */
function fileChecks(
  mqtt: Record<string, unknown>,
  tls: boolean,
  credentials: 'iot' | 'default',
  options: CheckOptions,
): string[] {
  const problems: string[] = [];
  if (!tls && credentials !== 'iot') return problems;
  const why = tls ? 'mqtt.tls is true' : 'aws.credentials is "iot"';
  const paths: Partial<Record<TlsFileKey, string>> = {};
  let bad = false;
  for (const key of ['cert', 'key', 'ca'] as const) {
    const value = mqtt[key];
    if (value === undefined) {
      problems.push(`mqtt.${key} is missing: ${why}, so it needs the device bundle's ${key} file path`);
      bad = true;
      continue;
    }
    const path = valid(configSchema.shape.mqtt.shape[key], value);
    if (path === undefined) {
      bad = true;
      continue;
    }
    const reason = options.readable(path);
    if (reason !== undefined) {
      problems.push(
        `mqtt.${key} = ${show(path, PATH_SHOWN)}${originOf(`mqtt.${key}`, options.origins)} ${reason}: ` +
          'copy the device bundle into place and make it readable by the ec2led user',
      );
      bad = true;
      continue;
    }
    paths[key] = path;
  }
  if (bad || paths.cert === undefined || paths.key === undefined) return problems;
  for (const problem of options.tls({ cert: paths.cert, key: paths.key, ca: paths.ca })) {
    const at = `mqtt.${problem.key}`;
    problems.push(
      `${at} = ${show(paths[problem.key], PATH_SHOWN)}${originOf(at, options.origins)} ${problem.reason}: ${problem.fix}`,
    );
  }
  return problems;
}

/**
 * Validates a layered raw object. Throws ConfigError listing every problem at once: the schema's,
 * then the checks across keys (reconnect range, IoT credentials, the certificate files and whether
 * they parse and match, pins on the board).
 */
export function parseConfig(
  raw: unknown,
  options: { readable?: ReadableCheck; tls?: TlsCheck; origins?: Origins } = {},
): Config {
  const origins = options.origins ?? new Map<string, string>();
  const result = configSchema.safeParse(raw, { reportInput: true });
  const problems = result.success ? [] : result.error.issues.map((i) => describeIssue(i, origins));
  problems.push(
    ...crossChecks(raw, {
      readable: options.readable ?? realReadable,
      tls: options.tls ?? realTlsCheck,
      origins,
    }),
  );
  if (problems.length > 0 || !result.success) throw new ConfigError(problems);
  return result.data;
}
