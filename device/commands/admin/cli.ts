/**
 * `ec2led device create|delete|list|set|update|update-key`: enrols a Raspberry Pi in IoT Core, removes
 * it, lists them, sets its settings, or updates its package by an IoT job signed with the update key. Run where the admin
 * runs `cdk deploy` (same credentials, same region). Parsing is pure (`parseDeviceArgs`); the AWS
 * adapters (enroll.ts, shadow-set.ts, update.ts: the only importers of the admin SDK clients) are loaded
 * only when a command runs.
 *
 * Exit codes: 0 done (also: nothing to do), 1 AWS or the machine failed, 2 usage error.
 * Data (one JSON line) to stdout, messages to stderr.
 */

import { readdir, readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { THING_NAME_PATTERN } from '../../../shared/patterns.ts';
import { isRecord } from '../../../shared/schema.ts';
import { DEFAULT_STACK_NAME } from '../../../shared/stack.ts';
import { BOARD_KINDS } from '../../config/display-options.ts';
import {
  checkRemoteValue,
  desiredPatch,
  REMOTE_KEYS,
  SHADOW_STATE_LIMIT_BYTES,
} from '../../config/remote-settings.ts';
import { type AccountEntry, accountIds } from '../../fleet/accounts.ts';
import { wrapHelp } from '../cli/help.ts';
import { AdminError, usageError } from './errors.ts';
import { defaultKeyFile, loadPublicKey, type PublicKey, publicKeyFileOf } from './update-key.ts';

export const DEVICE_USAGE = `ec2led device — enrol a Raspberry Pi in IoT Core, remove, list, set or update it

Examples:
  ec2led device create desk-pi
  ec2led device create desk-pi --board unicornhatmini --out ./desk-pi
  ec2led device create desk-pi --csr desk-pi.csr      # the private key never leaves the Pi
  ec2led device create desk-pi --board unicornhatmini --install pi@desk-pi.local
  ec2led device create wall-pi --accounts 222222222222=staging,333333333333=sandbox
  ec2led device list
  ec2led device delete desk-pi
  ec2led device set desk-pi display.brightness=0.2 pins.web-1=0,3 colors.running='#00ff00'
  ec2led device set desk-pi pins.web-1=null        # back to the device's own config
  ec2led device update-key create                  # once: the key that signs updates
  ec2led device update desk-pi --package ec2-led_0.2.0_arm64.deb
  ec2led device update --all --package ec2-led_0.2.0_arm64.deb
  ec2led device update --status                    # each Pi's execution of the newest update

Usage:
  ec2led device create NAME [--board KIND] [--out DIR] [--csr FILE] [--accounts LIST]
                            [--stack NAME] [--region R] [--install USER@HOST [--deb FILE]]
                            [--update-key FILE]
  ec2led device list [--stack NAME] [--region R]
  ec2led device delete NAME [--force] [--region R]
  ec2led device set NAME KEY=VALUE... [--stack NAME] [--region R]
  ec2led device update NAME|--all --package FILE [--allow-downgrade] [--key FILE]
                            [--stack NAME] [--region R]
  ec2led device update --status [JOB] [--region R]
  ec2led device update-key create [--out FILE]

  NAME          the thing name and MQTT client id: 1-128 letters, digits, "_", "-" or ":"
  --board KIND  display.board in config.json (default terminal); one of
                ${wrapHelp(BOARD_KINDS.join(', '), 16)}
  --out DIR     where the bundle goes (default ./ec2led-NAME); must be new or empty
  --csr FILE    a PEM certificate signing request made on the Pi; no key is written
  --accounts LIST  member accounts the board also shows, after the home stack's own:
                ACCOUNT[=LABEL],... e.g. 111111111111=prod,222222222222=staging
                (each needs the member stack, docs/accounts.md)
  --stack NAME  the home stack (default ${DEFAULT_STACK_NAME})
  --region R    the home region (default: AWS_REGION or your profile's, as for cdk deploy)
  --force       delete a thing even without the ec2led-stack attribute create sets
                (a device made before devices were marked)
  --install USER@HOST  then install it on that Pi over ssh: copies the .deb and the bundle, runs
                sudo apt install and sudo ec2led setup there, streaming their output; exit 3 when
                the Pi needs its one reboot (docs/pi.md)
  --deb FILE    the package to install (default: the newest ec2-led_*_arm64.deb here, which
                npm run package:pi writes)
  --update-key FILE  the update key whose public half goes into the bundle, so the Pi accepts
                updates signed by it (default: the .pub.pem beside the default --key, if any)
  --package FILE  the .deb to send (version and architecture are read from its control file)
  --all         every device of the stack
  --allow-downgrade  sign permission to install a version older than the running one
  --key FILE    the private update key (default ${'${XDG_CONFIG_HOME:-~/.config}'}/ec2led/update-key.pem)
  --status      each device's execution of JOB (default: the newest update job) and what it reported
  --out FILE    with update-key create: where the private key goes (default as --key); the public
                half goes beside it as .pub.pem. Never overwrites

create reads the home stack's outputs, so deploy first (docs/deploy.md). Safe to rerun.
list prints one JSON line per device of the stack: its certificates and their status.
set writes the desired state of the device's ec2led-settings shadow; the Pi applies it within
seconds when online, else when it connects.
${wrapHelp(`KEY is one of ${REMOTE_KEYS.join(', ')}, or an entry of pins or colors (pins.NAME, colors.STATE).`, 0)}
VALUE is read as JSON when it parses, else as text; null removes the key, and the device's config
file applies again. Checked with the config schema before it is sent; a value the Pi refuses shows
in the shadow's reported.errors (docs/pi.md).
update uploads the package to the stack's update bucket, signs it with the update key and creates an
IoT job; each Pi checks the signature, hash, version and architecture before it installs, and a Pi
that is offline takes the job when it connects (docs/pi.md, "Updating").
`;

export interface Io {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

export const DEFAULT_BOARD = 'terminal';

export type DeviceCommand =
  | { readonly kind: 'help' }
  /** `ec2led device` alone: the usage on stderr, exit 2, as for any other usage error. */
  | { readonly kind: 'missing' }
  | {
      readonly kind: 'create';
      readonly thingName: string;
      readonly board: string;
      readonly outDir: string;
      readonly csrFile: string | undefined;
      /** `--accounts`: member accounts after the home one. */
      readonly accounts: readonly AccountEntry[];
      readonly stackName: string;
      readonly region: string | undefined;
      /** `--install USER@HOST` and `--deb FILE`: install the bundle on that Pi over ssh. */
      readonly install: { readonly host: string; readonly deb: string | undefined } | undefined;
      /** `--update-key FILE`: the update key whose public half goes into the bundle. */
      readonly updateKey?: string | undefined;
    }
  | {
      readonly kind: 'delete';
      readonly thingName: string;
      readonly force: boolean;
      readonly region: string | undefined;
    }
  | { readonly kind: 'list'; readonly stackName: string; readonly region: string | undefined }
  | {
      readonly kind: 'set';
      readonly thingName: string;
      /** The desired patch: every KEY=VALUE merged, later wins. */
      readonly desired: Readonly<Record<string, unknown>>;
      readonly stackName: string;
      readonly region: string | undefined;
    }
  | {
      readonly kind: 'update';
      /** A thing name, or `all`: every device of the stack. */
      readonly target: string;
      readonly all: boolean;
      readonly packageFile: string;
      readonly keyFile: string;
      readonly allowDowngrade: boolean;
      readonly stackName: string;
      readonly region: string | undefined;
    }
  | {
      readonly kind: 'update-status';
      readonly jobId: string | undefined;
      readonly region: string | undefined;
    }
  | { readonly kind: 'update-key-create'; readonly out: string };

/** Flags only some commands take; any other command refuses them. */
const UPDATE_FLAGS = ['package', 'all', 'allow-downgrade', 'key', 'status'] as const;

function refuse(
  command: string,
  values: Record<string, unknown>,
  flags: readonly string[],
  takes: string,
): void {
  const given = flags.filter((key) => values[key] !== undefined);
  if (given.length > 0) throw usageError(`device ${command} takes no --${given.join(', --')}; ${takes}`);
}

function checkThingName(name: string | undefined): string {
  if (name === undefined) throw usageError('missing NAME; run ec2led device --help');
  if (!THING_NAME_PATTERN.test(name)) {
    throw usageError(
      `thing name ${JSON.stringify(name)} is invalid: use 1-128 letters, digits, "_", "-" or ":" ` +
        '(it is also the MQTT client id), e.g. desk-pi',
    );
  }
  return name;
}

/** Pure: argv after `device` -> a command, or a usage error (exit code 2) naming the fix. */
export function parseDeviceArgs(
  argv: readonly string[],
  cwd: string,
  env: NodeJS.ProcessEnv = process.env,
): DeviceCommand {
  let parsed: ReturnType<typeof parseOptions>;
  try {
    parsed = parseOptions(argv);
  } catch (error) {
    throw usageError(`${(error as Error).message}; run ec2led device --help`);
  }
  const { values, positionals } = parsed;
  const [command, name, ...extra] = positionals;
  if (values.help === true || command === 'help') return { kind: 'help' };
  if (command === undefined) return { kind: 'missing' };
  if (command === 'update' || command === 'update-key') {
    return parseUpdateArgs(command, name, extra, values, cwd, env);
  }
  refuse(
    command,
    values,
    [...UPDATE_FLAGS, ...(command === 'create' ? [] : ['update-key'])],
    'see ec2led device --help',
  );
  if (command === 'set') {
    const unsupported = (['board', 'out', 'csr', 'force', 'accounts', 'install', 'deb'] as const).filter(
      (key) => values[key] !== undefined,
    );
    if (unsupported.length > 0) {
      throw usageError(`device set takes no --${unsupported.join(', --')}; it takes --stack and --region`);
    }
    return {
      kind: 'set',
      thingName: checkThingName(name),
      desired: parseAssignments(extra),
      stackName: values.stack ?? DEFAULT_STACK_NAME,
      region: values.region,
    };
  }
  if (extra.length > 0) throw usageError(`unexpected ${extra.join(' ')}; give one NAME`);
  if (command === 'create') {
    if (values.force !== undefined) throw usageError('device create takes no --force; --force is for delete');
    const thingName = checkThingName(name);
    const board = values.board ?? DEFAULT_BOARD;
    if (!(BOARD_KINDS as readonly string[]).includes(board)) {
      throw usageError(
        `--board ${JSON.stringify(board)} is not a board kind; use one of ${BOARD_KINDS.join(', ')}`,
      );
    }
    if (values.deb !== undefined && values.install === undefined) {
      throw usageError('--deb goes with --install USER@HOST, the Pi to install it on');
    }
    if (values.install !== undefined && values.csr !== undefined) {
      throw usageError(
        '--install copies a bundle with its private key; with --csr the key stays on the Pi: copy the bundle and install by hand (docs/pi.md)',
      );
    }
    if (values.install !== undefined && !/^[\w.@:-]+$/.test(values.install)) {
      throw usageError(
        `--install ${JSON.stringify(values.install)} is not USER@HOST or a host name, e.g. pi@desk-pi.local`,
      );
    }
    return {
      kind: 'create',
      thingName,
      board,
      outDir: resolve(cwd, values.out ?? `ec2led-${thingName}`),
      csrFile: values.csr === undefined ? undefined : resolve(cwd, values.csr),
      accounts: parseAccountsFlag(values.accounts),
      stackName: values.stack ?? DEFAULT_STACK_NAME,
      region: values.region,
      install:
        values.install === undefined
          ? undefined
          : { host: values.install, deb: values.deb === undefined ? undefined : resolve(cwd, values.deb) },
      updateKey: values['update-key'] === undefined ? undefined : resolve(cwd, values['update-key']),
    };
  }
  if (command === 'delete') {
    const unsupported = (['board', 'out', 'csr', 'stack', 'accounts', 'install', 'deb'] as const).filter(
      (key) => values[key] !== undefined,
    );
    if (unsupported.length > 0) {
      throw usageError(
        `device delete takes no --${unsupported.join(', --')}; it takes NAME, --force and --region`,
      );
    }
    return {
      kind: 'delete',
      thingName: checkThingName(name),
      force: values.force === true,
      region: values.region,
    };
  }
  if (command === 'list') {
    if (name !== undefined)
      throw usageError(`device list takes no NAME (got ${name}); it lists every device`);
    const unsupported = (['board', 'out', 'csr', 'force', 'accounts', 'install', 'deb'] as const).filter(
      (key) => values[key] !== undefined,
    );
    if (unsupported.length > 0) {
      throw usageError(`device list takes no --${unsupported.join(', --')}; it takes --stack and --region`);
    }
    return { kind: 'list', stackName: values.stack ?? DEFAULT_STACK_NAME, region: values.region };
  }
  throw usageError(
    `unknown device command ${JSON.stringify(command)}; use create, list, delete, set, update or update-key`,
  );
}

function parseUpdateArgs(
  command: 'update' | 'update-key',
  name: string | undefined,
  extra: readonly string[],
  values: ReturnType<typeof parseOptions>['values'],
  cwd: string,
  env: NodeJS.ProcessEnv,
): DeviceCommand {
  const other = ['board', 'csr', 'force', 'accounts', 'install', 'deb', 'update-key'] as const;
  if (extra.length > 0) throw usageError(`unexpected ${extra.join(' ')}; see ec2led device --help`);
  if (command === 'update-key') {
    if (name !== 'create') {
      throw usageError(
        `device update-key ${name ?? ''} is not a command; use ec2led device update-key create`,
      );
    }
    refuse(
      'update-key create',
      values,
      [...other, ...UPDATE_FLAGS, 'stack', 'region'],
      'it takes --out FILE',
    );
    return { kind: 'update-key-create', out: resolve(cwd, values.out ?? defaultKeyFile(env)) };
  }
  refuse('update', values, [...other, 'out'], 'see ec2led device --help');
  if (values.status === true) {
    refuse(
      'update --status',
      values,
      ['package', 'all', 'allow-downgrade', 'key', 'stack'],
      'it takes JOB and --region',
    );
    if (name !== undefined && !/^[a-zA-Z0-9_-]{1,64}$/.test(name)) {
      throw usageError(
        `${JSON.stringify(name)} is not a job id (1-64 letters, digits, "_" or "-"); ec2led device update --status alone shows the newest`,
      );
    }
    return { kind: 'update-status', jobId: name, region: values.region };
  }
  if (values.package === undefined) {
    throw usageError(
      'device update needs --package FILE, the ec2-led_*_arm64.deb that npm run package:pi wrote',
    );
  }
  if (values.all === true && name !== undefined) {
    throw usageError(`give NAME or --all, not both (got ${name} and --all)`);
  }
  if (values.all !== true && name === undefined) {
    throw usageError('device update needs NAME, or --all for every device of the stack');
  }
  return {
    kind: 'update',
    target: values.all === true ? '' : checkThingName(name),
    all: values.all === true,
    packageFile: resolve(cwd, values.package),
    keyFile: resolve(cwd, values.key ?? defaultKeyFile(env)),
    allowDowngrade: values['allow-downgrade'] === true,
    stackName: values.stack ?? DEFAULT_STACK_NAME,
    region: values.region,
  };
}

function mergeInto(target: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  const out = { ...target };
  for (const [key, value] of Object.entries(patch)) {
    const old = out[key];
    out[key] = isRecord(old) && isRecord(value) ? mergeInto(old, value) : value;
  }
  return out;
}

/**
 * `KEY=VALUE...` -> one desired patch. VALUE is JSON when it parses (0.2, null, {"key":"env"}),
 * else text (0,3 and #00ff00 are text). Each value is checked with the config schema here, so a typo
 * fails on the admin machine instead of in the shadow's reported.errors.
 */
export function parseAssignments(assignments: readonly string[]): Record<string, unknown> {
  if (assignments.length === 0) {
    throw usageError(
      `device set needs KEY=VALUE, e.g. display.brightness=0.2; keys: ${REMOTE_KEYS.join(', ')}`,
    );
  }
  let desired: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const assignment of assignments) {
    const at = assignment.indexOf('=');
    if (at <= 0) {
      problems.push(`${JSON.stringify(assignment)} is not KEY=VALUE; write e.g. display.brightness=0.2`);
      continue;
    }
    const name = assignment.slice(0, at);
    const text = assignment.slice(at + 1);
    let value: unknown = text;
    try {
      value = JSON.parse(text);
    } catch {
      value = text;
    }
    const found = value === null ? [] : checkRemoteValue(name, value);
    if (found.length > 0) {
      problems.push(...found);
      continue;
    }
    try {
      desired = mergeInto(desired, desiredPatch(name, value));
    } catch {
      problems.push(`${name} cannot be set from the shadow; use one of ${REMOTE_KEYS.join(', ')}`);
    }
  }
  if (problems.length > 0) throw usageError(problems.join('\n  '));
  const bytes = Buffer.byteLength(JSON.stringify({ desired }), 'utf8');
  if (bytes > SHADOW_STATE_LIMIT_BYTES) {
    throw usageError(
      `the desired settings take ${bytes} bytes; a shadow holds ${SHADOW_STATE_LIMIT_BYTES} for desired and reported together: set fewer at once`,
    );
  }
  return desired;
}

/** `111111111111=prod,222222222222` -> aws.accounts entries; a usage error names a bad one. */
export function parseAccountsFlag(value: string | undefined): AccountEntry[] {
  if (value === undefined) return [];
  const entries: AccountEntry[] = [];
  for (const part of value.split(',')) {
    const match = /^\s*(\d{12})\s*(?:=\s*([^,=]{1,32}?)\s*)?$/.exec(part);
    if (match === null) {
      throw usageError(
        `--accounts entry ${JSON.stringify(part)} is not ACCOUNT or ACCOUNT=LABEL; ` +
          'write e.g. --accounts 111111111111=prod,222222222222=staging',
      );
    }
    const [, id = '', label] = match;
    if (accountIds(entries).includes(id))
      throw usageError(`--accounts lists ${id} twice; list each account once`);
    entries.push(label === undefined ? id : { id, label });
  }
  return entries;
}

function parseOptions(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      board: { type: 'string' },
      out: { type: 'string' },
      csr: { type: 'string' },
      accounts: { type: 'string' },
      stack: { type: 'string' },
      region: { type: 'string' },
      force: { type: 'boolean' },
      install: { type: 'string' },
      deb: { type: 'string' },
      'update-key': { type: 'string' },
      package: { type: 'string' },
      all: { type: 'boolean' },
      'allow-downgrade': { type: 'boolean' },
      key: { type: 'string' },
      status: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

/** The .deb `--install` copies: `--deb`, else the newest ec2-led_*_arm64.deb in `cwd`. */
async function findDeb(given: string | undefined, cwd: string): Promise<string> {
  if (given !== undefined) {
    if (
      !(await stat(given).then(
        (info) => info.isFile(),
        () => false,
      ))
    ) {
      throw usageError(
        `--deb ${given} is not a file; pass the ec2-led_*_arm64.deb that npm run package:pi wrote`,
      );
    }
    return given;
  }
  const { newestDeb } = await import('./install-over-ssh.ts');
  const found = newestDeb(await readdir(cwd).catch(() => []));
  if (found === undefined) {
    throw usageError(
      `no ec2-led_*_arm64.deb in ${cwd} to install: run npm run package:pi first, or pass --deb FILE`,
    );
  }
  return resolve(cwd, found);
}

/**
 * The update key for a new bundle: `--update-key`, else the public half beside the default private
 * key when it exists, else none. `note` says which, for after the bundle is written (with the fix
 * when there is none: such a Pi trusts only the keys its package ships).
 */
async function bundleUpdateKey(
  given: string | undefined,
  env: NodeJS.ProcessEnv,
): Promise<{ readonly key: PublicKey | undefined; readonly note: string }> {
  const file = given ?? publicKeyFileOf(defaultKeyFile(env));
  if (
    given !== undefined ||
    (await stat(file).then(
      (info) => info.isFile(),
      () => false,
    ))
  ) {
    const key = await loadPublicKey(file);
    return { key, note: `the bundle trusts update key ${key.keyId} (${file})` };
  }
  return {
    key: undefined,
    note:
      'no update key in the bundle: this Pi trusts only the update keys its package ships; make one with ' +
      'ec2led device update-key create before creating devices (docs/deploy.md, "Signing key")',
  };
}

async function readCsr(file: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw usageError(
      `--csr ${file} cannot be read (${(error as Error).message}); pass the CSR file made on the Pi`,
    );
  }
  if (!/-----BEGIN (NEW )?CERTIFICATE REQUEST-----/.test(text)) {
    throw usageError(
      `--csr ${file} is not a PEM certificate signing request; make one on the Pi with ` +
        '`openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout private.pem.key -subj /CN=NAME -out NAME.csr`',
    );
  }
  return text;
}

type Enroll = typeof import('./enroll.ts');
type ShadowSet = typeof import('./shadow-set.ts');
type Update = typeof import('./update.ts');

export interface DeviceDeps {
  /** The AWS adapter; tests replace it to simulate a clone without the admin SDK clients. */
  readonly load?: () => Promise<Enroll>;
  /** The shadow adapter of `device set`; tests replace it like `load`. */
  readonly loadShadow?: () => Promise<ShadowSet>;
  /** The update adapter of `device update`; tests replace it like `load`. */
  readonly loadUpdate?: () => Promise<Update>;
  /** For the default update key's place (XDG_CONFIG_HOME); default process.env. */
  readonly env?: NodeJS.ProcessEnv;
  /** The clock that names update jobs; tests fix it. */
  readonly now?: () => Date;
  readonly cwd?: string;
  /** Between retries of deletes that wait for a detachment; tests pass a no-op. */
  readonly sleep?: (ms: number) => Promise<void>;
  /** How `--install` runs scp and ssh; default the real ones with this terminal. */
  readonly runStep?: import('./install-over-ssh.ts').RunStep;
}

async function loadEnroll<T = Enroll>(load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ERR_MODULE_NOT_FOUND' && /@aws-sdk\/client-(iot|cloudformation|s3)/.test(String(error))) {
      throw new AdminError(
        'the device admin commands need @aws-sdk/client-iot, @aws-sdk/client-iot-data-plane, @aws-sdk/client-cloudformation and @aws-sdk/client-s3, which ' +
          'are development dependencies; run from the repository clone where `npm ci` installed the admin tools',
        1,
        { cause: error },
      );
    }
    throw error;
  }
}

