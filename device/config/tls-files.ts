/**
 * The device certificate, key and CA checked at start, with the other config checks, so a bad file
 * is exit 2 naming the key, the path and the fix, instead of aws-crt's one line
 * (AWS_IO_TLS_CTX_ERROR) and a board that never connects. node:crypto parses what aws-crt would
 * load: PEM certificates, an unencrypted PEM private key, and the pair must belong together.
 *
 * Not checked here: expiry, revocation, whether IoT Core knows the certificate (the connect tells).
 */
import { createPrivateKey, type KeyObject, X509Certificate } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';

export type TlsFileKey = 'cert' | 'key' | 'ca';

export interface TlsFiles {
  readonly cert: string;
  readonly key: string;
  readonly ca?: string | undefined;
}

/** One bad file: which key, what is wrong with it (after the path) and the fix. */
export interface TlsProblem {
  readonly key: TlsFileKey;
  readonly reason: string;
  readonly fix: string;
}

/** The check, injected so config tests need no real files. */
export type TlsCheck = (files: TlsFiles) => TlsProblem[];

/** Undefined when `path` is a regular file this user can read, else why not. Never throws. */
export function fileProblem(path: string): string | undefined {
  try {
    const stat = statSync(path);
    if (stat.isDirectory()) return 'is a directory, not a file';
    if (!stat.isFile()) return 'is not a regular file';
    return undefined;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? 'does not exist' : `is not readable by this user (${code})`;
  }
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0] ?? text;
}

function read(path: string): Buffer | string {
  try {
    return readFileSync(path);
  } catch (error) {
    return `cannot be read (${(error as NodeJS.ErrnoException).code ?? firstLine(error)})`;
  }
}

const BUNDLE_FIX: Readonly<Record<TlsFileKey, string>> = {
  cert: 'use the device certificate from the device bundle (device.pem.crt) that `ec2led device create` wrote',
  key: 'use the private key from the same device bundle (private.pem.key), unencrypted PEM',
  ca: 'use the CA certificate from the device bundle (AmazonRootCA1.pem for AWS IoT Core)',
};

/** Reads and parses the three files with node:crypto. Never throws. */
export const realTlsCheck: TlsCheck = (files) => {
  const problems: TlsProblem[] = [];
  let cert: X509Certificate | undefined;
  let key: KeyObject | undefined;
  const bytes = (which: TlsFileKey, path: string): Buffer | undefined => {
    const found = fileProblem(path);
    const content = found === undefined ? read(path) : found;
    if (typeof content !== 'string') return content;
    problems.push({ key: which, reason: content, fix: BUNDLE_FIX[which] });
    return undefined;
  };
  const certBytes = bytes('cert', files.cert);
  if (certBytes !== undefined) {
    try {
      cert = new X509Certificate(certBytes);
    } catch (error) {
      problems.push({
        key: 'cert',
        reason: `is not a PEM certificate (${firstLine(error)})`,
        fix: BUNDLE_FIX.cert,
      });
    }
  }
  const keyBytes = bytes('key', files.key);
  if (keyBytes !== undefined) {
    try {
      key = createPrivateKey(keyBytes);
    } catch (error) {
      const text = firstLine(error);
      const reason = /passphrase/i.test(text)
        ? 'is an encrypted private key (aws-crt cannot ask for a passphrase)'
        : `is not a PEM private key (${text})`;
      problems.push({ key: 'key', reason, fix: BUNDLE_FIX.key });
    }
  }
  if (cert !== undefined && key !== undefined) {
    let matches = false;
    try {
      matches = cert.checkPrivateKey(key);
    } catch {
      matches = false;
    }
    if (!matches) {
      problems.push({
        key: 'key',
        reason: `does not belong to mqtt.cert ${JSON.stringify(files.cert)}`,
        fix: 'use the key created together with this certificate: both come from the same device bundle',
      });
    }
  }
  if (files.ca !== undefined) {
    const caBytes = bytes('ca', files.ca);
    if (caBytes !== undefined) {
      try {
        new X509Certificate(caBytes);
      } catch (error) {
        problems.push({
          key: 'ca',
          reason: `is not a PEM certificate (${firstLine(error)})`,
          fix: BUNDLE_FIX.ca,
        });
      }
    }
  }
  return problems;
};
