/**
 * The agent's configuration: one strict zod schema, validated once at start. The schema is the one
 * table of keys: each carries its type, its default, and — as metadata, `setting(fix, env)`,
 * config-table.ts — the fix text its errors give and its `EC2LED_*` environment variable.
 *
 * Where values come from (later wins): the defaults below, the JSON file, `EC2LED_*` environment
 * variables, command-line flags — layered by `device/config/config-load.ts`, validated here. Unknown keys
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
} from '../../shared/patterns.ts';
import { isRecord } from '../../shared/schema.ts';
import { DEFAULT_TOPIC_PREFIX } from '../../shared/topics.ts';
import { accountIds } from '../fleet/accounts.ts';
import { isKind, KIND_NAMES } from '../kinds/kinds.ts';
import { paletteKeys } from '../picture/palette.ts';
import { offBoard, parsePixel } from '../picture/pins.ts';
import { buttonsOptionsSchema } from './buttons-options.ts';
import { type EnvKind, remote, type Setting, setting, settingsOf } from './config-table.ts';
import { displayOptionsSchema } from './display-options.ts';
import { displaySize } from './display-size.ts';
import { fileProblem, realTlsCheck, type TlsCheck, type TlsFileKey } from './tls-files.ts';

const HOST = /^[A-Za-z0-9.-]{1,253}$/;
const COLOR = /^#[0-9a-fA-F]{6}$/;
const PIXEL = /^\d{1,2},\d{1,2}$/;
const BUNDLE_FILE = "use the path of the device bundle's file";
const TAG_FIX = 'use { "key": "...", "value": "..." }; a key of 1-127 characters, a value of up to 255';

const tagFilterSchema = z.strictObject({
  key: z.string().min(1).max(127).meta(setting('use a tag key of 1-127 characters')),
  value: z.string().max(255).meta(setting('use a tag value of up to 255 characters')),
});

export const configSchema = z.strictObject({
  mqtt: z.strictObject({
    /** MQTT host: `aws iot describe-endpoint --endpoint-type iot:Data-ATS`, or a local broker. */
    endpoint: z
      .string()
      .regex(HOST)
      .meta(
        setting(
          'use the host name from `aws iot describe-endpoint --endpoint-type iot:Data-ATS`',
          'EC2LED_MQTT_ENDPOINT',
        ),
      ),
    /** 8883 (mutual TLS). 443 also works on IoT Core (ALPN is set by the SDK). */
    port: z
      .int()
      .min(1)
      .max(65535)
      .default(8883)
      .meta(setting('use a port number, 8883 for AWS IoT Core', 'EC2LED_MQTT_PORT', 'number')),
    /** The thing name. One connection per client id: a second device with it kicks the first. */
    clientId: z
      .string()
      .regex(THING_NAME_PATTERN)
      .meta(
        setting('use the thing name (letters, digits, ":", "_", "-", up to 128)', 'EC2LED_MQTT_CLIENT_ID'),
      ),
    /** Device certificate, private key and CA (AmazonRootCA1 for IoT Core) file paths. */
    cert: z
      .string()
      .min(1)
      .optional()
      .meta(setting(BUNDLE_FILE, 'EC2LED_MQTT_CERT', 'path')),
    key: z
      .string()
      .min(1)
      .optional()
      .meta(setting(BUNDLE_FILE, 'EC2LED_MQTT_KEY', 'path')),
    ca: z
      .string()
      .min(1)
      .optional()
      .meta(setting(BUNDLE_FILE, 'EC2LED_MQTT_CA', 'path')),
    /** Default true. False is plain TCP, for a local test broker only. */
    tls: z
      .boolean()
      .default(true)
      .meta(setting('use true (false only for a local plain-TCP broker)', 'EC2LED_MQTT_TLS', 'boolean')),
    /** Default 60: a dead link is noticed within ~90 s; PINGs are free on IoT Core (5-1200 allowed). */
    keepAliveSeconds: z
      .int()
      .min(5)
      .max(1200)
      .default(60)
      .meta(
        setting('use a whole number of seconds from 5 to 1200', 'EC2LED_MQTT_KEEP_ALIVE_SECONDS', 'number'),
      ),
    /** First reconnect delay, default 1 s; doubles per failed attempt up to the maximum. */
    reconnectMinSeconds: z
      .int()
      .min(1)
      .max(120)
      .default(1)
      .meta(
        setting('use a whole number of seconds from 1 to 120', 'EC2LED_MQTT_RECONNECT_MIN_SECONDS', 'number'),
      ),
    /** Reconnect delay ceiling, default 10 s (the SDK's own default is 120 s: two minutes dark). */
    reconnectMaxSeconds: z
      .int()
      .min(1)
      .max(120)
      .default(10)
      .meta(
        setting('use a whole number of seconds from 1 to 120', 'EC2LED_MQTT_RECONNECT_MAX_SECONDS', 'number'),
      ),
  }),
  aws: z.strictObject({
    /** 'iot' (default): short-lived keys from the IoT credentials provider. 'default': the SDK chain. */
    credentials: z
      .enum(['iot', 'default'])
      .default('iot')
      .meta(
        setting(
          'use "iot" (IoT credentials provider) or "default" (the AWS SDK chain)',
          'EC2LED_AWS_CREDENTIALS',
        ),
      ),
    /** `aws iot describe-endpoint --endpoint-type iot:CredentialProvider`: host name, ":port" optional (443). */
    credentialsEndpoint: z
      .string()
      .regex(/^[A-Za-z0-9.-]{1,253}(:\d{1,5})?$/)
      .optional()
      .meta(
        setting(
          'use the host name from `aws iot describe-endpoint --endpoint-type iot:CredentialProvider`',
          'EC2LED_AWS_CREDENTIALS_ENDPOINT',
        ),
      ),
    roleAlias: z
      .string()
      .regex(/^[\w=,@-]{1,128}$/)
      .optional()
      .meta(setting('use the IoT role alias name (letters, digits, =,@-_)', 'EC2LED_AWS_ROLE_ALIAS')),
    /**
     * The AWS accounts whose instances the board shows: an id, or `{ id, label, tagFilter }`. Required:
     * changes for any other account are dropped, never shown. The first is the home account (the IoT
     * credentials'); every other is read through its `ec2led-reader` role (docs/accounts.md).
     * `ec2led device create` writes it.
     */
    accounts: z
      .array(
        z
          .union([
            z.string().regex(ACCOUNT_PATTERN),
            z.strictObject({
              id: z
                .string()
                .regex(ACCOUNT_PATTERN)
                .meta(setting('use a 12-digit account id as a string, such as "123456789012"')),
              /** The legend's name for the account; default the id. */
              label: z
                .string()
                .min(1)
                .max(32)
                .optional()
                .meta(setting('use a label of 1-32 characters, such as "prod"')),
              /** Overrides the config-wide tagFilter for this account. */
              tagFilter: tagFilterSchema.optional(),
            }),
          ])
          .meta(
            setting(
              'use a 12-digit account id as a string, such as "123456789012", or { "id": "123456789012", "label": "prod" }',
            ),
          ),
      )
      .min(1)
      .meta(
        setting(
          'use a list of 12-digit account ids such as ["123456789012"]; ' +
            '`aws sts get-caller-identity --query Account --output text` prints the one your credentials are in',
          'EC2LED_AWS_ACCOUNTS',
          'list',
        ),
      ),
    /** Regions listed with DescribeInstances, in parallel; changes for other regions are dropped. */
    regions: z
      .array(z.string().regex(REGION_PATTERN).meta(setting('use a region name such as "us-east-1"')))
      .min(1)
      .meta(setting('use a list of region names such as ["us-east-1"]', 'EC2LED_AWS_REGIONS', 'list')),
    /** EC2 endpoint override, e.g. a fake; else the SDK honours AWS_ENDPOINT_URL_EC2. */
    ec2Endpoint: z
      .url({ protocol: /^https?$/ })
      .optional()
      .meta(setting('use an http(s) URL, or remove it', 'EC2LED_AWS_EC2_ENDPOINT')),
    /** STS endpoint override, e.g. a fake; else the SDK's regional one (honours AWS_ENDPOINT_URL_STS). */
    stsEndpoint: z
      .url({ protocol: /^https?$/ })
      .optional()
      .meta(setting('use an http(s) URL, or remove it')),
  }),
  /** First topic level; the device subscribes to `{topicPrefix}/v1/{account}/{region}/+`. */
  topicPrefix: z
    .string()
    .regex(TOPIC_PREFIX_PATTERN)
    .default(DEFAULT_TOPIC_PREFIX)
    .meta(
      setting(
        `use one topic level of letters, digits, "_" or "-", such as "${DEFAULT_TOPIC_PREFIX}"`,
        'EC2LED_TOPIC_PREFIX',
      ),
    ),
  /** Show only instances carrying this tag (DescribeInstances `tag:KEY` filter). */
  tagFilter: tagFilterSchema.optional().meta(remote(setting(TAG_FIX, 'EC2LED_TAG_FILTER', 'tag'))),
  /** Relist every N minutes even when nothing seems lost. Default 15. */
  resyncMinutes: z
    .number()
    .min(1)
    .max(1440)
    .default(15)
    .meta(remote(setting('use a number of minutes from 1 to 1440', 'EC2LED_RESYNC_MINUTES', 'number'))),
  /** How long a terminated instance keeps its pixel, in minutes. Default 10. */
  graceMinutes: z
    .number()
    .min(0)
    .max(1440)
    .default(10)
    .meta(setting('use a number of minutes from 0 to 1440', 'EC2LED_GRACE_MINUTES', 'number')),
  /** Fixed pixels: instance id or Name tag -> "x,y". */
  pins: z
    .record(
      z.string().min(1),
      z.string().regex(PIXEL).meta(setting('use "x,y" pixel coordinates such as "0,3"')),
    )
    .default({})
    .meta(
      remote(setting('use { "NAME": "x,y" } with an instance id or Name tag, such as { "web-1": "0,3" }')),
    ),
  /** Colour per state or indicator (disconnected, not-synced, overflow), '#rrggbb'; unset keys keep the palette. */
  colors: z
    .partialRecord(
      // Any registered kind's state (kinds/kinds.ts registerKind), read when a config is parsed.
      z.string().refine((key) => paletteKeys().includes(key), {
        error: () => `not a colour key; use one of ${paletteKeys().join(', ')}`,
      }),
      z
        .string()
        .regex(COLOR)
        .meta(setting(`use "#rrggbb" for a state's or indicator's colour, e.g. "running": "#0000ff"`)),
    )
    .default({})
    .meta(remote(setting('use { "STATE": "#rrggbb" }, such as { "ALARM": "#ff0000" }'))),
  // Kinds beyond instances (docs/checks.md, docs/layout.md): which alarms, and where each kind goes.
  /** CloudWatch alarms of the home account as pixels; absent: none (no DescribeAlarms, no alarm topics). */
  alarms: z
    .strictObject({
      /** Alarm name prefixes (DescribeAlarms AlarmNamePrefix), any one matches; "" selects every alarm. */
      prefixes: z
        .array(z.string().max(255).meta(setting('use an alarm name prefix of up to 255 characters')))
        .min(1)
        .meta(setting('use a list of alarm name prefixes such as ["prod-", "web-"]; [""] shows every alarm')),
      /** Where the alarms live; default aws.regions (add us-east-1 for Route 53 and CloudFront checks). */
      regions: z
        .array(z.string().regex(REGION_PATTERN).meta(setting('use a region name such as "us-east-1"')))
        .min(1)
        .optional()
        .meta(
          setting(
            'use a list of region names such as ["eu-west-1", "us-east-1"], or remove it for aws.regions',
          ),
        ),
      /** CloudWatch endpoint override, e.g. a fake; else the SDK honours AWS_ENDPOINT_URL_CLOUDWATCH. */
      endpoint: z
        .url({ protocol: /^https?$/ })
        .optional()
        .meta(setting('use an http(s) URL, or remove it')),
    })
    .optional(),
  /**
   * CodePipeline pipelines and ECS services of the home account as pixels (sources/deploys.ts,
   * docs/layout.md); absent: none (no CodePipeline or ECS calls, no deploy topics).
   */
  deploys: z
    .strictObject({
      /** Name prefixes, any one matches a pipeline's or a service's name; "" selects every one. */
      prefixes: z
        .array(z.string().max(255).meta(setting('use a name prefix of up to 255 characters')))
        .min(1)
        .meta(
          setting(
            'use a list of pipeline and service name prefixes such as ["shop-"]; [""] shows every one',
            'EC2LED_DEPLOYS_PREFIXES',
            'list',
          ),
        ),
      /** Where the pipelines and services live; default aws.regions. */
      regions: z
        .array(z.string().regex(REGION_PATTERN).meta(setting('use a region name such as "us-east-1"')))
        .min(1)
        .optional()
        .meta(setting('use a list of region names such as ["eu-west-1"], or remove it for aws.regions')),
      /** Default true: CodePipeline pipelines (ListPipelines, ListPipelineExecutions). */
      pipelines: z.boolean().default(true).meta(setting('use true or false')),
      /** ECS clusters whose services are shown (DescribeServices); default none: no ECS calls. */
      ecsClusters: z
        .array(
          z
            .string()
            .regex(/^[A-Za-z0-9_-]{1,255}$/)
            .meta(setting('use a cluster name of 1-255 letters, digits, "_" or "-"')),
        )
        .max(10)
        .default([])
        .meta(
          setting(
            'use a list of up to 10 ECS cluster names such as ["prod"]',
            'EC2LED_DEPLOYS_ECS_CLUSTERS',
            'list',
          ),
        ),
      /** A successful deploy shows bright this long, then dims; default 60. */
      dimAfterMinutes: z
        .int()
        .min(1)
        .max(10_080)
        .default(60)
        .meta(
          setting(
            'use a whole number of minutes from 1 to 10080',
            'EC2LED_DEPLOYS_DIM_AFTER_MINUTES',
            'number',
          ),
        ),
      /** CodePipeline endpoint override, e.g. a fake; else the SDK honours AWS_ENDPOINT_URL_CODEPIPELINE. */
      codepipelineEndpoint: z
        .url({ protocol: /^https?$/ })
        .optional()
        .meta(setting('use an http(s) URL, or remove it')),
      /** ECS endpoint override, e.g. a fake; else the SDK honours AWS_ENDPOINT_URL_ECS. */
      ecsEndpoint: z
        .url({ protocol: /^https?$/ })
        .optional()
        .meta(setting('use an http(s) URL, or remove it')),
    })
    .optional(),
  /** Checks run from the Pi itself (sources/probes.ts, docs/checks.md); absent: none. */
  probes: z
    .array(
      z.strictObject({
        name: z
          .string()
          .regex(/^[A-Za-z0-9._-]{1,64}$/)
          .meta(setting('use a unique name of 1-64 letters, digits, ".", "_" or "-"')),
        url: z
          .string()
          .regex(/^(?:(?:hls:)?https?:\/\/\S{1,2000}|tcp:\/\/[A-Za-z0-9.-]{1,253}:\d{1,5})$/)
          .meta(setting('use https://host/path, http://…, tcp://host:port or hls:https://…/playlist.m3u8')),
        match: z
          .string()
          .min(1)
          .max(255)
          .optional()
          .meta(setting('use the text of 1-255 characters the first 5,120 bytes of the page must hold')),
        intervalSeconds: z
          .int()
          .min(10)
          .max(3600)
          .default(60)
          .meta(setting('use a whole number of seconds from 10 to 3600')),
      }),
    )
    .min(1)
    .max(32)
    .optional()
    .meta(
      setting('use a list of 1-32 probes such as [{ "name": "www", "url": "https://www.example.com/" }]'),
    ),
  /** Per kind, where its new pixels go (slots.ts); absent: each kind's default (kinds.ts `from`). */
  zones: z
    .partialRecord(
      // Any registered kind (kinds/kinds.ts registerKind), read when a config is parsed.
      z.string().refine((kind) => isKind(kind), {
        error: () => `not a kind; use one of ${KIND_NAMES.join(', ')}`,
      }),
      z.strictObject({
        from: z.enum(['top', 'bottom']).optional().meta(setting('use "top" or "bottom"')),
        rows: z
          .int()
          .min(1)
          .max(64)
          .optional()
          .meta(setting('use a whole number of rows from 1 to 64, or remove it to share the board')),
      }),
    )
    .optional()
    .meta(
      setting(
        'use { "alarm": { "from": "bottom", "rows": 1 } }, keyed by a kind (instance, alarm, probe, or one registered)',
      ),
    ),
  // Home Assistant (home-assistant/, docs/pi.md).
  /** The user's local MQTT broker, for Home Assistant's MQTT discovery. Absent (default): off. */
  homeAssistant: z
    .strictObject({
      host: z
        .string()
        .regex(HOST)
        .meta(setting('use the host name or address of your MQTT broker, such as "homeassistant.local"')),
      /** Default 1883 (8883 is usual with tls). */
      port: z
        .int()
        .min(1)
        .max(65535)
        .default(1883)
        .meta(setting('use a port number, 1883 (plain) or 8883 (TLS)')),
      username: z
        .string()
        .min(1)
        .max(256)
        .optional()
        .meta(setting('use the MQTT user name (1-256 characters), or remove it')),
      password: z
        .string()
        .max(256)
        .optional()
        .meta(setting('use the MQTT password (up to 256 characters), or remove it')),
      /** Default false (a broker on the LAN). True: TLS, checked against `ca` (else the system's CAs). */
      tls: z.boolean().default(false).meta(setting('use true (TLS) or false (plain TCP on your LAN)')),
      ca: z
        .string()
        .startsWith('/')
        .optional()
        .meta(setting('use an absolute path to the CA file that signed the broker certificate')),
      /** A client certificate and key, for a broker that asks for one (with tls). */
      cert: z
        .string()
        .startsWith('/')
        .optional()
        .meta(setting('use an absolute path to the client certificate file')),
      key: z.string().startsWith('/').optional().meta(setting('use an absolute path to the client key file')),
      /** Home Assistant's discovery prefix. Default "homeassistant". */
      discoveryPrefix: z
        .string()
        .regex(TOPIC_PREFIX_PATTERN)
        .default('homeassistant')
        .meta(setting('use one topic level such as "homeassistant" (letters, digits, "_", "-")')),
      /** This board's id in topics and entity ids; default mqtt.clientId made safe. */
      nodeId: z
        .string()
        .regex(/^[a-z0-9_]{1,64}$/)
        .optional()
        .meta(setting('use lower-case letters, digits and "_" (up to 64), such as "desk_pi"')),
    })
    .optional(),
  // WLED (wled/, docs/wled.md): LED strips and matrices on the LAN that mirror the board.
  /** WLED devices that show the picture too; absent (default): none, nothing is sent. */
  wled: z
    .array(
      z.strictObject({
        host: z
          .string()
          .regex(HOST)
          .meta(
            setting(
              'use the WLED device\'s host name or address, such as "wled-desk.local" or "192.168.1.50"',
            ),
          ),
        /** DDP: the UDP port, default 4048; JSON: the HTTP port, default 80. */
        port: z
          .int()
          .min(1)
          .max(65535)
          .optional()
          .meta(setting('use a port number, or remove it for 4048 (ddp) or 80 (json)')),
        /** The JSON API's HTTP port, which DDP uses to check the device and hand it back; default 80. */
        httpPort: z
          .int()
          .min(1)
          .max(65535)
          .optional()
          .meta(setting("use the HTTP port of WLED's web page, or remove it for 80")),
        /**
         * Default "ddp": WLED's realtime path, one UDP datagram per 480 LEDs, nothing for the ESP to
         * parse, so animations keep the agent's pace. "json": `seg.i` over HTTP, for a device or
         * network that drops UDP; slower, no keep-alive.
         */
        protocol: z.enum(['ddp', 'json']).default('ddp').meta(setting('use "ddp" (default) or "json"')),
        mapping: z
          .strictObject({
            layout: z
              .enum(['strip', 'serpentine', 'matrix'])
              .meta(
                setting('use "strip", "serpentine" (zig-zag matrix) or "matrix" (every row the same way)'),
              ),
            /** LEDs a row (a strip: the LED count); default the picture's, scaled and turned. */
            width: z
              .int()
              .min(1)
              .max(4096)
              .optional()
              .meta(setting('use a whole number of LEDs from 1 to 4096')),
            height: z
              .int()
              .min(1)
              .max(256)
              .optional()
              .meta(setting('use a whole number of LED rows from 1 to 256')),
            /** Where LED 0 is, seen from the front; default top-left. */
            origin: z
              .enum(['top-left', 'top-right', 'bottom-left', 'bottom-right'])
              .optional()
              .meta(setting('use "top-left", "top-right", "bottom-left" or "bottom-right": where LED 0 is')),
            /** Clockwise turn of the picture on the matrix; default 0. */
            rotation: z
              .union([z.literal(0), z.literal(90), z.literal(180), z.literal(270)])
              .optional()
              .meta(setting('use 0, 90, 180 or 270')),
            /** LEDs a board pixel takes along each side (a strip: LEDs a pixel); default 1. */
            scale: z
              .int()
              .min(1)
              .max(16)
              .optional()
              .meta(setting('use a whole number from 1 to 16: 2 shows each pixel as a 2x2 block')),
          })
          .meta(setting('use { "layout": "serpentine", "width": 16, "height": 16 }')),
        /** Brightness cap 0..1 over the board's (night mode's) brightness; default 1. */
        maxBrightness: z.number().min(0).max(1).optional().meta(setting('use a number from 0 to 1')),
      }),
    )
    .min(1)
    .max(8)
    .optional()
    .meta(
      setting(
        'use a list of 1-8 devices such as [{ "host": "wled-desk.local", "mapping": { "layout": "strip" } }]',
      ),
    ),
  /** Buttons on GPIO lines (config/buttons-options.ts, docs/pi.md#buttons); `{}`: the Unicorn HAT Mini's four. Absent: none. */
  buttons: buttonsOptionsSchema.optional(),
  /** Slots and the status socket live here. systemd's StateDirectory= sets $STATE_DIRECTORY. */
  stateDir: z
    .string()
    .startsWith('/')
    .default('/var/lib/ec2led')
    .meta(setting('use an absolute directory path such as /var/lib/ec2led', 'EC2LED_STATE_DIR', 'path')),
  display: displayOptionsSchema.prefault({}),
  web: z
    .strictObject({
      enabled: z
        .boolean()
        .default(false)
        .meta(setting('use true or false', 'EC2LED_WEB_ENABLED', 'boolean')),
      /** Default 127.0.0.1: the board is not on the network unless you say so. */
      host: z
        .string()
        .min(1)
        .default('127.0.0.1')
        .meta(setting('use an address to listen on, such as 127.0.0.1', 'EC2LED_WEB_HOST')),
      port: z
        .int()
        .min(0)
        .max(65535)
        .default(8080)
        .meta(setting('use a port number from 0 to 65535', 'EC2LED_WEB_PORT', 'number')),
      /** Default false. `/metrics` in Prometheus text format on this listener, also when `enabled` is false. */
      metrics: z
        .boolean()
        .default(false)
        .meta(setting('use true or false', 'EC2LED_WEB_METRICS', 'boolean')),
    })
    .prefault({}),
  log: z
    .strictObject({
      format: z
        .enum(['json', 'pretty'])
        .default('json')
        .meta(setting('use "json" or "pretty"', 'EC2LED_LOG_FORMAT')),
      level: z
        .enum(['debug', 'info', 'warn', 'error'])
        .default('info')
        .meta(setting('use "debug", "info", "warn" or "error"', 'EC2LED_LOG_LEVEL')),
    })
    .prefault({}),
});

