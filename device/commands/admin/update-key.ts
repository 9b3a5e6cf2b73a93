/**
 * The admin's update signing key: an Ed25519 key pair in two PEM files the admin keeps (docs/deploy.md,
 * "Signing key": why a file and not a KMS key). `ec2led device update-key create` makes it; `ec2led
 * device update` signs with the private half; the public half goes into each device bundle
 * (`update-keys/<keyId>.pem`) and, optionally, into the package (`EC2LED_UPDATE_KEYS`).
 *
 * The private key is written 0600 in a folder of mode 0700 and never overwritten; its text is never
 * printed or logged. `keyId` is `keyIdOf` (shared/update-job.ts) over the SHA-256 of the SPKI DER.
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  sign,
} from 'node:crypto';
import { mkdir, open, rm, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { keyIdOf, signedText, type UpdateDocument } from '../../../shared/update-job.ts';
import { AdminError, usageError } from './errors.ts';

/** Where the private key goes by default: outside any clone, so it is never committed. */
export function defaultKeyFile(env: NodeJS.ProcessEnv = process.env): string {
  const config =
    env.XDG_CONFIG_HOME !== undefined && env.XDG_CONFIG_HOME !== ''
      ? env.XDG_CONFIG_HOME
      : join(homedir(), '.config');
  return join(config, 'ec2led', 'update-key.pem');
}

/** `…/update-key.pem` -> `…/update-key.pub.pem`. */
export function publicKeyFileOf(privateKeyFile: string): string {
  return privateKeyFile.endsWith('.pem')
    ? `${privateKeyFile.slice(0, -4)}.pub.pem`
    : `${privateKeyFile}.pub.pem`;
}

/** The bundle's (and the package's) name for a public key: `update-keys/<keyId>.pem`. */
export const UPDATE_KEYS_DIR = 'update-keys';

/** A PEM key file is a few hundred bytes; a file larger than this is not one. */
const KEY_FILE_MAX_BYTES = 16 * 1024;

export interface PublicKey {
  readonly keyId: string;
  /** SPKI PEM text. */
  readonly pem: string;
}

export function publicKeyOf(key: KeyObject): PublicKey {
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  const der = publicKey.export({ type: 'spki', format: 'der' });
  return {
    keyId: keyIdOf(createHash('sha256').update(der).digest('hex')),
    pem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

export interface CreatedKey {
  readonly keyId: string;
  readonly privateKeyFile: string;
  readonly publicKeyFile: string;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** Makes the key pair; refuses (exit 2) when either file exists, and then writes nothing. */
export async function createUpdateKey(privateKeyFile: string): Promise<CreatedKey> {
  const publicKeyFile = publicKeyFileOf(privateKeyFile);
  for (const file of [privateKeyFile, publicKeyFile]) {
    if (await exists(file)) {
      throw usageError(
        `${file} already exists; an update key is never overwritten (devices trust it). ` +
          'Pass --out with another file to make a second key (a rotation, docs/deploy.md), or use the existing one',
      );
    }
  }
  const { privateKey } = generateKeyPairSync('ed25519');
  const { keyId, pem } = publicKeyOf(privateKey);
  await mkdir(dirname(privateKeyFile), { recursive: true, mode: 0o700 });
  const written: string[] = [];
  try {
    await writeNew(privateKeyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), 0o600);
    written.push(privateKeyFile);
    await writeNew(publicKeyFile, pem, 0o644);
  } catch (error) {
    await Promise.all(written.map((file) => rm(file, { force: true })));
    throw new AdminError(`writing the update key: ${(error as Error).message}`, 1, { cause: error });
  }
  return { keyId, privateKeyFile, publicKeyFile };
}

/** Creates `path` with `mode` (never through an existing file or link), writes `text`. */
async function writeNew(path: string, text: string, mode: number): Promise<void> {
  const handle = await open(path, 'wx', mode);
  try {
    await handle.chmod(mode);
    await handle.writeFile(text);
  } finally {
    await handle.close();
  }
}

async function readKeyText(file: string, what: string): Promise<string> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    throw usageError(
      `${what} ${file} cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); ` +
        'make one with ec2led device update-key create, or pass its file',
    );
  }
  try {
    const buffer = Buffer.alloc(KEY_FILE_MAX_BYTES + 1);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    if (bytesRead > KEY_FILE_MAX_BYTES)
      throw usageError(`${what} ${file} is over ${KEY_FILE_MAX_BYTES} bytes: not a PEM key`);
    return buffer.toString('utf8', 0, bytesRead);
  } finally {
    await handle.close();
  }
}

function checkEd25519(key: KeyObject, file: string, what: string): void {
  if (key.asymmetricKeyType !== 'ed25519') {
    throw usageError(
      `${what} ${file} is a ${key.asymmetricKeyType ?? 'symmetric'} key, not Ed25519; make one with ec2led device update-key create`,
    );
  }
}

/** The private key that signs updates. */
export async function loadSigningKey(file: string): Promise<KeyObject> {
  const text = await readKeyText(file, 'the update signing key');
  let key: KeyObject;
  try {
    key = createPrivateKey(text);
  } catch {
    throw usageError(
      `the update signing key ${file} is not a PEM private key; pass the file ec2led device update-key create wrote (--key)`,
    );
  }
  checkEd25519(key, file, 'the update signing key');
  return key;
}

/** The public half of a public or private PEM key file (only the public half is returned). */
export async function loadPublicKey(file: string): Promise<PublicKey> {
  const text = await readKeyText(file, 'the update key');
  let key: KeyObject;
  try {
    key = /PRIVATE KEY-----/.test(text) ? createPublicKey(createPrivateKey(text)) : createPublicKey(text);
  } catch {
    throw usageError(
      `the update key ${file} is not a PEM key; pass the .pub.pem ec2led device update-key create wrote`,
    );
  }
  checkEd25519(key, file, 'the update key');
  return publicKeyOf(key);
}

export type SignedFields = Omit<UpdateDocument, 'signature' | 'url' | 'operation' | 'keyId'>;

/** The document's signature: Ed25519 over `signedText` with this key's id in it. */
export function signUpdate(
  fields: SignedFields,
  privateKey: KeyObject,
): { keyId: string; signature: string } {
  const { keyId } = publicKeyOf(privateKey);
  const signature = sign(null, Buffer.from(signedText({ ...fields, keyId }), 'utf8'), privateKey).toString(
    'base64',
  );
  return { keyId, signature };
}
