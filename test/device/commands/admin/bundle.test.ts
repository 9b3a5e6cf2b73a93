import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  bundleFiles,
  checkOutDir,
  deviceConfig,
  writeBundle,
} from '../../../../device/commands/admin/bundle.ts';
import { AMAZON_ROOT_CA_1, AMAZON_ROOT_CA_1_SHA256 } from '../../../../device/commands/admin/root-ca.ts';
import type { DeviceAccess } from '../../../../device/commands/admin/stack-outputs.ts';
import { createUpdateKey, loadPublicKey } from '../../../../device/commands/admin/update-key.ts';
import { parseConfig } from '../../../../device/config/config.ts';

const access: DeviceAccess = {
  dataEndpoint: 'abc123-ats.iot.eu-west-1.amazonaws.com',
  credentialsEndpoint: 'def456.credentials.iot.eu-west-1.amazonaws.com',
  policyName: 'Ec2Led-DevicePolicy-ABC',
  roleAlias: 'Ec2Led-RoleAlias-XYZ',
  topicPrefix: 'ec2led',
  regions: ['eu-west-1', 'us-east-1'],
  account: '123456789012',
};
const scratch = mkdtempSync(join(tmpdir(), 'ec2led-bundle-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('device config', () => {
  it('holds exactly the keys the agent config reads, with bundle-relative file paths', () => {
    expect(deviceConfig('desk-pi', 'unicornhatmini', access)).toEqual({
      mqtt: {
        endpoint: 'abc123-ats.iot.eu-west-1.amazonaws.com',
        port: 8883,
        clientId: 'desk-pi',
        cert: 'certificate.pem.crt',
        key: 'private.pem.key',
        ca: 'AmazonRootCA1.pem',
      },
      aws: {
        credentialsEndpoint: 'def456.credentials.iot.eu-west-1.amazonaws.com',
        roleAlias: 'Ec2Led-RoleAlias-XYZ',
        accounts: ['123456789012'],
        regions: ['eu-west-1', 'us-east-1'],
      },
      topicPrefix: 'ec2led',
      display: { board: 'unicornhatmini' },
      buttons: {},
    });
  });
});

describe('device config: buttons', () => {
  it("turns on the Unicorn HAT Mini's buttons, and no other board's", () => {
    expect(deviceConfig('desk-pi', 'unicornhatmini', access).buttons).toEqual({});
    for (const board of ['unicornhathd', 'rgbmatrix5x5', 'terminal']) {
      expect(deviceConfig('desk-pi', board, access), board).not.toHaveProperty('buttons');
    }
  });
});

describe('device config: several accounts', () => {
  it('writes the home account first, then the --accounts ones, labelling the home one if asked', () => {
    const accounts = [
      { id: '222222222222', label: 'staging' },
      { id: '123456789012', label: 'prod' },
    ];
    const config = deviceConfig('desk-pi', 'terminal', access, accounts);
    expect(config.aws.accounts).toEqual([
      { id: '123456789012', label: 'prod' },
      { id: '222222222222', label: 'staging' },
    ]);
    // What create writes, the agent accepts.
    const parsed = parseConfig(
      { ...config, mqtt: { ...config.mqtt, tls: false }, aws: { ...config.aws, credentials: 'default' } },
      { readable: () => undefined, tls: () => [] },
    );
    expect(parsed.aws.accounts).toEqual(config.aws.accounts);
  });
});

describe('bundle files', () => {
  it('embeds Amazon Root CA 1, checked by its published SHA-256 fingerprint', () => {
    const ca = new X509Certificate(AMAZON_ROOT_CA_1);
    expect(ca.fingerprint256).toBe(AMAZON_ROOT_CA_1_SHA256);
    expect(ca.subject).toBe('C=US\nO=Amazon\nCN=Amazon Root CA 1');
  });

  it('plans certificate, key (0600), CA and config', () => {
    const files = bundleFiles({
      thingName: 'desk-pi',
      board: 'terminal',
      access,
      certificatePem: 'CERT',
      privateKey: 'KEY',
    });
    expect(files.map(({ name, mode }) => [name, mode.toString(8)])).toEqual([
      ['certificate.pem.crt', '644'],
      ['private.pem.key', '600'],
      ['AmazonRootCA1.pem', '644'],
      ['config.json', '644'],
    ]);
  });

  it('plans no key file when the certificate came from a CSR', () => {
    const files = bundleFiles({
      thingName: 'desk-pi',
      board: 'terminal',
      access,
      certificatePem: 'CERT',
      privateKey: undefined,
    });
    expect(files.map((file) => file.name)).toEqual([
      'certificate.pem.crt',
      'AmazonRootCA1.pem',
      'config.json',
    ]);
  });

  it('writes the key 0600 in a folder of mode 0700', async () => {
    const dir = join(scratch, 'new', 'desk-pi');
    await writeBundle(dir, [
      { name: 'private.pem.key', text: 'KEY', mode: 0o600 },
      { name: 'config.json', text: '{}', mode: 0o644 },
    ]);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, 'private.pem.key')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(dir, 'private.pem.key'), 'utf8')).toBe('KEY');
  });

  it('refuses a folder that already holds files, and accepts a missing or empty one', async () => {
    const used = join(scratch, 'used');
    await writeBundle(used, [{ name: 'private.pem.key', text: 'OLD', mode: 0o600 }]);
    await expect(checkOutDir(used)).rejects.toMatchObject({
      exitCode: 2,
      message: expect.stringMatching(/already holds files \(private.pem.key\); pass an empty or new --out/),
    });
    await expect(checkOutDir(join(scratch, 'missing'))).resolves.toBeUndefined();
  });

  it('never overwrites a file, and removes the folder it made when a write fails', async () => {
    const dir = join(scratch, 'clash');
    await expect(
      writeBundle(dir, [
        { name: 'a', text: 'A', mode: 0o644 },
        { name: 'a', text: 'again', mode: 0o644 },
      ]),
    ).rejects.toMatchObject({ code: 'EEXIST' });
    expect(() => statSync(dir)).toThrow();
  });
});

describe('bundle files: the update key', () => {
  it('writes the public half of the update key as update-keys/<keyId>.pem, and never the private half', async () => {
    const created = await createUpdateKey(join(scratch, 'admin', 'update-key.pem'));
    const updateKey = await loadPublicKey(created.privateKeyFile);
    expect(updateKey.keyId).toBe(created.keyId);
    const files = bundleFiles({
      thingName: 'desk-pi',
      board: 'terminal',
      access,
      certificatePem: 'CERT',
      privateKey: 'KEY',
      updateKey,
    });
    expect(files.at(-1)).toEqual({
      name: `update-keys/${created.keyId}.pem`,
      text: readFileSync(created.publicKeyFile, 'utf8'),
      mode: 0o644,
    });
    expect(files.at(-1)?.text).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
    const dir = join(scratch, 'with-update-key');
    await writeBundle(dir, files);
    const written = join(dir, 'update-keys', `${created.keyId}.pem`);
    expect(readFileSync(written, 'utf8')).toBe(readFileSync(created.publicKeyFile, 'utf8'));
    expect(statSync(written).mode & 0o777).toBe(0o644);
  });
});
