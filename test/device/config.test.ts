import { describe, expect, it } from 'vitest';
import { deviceConfig } from '../../device/commands/admin/bundle.ts';
import { ConfigError, parseConfig } from '../../device/config/config.ts';
import { type FlagValue, loadConfig } from '../../device/config/config-load.ts';
import type { TlsCheck } from '../../device/config/tls-files.ts';

/** The config.json that `ec2led device create` writes into the device bundle (the bundle contract in docs/deploy.md). */
const DEVICE_CREATE_CONFIG = {
  mqtt: {
    endpoint: 'a1b2c3d4e5f6g7-ats.iot.eu-west-1.amazonaws.com',
    port: 8883,
    clientId: 'ec2led-desk',
    cert: 'device.pem.crt',
    key: 'private.pem.key',
    ca: 'AmazonRootCA1.pem',
  },
  aws: {
    credentialsEndpoint: 'c1d2e3f4g5h6i7.credentials.iot.eu-west-1.amazonaws.com',
    roleAlias: 'ec2led-device',
    accounts: ['123456789012'],
    regions: ['eu-west-1', 'us-east-1'],
  },
  topicPrefix: 'ec2led',
  display: { board: 'unicornhatmini' },
};

const BUNDLE = '/etc/ec2led';
const everyFileReadable = () => undefined;
const everyFileParses = () => [];

function load(
  file: unknown,
  options: {
    env?: Record<string, string>;
    flags?: FlagValue[];
    readable?: (p: string) => string | undefined;
    tls?: TlsCheck;
    stdoutIsTerminal?: boolean;
  } = {},
) {
  return loadConfig({
    configPath: `${BUNDLE}/config.json`,
    readFile: () => JSON.stringify(file),
    env: options.env ?? {},
    flags: options.flags ?? [],
    readable: options.readable ?? everyFileReadable,
    tls: options.tls ?? everyFileParses,
    stdoutIsTerminal: options.stdoutIsTerminal ?? true,
    cwd: '/home/pi',
  });
}

function problemsOf(run: () => unknown): readonly string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loading the device bundle', () => {
  it('loads the config.json written by ec2led device create, with every default filled in', () => {
    const { config } = load(DEVICE_CREATE_CONFIG);
    expect(config.mqtt).toMatchObject({
      port: 8883,
      tls: true,
      reconnectMinSeconds: 1,
      reconnectMaxSeconds: 10,
      cert: `${BUNDLE}/device.pem.crt`,
      key: `${BUNDLE}/private.pem.key`,
      ca: `${BUNDLE}/AmazonRootCA1.pem`,
    });
    expect(config.aws.credentials).toBe('iot');
    expect(config.resyncMinutes).toBe(15);
    expect(config.graceMinutes).toBe(10);
    expect(config.stateDir).toBe('/var/lib/ec2led');
    expect(config.display.board).toBe('unicornhatmini');
    expect(config.web).toEqual({ enabled: false, host: '127.0.0.1', port: 8080, metrics: false });
    expect(config.log).toEqual({ format: 'json', level: 'info' });
  });

  it('loads what deviceConfig() of ec2led device create produces', () => {
    const written = deviceConfig('ec2led-desk', 'rgbmatrix5x5', {
      dataEndpoint: 'a1b2c3d4e5f6g7-ats.iot.eu-west-1.amazonaws.com',
      credentialsEndpoint: 'c1d2e3f4g5h6i7.credentials.iot.eu-west-1.amazonaws.com',
      policyName: 'ec2led-device',
      roleAlias: 'ec2led-device',
      topicPrefix: 'ec2led',
      regions: ['eu-west-1'],
      account: '210987654321',
    });
    const { config } = load(JSON.parse(JSON.stringify(written)));
    expect(config.aws.accounts).toEqual(['210987654321']);
    expect(config.mqtt.clientId).toBe('ec2led-desk');
    expect(config.mqtt.cert?.startsWith(`${BUNDLE}/`)).toBe(true);
    expect(config.display.board).toBe('rgbmatrix5x5');
  });

  it('checks the certificate files where the bundle put them', () => {
    const asked: string[] = [];
    load(DEVICE_CREATE_CONFIG, {
      readable: (p) => {
        asked.push(p);
        return undefined;
      },
    });
    expect(asked.sort()).toEqual([
      `${BUNDLE}/AmazonRootCA1.pem`,
      `${BUNDLE}/device.pem.crt`,
      `${BUNDLE}/private.pem.key`,
    ]);
  });
});