/** Runs a command; resolves to its exit code when it is not 0 (`--install` on a Pi that needs a reboot: 3). */
async function run(command: DeviceCommand, io: Io, deps: DeviceDeps): Promise<number | undefined> {
  if (command.kind === 'help') {
    io.stdout(DEVICE_USAGE);
    return;
  }
  if (command.kind === 'missing') {
    io.stderr(DEVICE_USAGE);
    throw usageError('missing command: create or delete');
  }
  const say = (line: string) => io.stderr(`${line}\n`);
  if (command.kind === 'create') {
    const csr = command.csrFile === undefined ? undefined : await readCsr(command.csrFile);
    // Before anything is enrolled: a missing package is a usage error that changes nothing.
    const deb =
      command.install === undefined
        ? undefined
        : await findDeb(command.install.deb, deps.cwd ?? process.cwd());
    const updateKey = await bundleUpdateKey(command.updateKey, deps.env ?? process.env);
    const enroll = await loadEnroll(deps.load ?? (() => import('./enroll.ts')));
    const result = await enroll.createDevice(
      enroll.adminClients(command.region),
      {
        thingName: command.thingName,
        board: command.board,
        outDir: command.outDir,
        stackName: command.stackName,
        csr,
        accounts: command.accounts,
        ...(updateKey.key === undefined ? {} : { updateKey: updateKey.key }),
      },
      say,
      deps.sleep,
    );
    io.stdout(
      `${JSON.stringify({ thing: command.thingName, ...result, ...(result.status === 'created' ? { bundle: command.outDir } : {}) })}\n`,
    );
    if (result.status === 'created') say(updateKey.note);
    if (command.install !== undefined && deb !== undefined) {
      if (
        !(await stat(resolve(command.outDir, 'config.json')).then(
          () => true,
          () => false,
        ))
      ) {
        throw new AdminError(
          `no bundle in ${command.outDir} to install (${command.thingName} was enrolled earlier); pass --out with its folder, ` +
            `or ec2led device delete ${command.thingName} and create it again`,
          1,
        );
      }
      const { installOverSsh } = await import('./install-over-ssh.ts');
      const code = await installOverSsh(
        { host: command.install.host, deb, bundleDir: command.outDir },
        say,
        deps.runStep,
      );
      return code === 0 ? undefined : code;
    }
    if (result.status === 'created') {
      say(
        csr === undefined
          ? `next: copy ec2-led_*_arm64.deb (npm run package:pi) and ${command.outDir} to the Pi, then there ` +
              `sudo apt install ./ec2-led_*_arm64.deb and sudo ec2led setup ~/${command.outDir.split('/').at(-1)} ` +
              '(docs/pi.md), or run this with --install USER@HOST'
          : `next: copy ${command.outDir} to the Pi, put the Pi's private key next to it as private.pem.key, ` +
              'and run sudo ec2led setup with that folder (docs/pi.md)',
      );
    }
    return;
  }
  if (command.kind === 'set') {
    const shadow = await loadEnroll(deps.loadShadow ?? (() => import('./shadow-set.ts')));
    const result = await shadow.setDesired(command);
    io.stdout(
      `${JSON.stringify({ thing: command.thingName, shadow: 'ec2led-settings', desired: command.desired, ...result })}\n`,
    );
    say(
      `${command.thingName} applies it within seconds when online, else when it connects; a refused value shows ` +
        `in the shadow's reported.errors: aws iot-data get-thing-shadow --thing-name ${command.thingName} ` +
        '--shadow-name ec2led-settings /dev/stdout',
    );
    return;
  }
  if (command.kind === 'update-key-create') {
    const { createUpdateKey } = await import('./update-key.ts');
    const created = await createUpdateKey(command.out);
    io.stdout(`${JSON.stringify(created)}\n`);
    say(
      `made update key ${created.keyId}: keep ${created.privateKeyFile} private (it signs updates); ` +
        `${created.publicKeyFile} goes into each new device bundle (ec2led device create), and into the package ` +
        'with EC2LED_UPDATE_KEYS (docs/deploy.md, "Signing key")',
    );
    return;
  }
  if (command.kind === 'update' || command.kind === 'update-status') {
    const update = await loadEnroll(deps.loadUpdate ?? (() => import('./update.ts')));
    const clients = update.updateClients(command.region);
    if (command.kind === 'update-status') {
      const status = await update.updateStatus(clients, command.jobId);
      for (const execution of status.executions) io.stdout(`${JSON.stringify(execution)}\n`);
      say(
        `job ${status.job}: ${status.status}, ${status.executions.length} execution${status.executions.length === 1 ? '' : 's'}` +
          (status.executions.some((e) => e.status === 'QUEUED')
            ? '; QUEUED waits for the Pi to connect and take it'
            : ''),
      );
      return;
    }
    const result = await update.startUpdate(
      clients,
      {
        target: command.all ? 'all' : command.target,
        packageFile: command.packageFile,
        keyFile: command.keyFile,
        allowDowngrade: command.allowDowngrade,
        stackName: command.stackName,
      },
      say,
      deps.now === undefined ? {} : { now: deps.now },
    );
    io.stdout(`${JSON.stringify(result)}\n`);
    return;
  }
  const enroll = await loadEnroll(deps.load ?? (() => import('./enroll.ts')));
  if (command.kind === 'list') {
    const devices = await enroll.listDevices(enroll.adminClients(command.region), command.stackName);
    for (const device of devices) io.stdout(`${JSON.stringify(device)}\n`);
    say(
      `${devices.length} device${devices.length === 1 ? '' : 's'} of stack ${command.stackName}` +
        (devices.length === 0 ? '; enrol one with ec2led device create NAME' : ''),
    );
    return;
  }
  const result = await enroll.deleteDevice(
    enroll.adminClients(command.region),
    command.thingName,
    say,
    deps.sleep,
    { force: command.force },
  );
  io.stdout(`${JSON.stringify({ thing: command.thingName, ...result })}\n`);
}

/** Runs `ec2led device ...` and resolves to the exit code; never throws. */
export async function deviceMain(argv: readonly string[], io: Io, deps: DeviceDeps = {}): Promise<number> {
  try {
    return (await run(parseDeviceArgs(argv, deps.cwd ?? process.cwd(), deps.env), io, deps)) ?? 0;
  } catch (error) {
    if (error instanceof AdminError) {
      io.stderr(`ec2led device: ${error.message}\n`);
      return error.exitCode;
    }
    io.stderr(
      `ec2led device: unexpected failure: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    return 1;
  }
}
