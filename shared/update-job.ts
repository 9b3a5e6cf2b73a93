/**
 * The update job (AWS IoT Jobs): the document `ec2led device update` puts in the job, and the exact
 * text its signature covers. The contract between the admin command and the agent's job runner.
 *
 * Contract:
 * - The document is JSON, at most UPDATE_DOCUMENT_MAX_BYTES (IoT Jobs' own limit is 32 KB), with
 *   exactly the fields of `UpdateDocument`. `url` is, in the job as created, IoT's pre-signed URL
 *   placeholder `${aws:iot:s3-presigned-url:https://…}`; the device only ever sees the https URL IoT
 *   put there, valid for the job's `presignedUrlConfig.expiresInSec`.
 * - The signature is Ed25519 (RFC 8032, Node's `crypto.sign(null, …)`) over `signedText(document)`:
 *   version, architecture, size, SHA-256 and the downgrade permission, so none of them can be changed
 *   without the private key (a job that re-labels an old signed package as newer, or allows a
 *   downgrade the admin did not sign, fails). The URL is not signed: the hash pins the bytes.
 * - `keyId` names the public key that verifies it (`keyIdOf`: the first 16 hex digits of the SHA-256
 *   of its SPKI DER form), so a device holding several keys (a rotation) picks the right one.
 * - `decodeUpdateDocument` never throws: it returns the document or a reason naming the field (one
 *   schema, `updateDocumentSchema`, shared/schema.ts).
 */

import { bool, check, int, literal, object, oneOf, pattern, type Schema, secret, text } from './schema.ts';

export const UPDATE_OPERATION = 'ec2led-update';
export const UPDATE_DOCUMENT_MAX_BYTES = 32 * 1024;
/** The largest package a device downloads (the arm64 .deb is about 28 MB). */
export const UPDATE_PACKAGE_MAX_BYTES = 200 * 1024 * 1024;
export const UPDATE_ARCHES = ['arm64', 'armhf', 'amd64'] as const;
export type UpdateArch = (typeof UPDATE_ARCHES)[number];

export interface UpdateDocument {
  readonly operation: typeof UPDATE_OPERATION;
  /** The package's version (Debian's, which for ec2-led is package.json's semver). */
  readonly version: string;
  /** The package's Debian architecture. */
  readonly arch: UpdateArch;
  /** The package's size in bytes. */
  readonly size: number;
  /** The package's SHA-256, 64 lowercase hex digits. */
  readonly sha256: string;
  /** True only when the admin signed a downgrade (`--allow-downgrade`). */
  readonly allowDowngrade: boolean;
  /** Which public key verifies `signature` (`keyIdOf`). */
  readonly keyId: string;
  /** Base64 of the 64-byte Ed25519 signature over `signedText`. */
  readonly signature: string;
  /** Where to download the package: an https URL (in the created job, IoT's pre-signed URL placeholder). */
  readonly url: string;
}

const VERSION_PATTERN = /^(0|[1-9]\d{0,8})\.(0|[1-9]\d{0,8})\.(0|[1-9]\d{0,8})(-[0-9A-Za-z.-]{1,40})?$/;
const SHA256_PATTERN = /^[0-9a-f]{64}$/;
const KEY_ID_PATTERN = /^[0-9a-f]{16}$/;
const SIGNATURE_PATTERN = /^[A-Za-z0-9+/]{86}==$/;

/** The exact bytes the signature covers (UTF-8 of this text). */
export function signedText(document: Omit<UpdateDocument, 'signature' | 'url' | 'operation'>): string {
  return [
    'ec2-led update v1',
    `version ${document.version}`,
    `arch ${document.arch}`,
    `size ${document.size}`,
    `sha256 ${document.sha256}`,
    `allow-downgrade ${document.allowDowngrade ? 'yes' : 'no'}`,
    `key ${document.keyId}`,
    '',
  ].join('\n');
}

/** Orders two versions of VERSION_PATTERN's form: negative when `a` is older (a pre-release is older than its release). */
export function compareVersions(a: string, b: string): number {
  const parse = (version: string) => {
    const [core = '', pre] = version.split(/-(.*)/s, 2);
    return { parts: core.split('.').map(Number), pre };
  };
  const x = parse(a);
  const y = parse(b);
  for (let i = 0; i < 3; i += 1) {
    const diff = (x.parts[i] ?? 0) - (y.parts[i] ?? 0);
    if (diff !== 0) return diff;
  }
  if (x.pre === y.pre) return 0;
  if (x.pre === undefined) return 1;
  if (y.pre === undefined) return -1;
  return x.pre < y.pre ? -1 : 1;
}

export function isVersion(value: unknown): value is string {
  return typeof value === 'string' && VERSION_PATTERN.test(value);
}

/** The job document: exactly these fields, each with its rule. */
export const updateDocumentSchema: Schema<UpdateDocument> = object(
  {
    operation: literal(UPDATE_OPERATION, `"${UPDATE_OPERATION}"`),
    version: pattern(VERSION_PATTERN, 'a version like "1.2.3"'),
    arch: oneOf(UPDATE_ARCHES, `one of ${UPDATE_ARCHES.join(', ')}`),
    size: int(1, UPDATE_PACKAGE_MAX_BYTES, `a whole number of bytes from 1 to ${UPDATE_PACKAGE_MAX_BYTES}`),
    sha256: pattern(SHA256_PATTERN, '64 lowercase hex digits'),
    allowDowngrade: bool(),
    keyId: pattern(KEY_ID_PATTERN, '16 hex digits'),
    signature: pattern(SIGNATURE_PATTERN, 'the base64 of 64 bytes'),
    url: secret(
      text(8, 8192, 'an https URL of at most 8192 characters', (url) => url.startsWith('https://')),
    ),
  },
  { strict: true, what: 'a JSON object' },
);

/** The document, or the reason it is not one (naming the field, its value and what it must be). */
export function decodeUpdateDocument(value: unknown): UpdateDocument | { readonly error: string } {
  const parsed = check(updateDocumentSchema, value, 'the job document');
  return parsed.ok ? parsed.value : { error: parsed.reason };
}

/**
 * The id of a public key (PEM, SPKI): the first 16 hex digits of the SHA-256 of its DER form. The
 * caller hashes (`sha256Hex`), so this module needs no crypto of its own.
 */
export function keyIdOf(spkiDerSha256Hex: string): string {
  if (!/^[0-9a-f]{64}$/.test(spkiDerSha256Hex))
    throw new Error('keyIdOf takes the 64 hex digits of a SHA-256');
  return spkiDerSha256Hex.slice(0, 16);
}