export type Config = z.infer<typeof configSchema>;
export type MqttConfig = Config['mqtt'];
export type AwsConfig = Config['aws'];

/** Every key's fix text and environment variable, read off the schema once. */
export const CONFIG_KEYS: ReadonlyMap<string, Setting> = settingsOf(configSchema);

/** The dotted keys the settings shadow may set (`remote(...)` above), in the schema's order. */
export const REMOTE_CONFIG_KEYS: readonly string[] = [...CONFIG_KEYS]
  .filter(([, found]) => found.remote === true)
  .map(([key]) => key);

/** Environment variable -> dotted key and how its text converts (config/config-load.ts). */
export const ENV_KEYS: Readonly<Record<string, readonly [key: string, kind: EnvKind]>> = Object.fromEntries(
  [...CONFIG_KEYS].flatMap(([key, { env }]) =>
    env === undefined ? [] : [[env.name, [key, env.kind] as const]],
  ),
);

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

/** The table's key for `path` where any level may be a `*` (zones.alarm.rows -> zones.*.rows). */
function anyLevel(path: string): string {
  const parts = path.split('.');
  let best = '';
  let wildcards = Number.POSITIVE_INFINITY;
  for (const key of CONFIG_KEYS.keys()) {
    const levels = key.split('.');
    if (levels.length !== parts.length || !levels.every((l, i) => l === '*' || l === parts[i])) continue;
    const count = levels.filter((l) => l === '*').length;
    if (count < wildcards) [best, wildcards] = [key, count];
  }
  return best;
}