describe('precedence: defaults, file, environment, flags', () => {
  it('lets the environment override the file and flags override the environment', () => {
    const file = { ...DEVICE_CREATE_CONFIG, resyncMinutes: 30, display: { board: 'terminal' } };
    const env = { EC2LED_RESYNC_MINUTES: '5', EC2LED_DISPLAY_BOARD: 'web', EC2LED_MQTT_PORT: '443' };
    const flags: FlagValue[] = [{ key: 'display.board', value: 'none', flag: '--display' }];
    const { config } = load(file, { env, flags });
    expect(config.resyncMinutes).toBe(5);
    expect(config.mqtt.port).toBe(443);
    expect(config.display.board).toBe('none');
  });

  it('takes stateDir from systemd STATE_DIRECTORY unless the file or EC2LED_STATE_DIR says otherwise', () => {
    expect(
      load(DEVICE_CREATE_CONFIG, { env: { STATE_DIRECTORY: '/var/lib/ec2led-x' } }).config.stateDir,
    ).toBe('/var/lib/ec2led-x');
    const env = { STATE_DIRECTORY: '/var/lib/ec2led-x', EC2LED_STATE_DIR: '/srv/ec2led' };
    expect(load(DEVICE_CREATE_CONFIG, { env }).config.stateDir).toBe('/srv/ec2led');
  });

  it('parses lists, booleans and tag filters from environment variables', () => {
    const env = {
      EC2LED_AWS_REGIONS: 'us-east-1, eu-west-1',
      EC2LED_AWS_ACCOUNTS: '123456789012,210987654321',
      EC2LED_MQTT_TLS: 'false',
      EC2LED_AWS_CREDENTIALS: 'default',
      EC2LED_TAG_FILTER: 'team=platform',
      EC2LED_WEB_METRICS: 'true',
    };
    const { config } = load(DEVICE_CREATE_CONFIG, { env });
    expect(config.aws.regions).toEqual(['us-east-1', 'eu-west-1']);
    expect(config.aws.accounts).toEqual(['123456789012', '210987654321']);
    expect(config.mqtt.tls).toBe(false);
    expect(config.tagFilter).toEqual({ key: 'team', value: 'platform' });
    expect(config.web.metrics).toBe(true);
  });

  it('reads the file named by EC2LED_CONFIG when no --config is given', () => {
    const loaded = loadConfig({
      env: { EC2LED_CONFIG: '/opt/ec2led.json' },
      readFile: () => JSON.stringify(DEVICE_CREATE_CONFIG),
      readable: everyFileReadable,
      tls: everyFileParses,
    });
    expect(loaded.path).toBe('/opt/ec2led.json');
  });

  it('warns about an EC2LED_ variable that is no setting instead of ignoring it silently', () => {
    const { warnings } = load(DEVICE_CREATE_CONFIG, { env: { EC2LED_RESYNC_MINUTE: '5' } });
    expect(warnings).toEqual([expect.stringContaining('EC2LED_RESYNC_MINUTE')]);
  });
});

