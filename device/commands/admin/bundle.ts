/**
 * The device bundle `ec2led device create` writes: certificate, private key (unless the key was made
 * on the Pi from a CSR), Amazon Root CA 1 and a ready agent `config.json` whose file paths are relative
 * to the bundle folder, so the folder can be copied to the Pi as it is.
 *
 * With an update key (`ec2led device update-key create`), its public half as
 * `update-keys/<keyId>.pem`: the agent trusts update jobs signed by it (`ec2led setup` installs it
 * beside the certificate).
 *
 * Pure planning (`deviceConfig`, `bundleFiles`) and a thin file-system adapter (`checkOutDir`,
 * `writeBundle`). The key is written 0600 in a folder of mode 0700, never overwriting a file.
 */
import { chmod, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { type AccountEntry, accountIds } from '../../fleet/accounts.ts';
import { usageError } from './errors.ts';
import { AMAZON_ROOT_CA_1 } from './root-ca.ts';
import type { DeviceAccess } from './stack-outputs.ts';
import { type PublicKey, UPDATE_KEYS_DIR } from './update-key.ts';

export const CERTIFICATE_FILE = 'certificate.pem.crt';
export const PRIVATE_KEY_FILE = 'private.pem.key';
export const ROOT_CA_FILE = 'AmazonRootCA1.pem';
export const CONFIG_FILE = 'config.json';
export const MQTT_PORT = 8883;

/** The agent config; key names agreed with device/config/config.ts. */
export interface DeviceConfig {
  readonly mqtt: {
    readonly endpoint: string;
    readonly port: number;
    readonly clientId: string;
    readonly cert: string;
    readonly key: string;
    readonly ca: string;
  };
  readonly aws: {
    readonly credentialsEndpoint: string;
    readonly roleAlias: string;
    readonly accounts: readonly AccountEntry[];
    readonly regions: readonly string[];
  };
  readonly topicPrefix: string;
  readonly display: { readonly board: string };
  /** The Unicorn HAT Mini's buttons with their default map (docs/pi.md#buttons); other boards have none. */
  readonly buttons?: Record<string, never>;
}

export interface BundleFile {
  readonly name: string;
  readonly text: string;
  readonly mode: number;
}

/**
 * aws.accounts: the home stack's account first (the IoT credentials are in it), then the member
 * accounts of `--accounts`; a label given for the home account labels it.
 */
export function accountEntries(home: string, extra: readonly AccountEntry[]): AccountEntry[] {
  const label = (entry: AccountEntry) => (typeof entry === 'string' ? undefined : entry.label);
  const homeEntry = extra.find((entry) => accountIds([entry])[0] === home);
  const homeLabel = homeEntry === undefined ? undefined : label(homeEntry);
  return [
    homeLabel === undefined ? home : { id: home, label: homeLabel },
    ...extra.filter((entry) => accountIds([entry])[0] !== home),
  ];
}

export function deviceConfig(
  thingName: string,
  board: string,
  access: DeviceAccess,
  accounts: readonly AccountEntry[] = [],
): DeviceConfig {
  return {
    // The client id must be the thing name: the IoT policy allows iot:Connect only as that name.
    mqtt: {
      endpoint: access.dataEndpoint,
      port: MQTT_PORT,
      clientId: thingName,
      cert: CERTIFICATE_FILE,
      key: PRIVATE_KEY_FILE,
      ca: ROOT_CA_FILE,
    },
    aws: {
      credentialsEndpoint: access.credentialsEndpoint,
      roleAlias: access.roleAlias,
      // The home stack's account, from its stack id: the account whose events the stack forwards.
      accounts: accountEntries(access.account, accounts),
      regions: [...access.regions],
    },
    topicPrefix: access.topicPrefix,
    display: { board },
    ...(board === 'unicornhatmini' ? { buttons: {} } : {}),
  };
}

export interface BundleInput {
  readonly thingName: string;
  readonly board: string;
  readonly access: DeviceAccess;
  readonly certificatePem: string;
  /** Absent when the certificate was made from a CSR: the key never left the Pi. */
  readonly privateKey: string | undefined;
  /** Member accounts from `--accounts`, after the home one. */
  readonly accounts?: readonly AccountEntry[];
  /** The public half of the admin's update signing key, when there is one. */
  readonly updateKey?: PublicKey;
}

export function bundleFiles(input: BundleInput): BundleFile[] {
  const files: BundleFile[] = [{ name: CERTIFICATE_FILE, text: input.certificatePem, mode: 0o644 }];
  if (input.privateKey !== undefined)
    files.push({ name: PRIVATE_KEY_FILE, text: input.privateKey, mode: 0o600 });
  files.push({ name: ROOT_CA_FILE, text: AMAZON_ROOT_CA_1, mode: 0o644 });
  const config = deviceConfig(input.thingName, input.board, input.access, input.accounts);
  files.push({ name: CONFIG_FILE, text: `${JSON.stringify(config, null, 2)}\n`, mode: 0o644 });
  if (input.updateKey !== undefined) {
    files.push({
      name: `${UPDATE_KEYS_DIR}/${input.updateKey.keyId}.pem`,
      text: input.updateKey.pem,
      mode: 0o644,
    });
  }
  return files;
}

/** Refuses a folder that holds anything: a second run must never overwrite a key. */
export async function checkOutDir(dir: string): Promise<void> {
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw usageError(`--out ${dir} cannot be read (${(error as Error).message}); pass another --out folder`);
  }
  if (entries.length > 0) {
    throw usageError(
      `--out ${dir} already holds files (${entries.join(', ')}); pass an empty or new --out folder`,
    );
  }
}

/** Writes every file with its mode; on failure removes what it wrote, and the folder if it made it. */
export async function writeBundle(dir: string, files: readonly BundleFile[]): Promise<void> {
  const made = await mkdir(dir, { recursive: true, mode: 0o700 });
  const written: string[] = [];
  try {
    await chmod(dir, 0o700);
    for (const file of files) {
      const path = join(dir, file.name);
      await mkdir(dirname(path), { recursive: true, mode: 0o755 });
      await writeFile(path, file.text, { mode: file.mode, flag: 'wx' });
      written.push(path);
      await chmod(path, file.mode);
    }
  } catch (error) {
    if (made !== undefined) await rm(made, { recursive: true, force: true });
    else {
      await Promise.all(written.map((path) => rm(path, { force: true })));
      await rm(join(dir, UPDATE_KEYS_DIR), { recursive: true, force: true });
    }
    throw error;
  }
}