function fixFor(path: string): string {
  const wildcard = path.replace(/\.[^.]+$/, '.*');
  const indexes = path.replace(/\.\d+(?=\.|$)/g, '.*');
  const fix = (key: string) => CONFIG_KEYS.get(key)?.fix;
  return fix(path) ?? fix(indexes) ?? fix(wildcard) ?? fix(anyLevel(path)) ?? 'see docs/config.md';
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
  if (issue.code === 'invalid_key') {
    // A record keyed by a registered kind or state (colors, zones): the key's own check says which.
    const inner = issue.issues[0]?.message ?? 'remove it or fix its spelling';
    return `unknown key ${path}${originOf(path, origins)}: ${inner}`;
  }
  const input = (issue as { input?: unknown }).input;
  if (path.startsWith('display.')) return `${issue.message}${originOf(path, origins)}`;
  const what = input === undefined ? 'is missing' : `= ${show(input)} is invalid`;
  const reason =
    issue.code === 'invalid_format' ? 'wrong format' : issue.message.replace(/^Invalid (input|option): /, '');
  return `${path}${originOf(path, origins)} ${what}: ${reason}; ${fixFor(path)}`;
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

  const probes = valid(configSchema.shape.probes, top.probes) ?? [];
  const probeNames = new Set<string>();
  for (const probe of probes) {
    if (probeNames.has(probe.name))
      problems.push(`probes lists ${probe.name} twice: give each probe its own name`);
    probeNames.add(probe.name);
  }

  const wled = valid(configSchema.shape.wled, top.wled) ?? [];
  wled.forEach((device, index) => {
    const { mapping } = device;
    if (mapping.layout !== 'strip') return;
    for (const key of ['height', 'origin', 'rotation'] as const) {
      if (mapping[key] === undefined) continue;
      problems.push(
        `wled.${index}.mapping.${key} means nothing for a strip: remove it, or use "layout": "matrix" or "serpentine"`,
      );
    }
  });

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