describe('every error names its key, its value, its source and the fix', () => {
  it('names an unknown key by its dotted path', () => {
    const file = { ...DEVICE_CREATE_CONFIG, mqtt: { ...DEVICE_CREATE_CONFIG.mqtt, prot: 1 } };
    expect(problemsOf(() => load(file))).toEqual([
      expect.stringMatching(/unknown key mqtt\.prot .*config\.json/),
    ]);
  });

  it('names a bad environment value and the variable it came from', () => {
    const [problem] = problemsOf(() => load(DEVICE_CREATE_CONFIG, { env: { EC2LED_MQTT_PORT: 'eighty' } }));
    expect(problem).toMatch(/^mqtt\.port \(from EC2LED_MQTT_PORT\) = "eighty" is invalid: .*8883/);
  });

  it.each([
    ['mqtt.keepAliveSeconds', { mqtt: { keepAliveSeconds: 2 } }, /mqtt\.keepAliveSeconds .*= 2 .*5 to 1200/],
    ['aws.regions.1', { aws: { regions: ['eu-west-1', 'Mars'] } }, /aws\.regions\.1 .*"Mars".*us-east-1/],
    ['colors.runing', { colors: { runing: '#ff0000' } }, /unknown key colors\.runing/],
    ['colors.running', { colors: { running: 'blue' } }, /colors\.running .*"blue".*#rrggbb/],
    ['pins.web-1', { pins: { 'web-1': '3;4' } }, /pins\.web-1 .*"3;4".*"x,y"/],
    ['display.board', { display: { board: 'hat' } }, /display\.board "hat" is invalid: use one of/],
    ['log.format', { log: { format: 'xml' } }, /log\.format .*"xml".*"json" or "pretty"/],
    ['web.metrics', { web: { metrics: 'yes' } }, /web\.metrics .*"yes".*true or false/],
    ['aws.ec2Endpoint', { aws: { ec2Endpoint: 'ftp://x' } }, /aws\.ec2Endpoint .*"ftp:\/\/x".*URL/],
    [
      'aws.accounts.0',
      { aws: { accounts: [123456789012] } },
      /aws\.accounts\.0 .*= 123456789012 .*"123456789012"/,
    ],
    [
      'aws.accounts.1',
      { aws: { accounts: ['123456789012', '1234'] } },
      /aws\.accounts\.1 .*"1234".*12-digit/,
    ],
    ['aws.accounts', { aws: { accounts: [] } }, /aws\.accounts .*= \[\] .*get-caller-identity/],
  ])('names %s', (_key, patch, pattern) => {
    const file = {
      ...DEVICE_CREATE_CONFIG,
      ...patch,
      mqtt: { ...DEVICE_CREATE_CONFIG.mqtt, ...(patch as { mqtt?: object }).mqtt },
      aws: { ...DEVICE_CREATE_CONFIG.aws, ...(patch as { aws?: object }).aws },
    };
    expect(problemsOf(() => load(file))).toEqual([expect.stringMatching(pattern)]);
  });

  it('names a missing required key', () => {
    const { endpoint: _, ...mqtt } = DEVICE_CREATE_CONFIG.mqtt;
    const [problem] = problemsOf(() => load({ ...DEVICE_CREATE_CONFIG, mqtt }));
    expect(problem).toMatch(/^mqtt\.endpoint .*is missing: .*describe-endpoint/);
  });

  it('requires the accounts, naming the command that prints the account id', () => {
    const { accounts: _, ...aws } = DEVICE_CREATE_CONFIG.aws;
    expect(problemsOf(() => load({ ...DEVICE_CREATE_CONFIG, aws }))).toEqual([
      expect.stringMatching(/^aws\.accounts .*is missing: .*aws sts get-caller-identity/),
    ]);
  });

  it('requires the credentials endpoint and role alias for IoT credentials', () => {
    const aws = { accounts: ['123456789012'], regions: ['eu-west-1'] };
    expect(problemsOf(() => load({ ...DEVICE_CREATE_CONFIG, aws }))).toEqual([
      expect.stringMatching(/^aws\.credentialsEndpoint is missing: aws\.credentials "iot" needs it/),
      expect.stringMatching(/^aws\.roleAlias is missing/),
    ]);
  });

  it('names a certificate file that is missing, with the path it looked at', () => {
    const readable = (p: string) => (p.endsWith('private.pem.key') ? 'does not exist' : undefined);
    expect(problemsOf(() => load(DEVICE_CREATE_CONFIG, { readable }))).toEqual([
      expect.stringMatching(
        /^mqtt\.key = "\/etc\/ec2led\/private\.pem\.key" .* does not exist: copy the device/,
      ),
    ]);
  });

  it('needs no certificate files for a plain-TCP broker with the default credential chain', () => {
    const config = parseConfig(
      {
        mqtt: { endpoint: '127.0.0.1', port: 1883, clientId: 'demo', tls: false },
        aws: { credentials: 'default', accounts: ['123456789012'], regions: ['us-east-1'] },
      },
      { readable: () => 'does not exist' },
    );
    expect(config.mqtt.cert).toBeUndefined();
  });

  it('refuses a reconnect minimum above the maximum', () => {
    const mqtt = { ...DEVICE_CREATE_CONFIG.mqtt, reconnectMinSeconds: 30, reconnectMaxSeconds: 10 };
    expect(problemsOf(() => load({ ...DEVICE_CREATE_CONFIG, mqtt }))).toEqual([
      expect.stringMatching(/reconnectMinSeconds = 30 exceeds mqtt\.reconnectMaxSeconds = 10/),
    ]);
  });

  it('names the file and the fix when the file is missing or not JSON', () => {
    const missing = () =>
      loadConfig({
        env: {},
        readFile: () => {
          throw Object.assign(new Error('nope'), { code: 'ENOENT' });
        },
      });
    expect(problemsOf(missing)).toEqual([
      expect.stringMatching(
        /\/etc\/ec2led\/config\.json does not exist: install the device bundle with `sudo ec2led setup DIR`/,
      ),
    ]);
    const broken = () => loadConfig({ configPath: '/x.json', env: {}, readFile: () => '{"mqtt":' });
    expect(problemsOf(broken)).toEqual([expect.stringMatching(/\/x\.json is not JSON/)]);
  });
});

describe('the default board', () => {
  const { display: _, ...withoutDisplay } = DEVICE_CREATE_CONFIG;

  it('is the terminal board when stdout is a terminal', () => {
    const loaded = load(withoutDisplay, { stdoutIsTerminal: true });
    expect(loaded.config.display.board).toBe('terminal');
    expect(loaded.warnings).toEqual([]);
  });

  it('is no board, with a warning naming the fix, when stdout is not a terminal (a service)', () => {
    const loaded = load({ ...withoutDisplay, display: { brightness: 0.3 } }, { stdoutIsTerminal: false });
    expect(loaded.config.display).toMatchObject({ board: 'none', brightness: 0.3 });
    expect(loaded.warnings).toEqual([
      expect.stringMatching(/display\.board is not set .*set display\.board/),
    ]);
  });

  it('is whatever the file, the environment or a flag says, terminal or not', () => {
    expect(load(DEVICE_CREATE_CONFIG, { stdoutIsTerminal: false }).config.display.board).toBe(
      'unicornhatmini',
    );
    const env = { EC2LED_DISPLAY_BOARD: 'terminal' };
    expect(load(withoutDisplay, { stdoutIsTerminal: false, env }).config.display.board).toBe('terminal');
  });
});

describe('one run lists every problem', () => {
  it('lists schema errors, cross-key checks and pins outside the board together', () => {
    const file = {
      ...DEVICE_CREATE_CONFIG,
      mqtt: {
        ...DEVICE_CREATE_CONFIG.mqtt,
        port: 'eighty',
        reconnectMinSeconds: 30,
        reconnectMaxSeconds: 10,
      },
      aws: { accounts: ['123456789012'], regions: ['eu-west-1'] },
      resyncMinutes: 0,
      pins: { web: '16,0', db: '0,6' },
    };
    const readable = (p: string) => (p.endsWith('.key') ? 'is a directory, not a file' : undefined);
    expect(problemsOf(() => load(file, { readable }))).toEqual([
      expect.stringMatching(/^mqtt\.port .*"eighty" is invalid/),
      expect.stringMatching(/^resyncMinutes .*= 0 is invalid/),
      expect.stringMatching(/^mqtt\.reconnectMinSeconds = 30 exceeds mqtt\.reconnectMaxSeconds = 10/),
      expect.stringMatching(/^aws\.credentialsEndpoint is missing/),
      expect.stringMatching(/^aws\.roleAlias is missing/),
      expect.stringMatching(/^mqtt\.key = "\/etc\/ec2led\/private\.pem\.key" .*is a directory, not a file/),
    ]);
  });

  it('refuses a pin outside the board with the board size, where it came from and the fix', () => {
    const file = { ...DEVICE_CREATE_CONFIG, pins: { web: '17,0', db: '16,6', api: '3,7' } };
    expect(problemsOf(() => load(file))).toEqual([
      'pins.web (from /etc/ec2led/config.json) = "17,0" is outside the 17x7 unicornhatmini board ' +
        '(x 0-16, y 0-6): pick a pixel on the board, or check display.board and display.rotation',
      expect.stringMatching(/^pins\.api .*"3,7" is outside the 17x7 unicornhatmini board/),
    ]);
  });

  it('sizes the board from the display options: rotation swaps a physical board, virtual ones take their size', () => {
    const rotated = {
      ...DEVICE_CREATE_CONFIG,
      display: { board: 'unicornhatmini', rotation: 90 },
      pins: { a: '6,16', b: '7,0' },
    };
    expect(problemsOf(() => load(rotated))).toEqual([
      expect.stringMatching(/^pins\.b .*"7,0" is outside the 7x17 unicornhatmini board at rotation 90/),
    ]);
    const virtual = {
      ...DEVICE_CREATE_CONFIG,
      display: { board: 'none', virtualWidth: 4, virtualHeight: 2 },
      pins: { a: '3,1', b: '4,0' },
    };
    expect(problemsOf(() => load(virtual))).toEqual([
      expect.stringMatching(/^pins\.b .*outside the 4x2 none board/),
    ]);
  });
});
