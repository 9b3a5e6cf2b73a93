/**
 * The certificate checks of the config against real files made by openssl (test/fakes/certs.ts):
 * node:crypto must accept what aws-crt accepts and refuse, at start, what would leave the agent idle.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../device/config/config.ts';
import { makeTestPki, type TestPki } from '../fakes/certs.ts';

let pki: TestPki;

beforeAll(() => {
  pki = makeTestPki('ec2led-tls-check');
});

afterAll(() => {
  pki?.remove();
});

function problemsWith(files: { cert?: string; key?: string; ca?: string }): readonly string[] {
  try {
    parseConfig({
      mqtt: {
        endpoint: '127.0.0.1',
        clientId: 'ec2led-tls-check',
        cert: files.cert ?? pki.client.cert,
        key: files.key ?? pki.client.key,
        ca: files.ca ?? pki.ca,
      },
      aws: { credentials: 'default', accounts: ['123456789012'], regions: ['eu-west-1'] },
    });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('certificate and key checked at start', () => {
  it('accepts a matching certificate and key and a CA made by openssl', () => {
    expect(problemsWith({})).toEqual([]);
  });

  it('refuses a key path that is a directory, naming mqtt.key and the path', () => {
    const dir = join(pki.dir, 'a-directory.key');
    mkdirSync(dir);
    expect(problemsWith({ key: dir })).toEqual([
      `mqtt.key = ${JSON.stringify(dir)} is a directory, not a file: copy the device bundle into place and make it readable by the ec2led user`,
    ]);
  });

  it('refuses a key file of garbage and a certificate of garbage, each by its key', () => {
    const garbage = join(pki.dir, 'garbage.pem');
    writeFileSync(garbage, 'this is not PEM\n\u0000\u00ff');
    expect(problemsWith({ key: garbage, cert: garbage })).toEqual([
      expect.stringMatching(
        /^mqtt\.cert = ".*garbage\.pem" is not a PEM certificate \(.*\): use the device certificate/,
      ),
      expect.stringMatching(
        /^mqtt\.key = ".*garbage\.pem" is not a PEM private key \(.*\): use the private key/,
      ),
    ]);
  });

  it('refuses a key that does not belong to the certificate', () => {
    expect(problemsWith({ key: pki.server.key })).toEqual([
      `mqtt.key = ${JSON.stringify(pki.server.key)} does not belong to mqtt.cert ${JSON.stringify(pki.client.cert)}: ` +
        'use the key created together with this certificate: both come from the same device bundle',
    ]);
  });

  it('refuses a CA file that is a private key', () => {
    expect(problemsWith({ ca: pki.client.key })).toEqual([
      expect.stringMatching(/^mqtt\.ca = ".*" is not a PEM certificate .*AmazonRootCA1\.pem/),
    ]);
  });
});
