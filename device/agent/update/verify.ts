/**
 * The checks an update passes before anything is installed (shared/update-job.ts is the contract).
 * Pure but for `crypto.verify` and the key files' read (`loadUpdateKeys`, bounded).
 *
 * Contract:
 * - `checkDocument` runs before the download, so a job the device would refuse costs no bytes: the
 *   document decodes, the architecture is this machine's, the version is not older than the running
 *   one (unless the signed `allowDowngrade`), the key is trusted and the Ed25519 signature over
 *   `signedText` holds. Every refusal is a reason naming the value and the fix, for the job
 *   execution's statusDetails.
 * - `checkPackage` runs after it: the bytes' size and SHA-256 are the signed ones.
 * - The same checks run twice: in the agent (to report a refusal to the Jobs service) and again in the
 *   root installer on its own copy of the file (the agent is not trusted with root's decision).
 */
import { createHash, createPublicKey, type KeyObject, verify } from 'node:crypto';
import { open, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import {
  compareVersions,
  decodeUpdateDocument,
  keyIdOf,
  signedText,
  type UpdateArch,
  type UpdateDocument,
} from '../../../shared/update-job.ts';
import { readStateFile } from '../../base/state-file.ts';

/** The folder beside the device certificate where `ec2led setup` installs the bundle's public keys. */
export const UPDATE_KEYS_FOLDER = 'update-keys';
/** The package's own trusted keys (scripts/package-pi.ts, EC2LED_UPDATE_KEYS), read after the bundle's. */
export const PACKAGE_UPDATE_KEYS = '/usr/lib/ec2-led/update-keys';
/** A PEM public key is a few hundred bytes; anything bigger is not one. */
const KEY_FILE_MAX_BYTES = 8 * 1024;
/** Trusted keys read from one folder at most (a rotation needs two). */
const KEY_FILES_MAX = 32;

export type Refusal = { readonly ok: false; readonly reason: string };
export type Checked<T> = { readonly ok: true; readonly value: T } | Refusal;

/** Public keys by key id (`keyIdOf` of their SPKI DER form). */
export type TrustedKeys = ReadonlyMap<string, KeyObject>;

export interface RunningPackage {
  readonly version: string;
  readonly arch: UpdateArch;
}

/** The Debian architecture of this machine; undefined where ec2-led ships no package. */
export function debianArch(nodeArch: string = process.arch): UpdateArch | undefined {
  if (nodeArch === 'arm64') return 'arm64';
  if (nodeArch === 'arm') return 'armhf';
  if (nodeArch === 'x64') return 'amd64';
  return undefined;
}

export function keyIdOfKey(key: KeyObject): string {
  const der = key.export({ type: 'spki', format: 'der' });
  return keyIdOf(createHash('sha256').update(der).digest('hex'));
}

/** The job document checked against this device, before any download. */
export function checkDocument(
  value: unknown,
  running: RunningPackage,
  keys: TrustedKeys,
): Checked<UpdateDocument> {
  const doc = decodeUpdateDocument(value);
  if ('error' in doc)
    return { ok: false, reason: `${doc.error}; the job was not made by ec2led device update` };
  if (doc.arch !== running.arch)
    return {
      ok: false,
      reason: `package architecture ${doc.arch} is not this device's ${running.arch}; send the ${running.arch} package`,
    };
  if (compareVersions(doc.version, running.version) < 0 && !doc.allowDowngrade)
    return {
      ok: false,
      reason: `version ${doc.version} is older than the running ${running.version}; to go back, update with --allow-downgrade`,
    };
  const key = keys.get(doc.keyId);
  if (key === undefined) {
    const known = [...keys.keys()].join(', ') || 'none';
    return {
      ok: false,
      reason: `key ${doc.keyId} is not trusted here (trusted: ${known}); install its public key with ec2led setup or sign with a trusted key`,
    };
  }
  let good = false;
  try {
    good = verify(null, Buffer.from(signedText(doc), 'utf8'), key, Buffer.from(doc.signature, 'base64'));
  } catch {
    good = false;
  }
  if (!good)
    return {
      ok: false,
      reason: `the signature does not verify with key ${doc.keyId}; the document was changed or signed with another key`,
    };
  return { ok: true, value: doc };
}

/** The downloaded bytes against the signed size and hash. */
export function checkPackage(doc: UpdateDocument, size: number, sha256: string): Refusal | undefined {
  if (size !== doc.size)
    return { ok: false, reason: `the package is ${size} bytes, the signed size is ${doc.size}` };
  if (sha256 !== doc.sha256)
    return { ok: false, reason: `the package's SHA-256 ${sha256} is not the signed ${doc.sha256}` };
  return undefined;
}

/** SHA-256 and size of a file, read in chunks. */
export async function hashFile(path: string): Promise<{ size: number; sha256: string }> {
  const hash = createHash('sha256');
  const handle = await open(path, 'r');
  let size = 0;
  try {
    const buffer = Buffer.alloc(64 * 1024);
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      size += bytesRead;
      hash.update(buffer.subarray(0, bytesRead));
    }
  } finally {
    await handle.close();
  }
  return { size, sha256: hash.digest('hex') };
}

/**
 * The Ed25519 public keys (`*.pem`, SPKI) of these folders, by key id. A missing folder adds none;
 * a file that is too big or not an Ed25519 public key is skipped and named in `skipped`.
 */
export async function loadUpdateKeys(
  folders: readonly string[],
): Promise<{ keys: TrustedKeys; skipped: string[] }> {
  const keys = new Map<string, KeyObject>();
  const skipped: string[] = [];
  for (const folder of folders) {
    let names: string[];
    try {
      names = (await readdir(folder)).filter((name) => name.endsWith('.pem')).sort();
    } catch {
      continue;
    }
    for (const name of names.slice(0, KEY_FILES_MAX)) {
      const path = join(folder, name);
      try {
        // Read like a state file: a regular file only, never blocking (a FIFO there), at most the limit.
        const read = await readStateFile(path, KEY_FILE_MAX_BYTES);
        const key = read.kind === 'text' ? createPublicKey(read.text) : undefined;
        if (key?.asymmetricKeyType !== 'ed25519') skipped.push(path);
        else keys.set(keyIdOfKey(key), key);
      } catch {
        skipped.push(path);
      }
    }
  }
  return { keys, skipped };
}
