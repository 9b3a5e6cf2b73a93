/**
 * A throwaway certificate authority for tests, made with the `openssl` command in a temp directory:
 * one CA, a server certificate for 127.0.0.1/localhost (serverAuth) and client certificates
 * (clientAuth) whose common name is the thing name. P-256 keys keep it well under a second.
 *
 * The directory is 0755 and every file 0644 on purpose: a mosquitto started as root drops to the
 * `mosquitto` user and must still read its key. These keys protect nothing outside one test run.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toolPath } from './tools.ts';

export interface CertPair {
  readonly cert: string;
  readonly key: string;
}

export interface TestPki {
  readonly dir: string;
  /** CA certificate path (trust anchor for both sides). */
  readonly ca: string;
  readonly server: CertPair;
  /** A client certificate with CN = `thingName`. */
  readonly client: CertPair;
  readonly thingName: string;
  /** Issues one more client certificate from this CA. */
  issueClient(name: string): CertPair;
  /** Issues one more server certificate from this CA, for `subjectAltName` (e.g. `DNS:elsewhere.test`). */
  issueServer(name: string, subjectAltName: string): CertPair;
  /** Removes the directory. */
  remove(): void;
}

function openssl(dir: string, args: readonly string[]): void {
  execFileSync(toolPath('openssl'), args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'], timeout: 10_000 });
}

const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

function issue(dir: string, name: string, subject: string, extensions: string): CertPair {
  const key = join(dir, `${name}.key`);
  const cert = join(dir, `${name}.pem`);
  const ext = join(dir, `${name}.ext`);
  writeFileSync(ext, extensions);
  openssl(dir, ['req', '-new', ...EC_KEY, '-keyout', key, '-out', `${name}.csr`, '-subj', subject]);
  openssl(dir, [
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-days',
    '2',
    '-out',
    cert,
    '-extfile',
    ext,
  ]);
  chmodSync(key, 0o644);
  chmodSync(cert, 0o644);
  return { cert, key };
}

/** Makes a CA, a server certificate for 127.0.0.1 and one client certificate for `thingName`. */
export function makeTestPki(thingName = 'ec2led-test-thing'): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'ec2led-pki-'));
  chmodSync(dir, 0o755);
  openssl(dir, [
    'req',
    '-new',
    '-x509',
    ...EC_KEY,
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-days',
    '2',
    '-subj',
    '/CN=ec2led test CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  chmodSync(join(dir, 'ca.pem'), 0o644);
  const server = issue(
    dir,
    'server',
    '/CN=localhost',
    'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n',
  );
  const issueClient = (name: string): CertPair =>
    issue(dir, `client-${name}`, `/CN=${name}`, 'extendedKeyUsage=clientAuth\nbasicConstraints=CA:FALSE\n');
  return {
    dir,
    ca: join(dir, 'ca.pem'),
    server,
    client: issueClient(thingName),
    thingName,
    issueClient,
    issueServer: (name, subjectAltName) =>
      issue(
        dir,
        `server-${name}`,
        `/CN=${name}`,
        `subjectAltName=${subjectAltName}\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n`,
      ),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
