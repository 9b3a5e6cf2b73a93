import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  checkDocument,
  checkPackage,
  debianArch,
  keyIdOfKey,
  loadUpdateKeys,
} from '../../../../device/agent/update/verify.ts';
import { filterMatches } from '../../../../device/sources/mqtt.ts';
import { signedText } from '../../../../shared/update-job.ts';

const pair = generateKeyPairSync('ed25519');
const keyId = keyIdOfKey(pair.publicKey);
const keys = new Map([[keyId, pair.publicKey]]);
const running = { version: '1.0.0', arch: 'arm64' as const };
const dir = mkdtempSync(join(tmpdir(), 'ec2led-verify-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function doc(overrides: Record<string, unknown> = {}) {
  const unsigned = {
    version: '1.2.3',
    arch: 'arm64' as const,
    size: 10,
    sha256: createHash('sha256').update('0123456789').digest('hex'),
    allowDowngrade: false,
    keyId,
  };
  const signature = sign(null, Buffer.from(signedText(unsigned)), pair.privateKey).toString('base64');
  return {
    operation: 'ec2led-update',
    ...unsigned,
    signature,
    url: 'https://example.com/p.deb',
    ...overrides,
  };
}

describe('checkDocument', () => {
  it('takes a signed document for this device', () => {
    expect(checkDocument(doc(), running, keys)).toMatchObject({ ok: true, value: { version: '1.2.3' } });
  });
  it('refuses a document whose signed field was changed', () => {
    const result = checkDocument(doc({ version: '9.0.0' }), running, keys);
    expect(result).toEqual({ ok: false, reason: expect.stringContaining('the signature does not verify') });
  });
  it('refuses a downgrade the admin did not sign, even when the field says yes', () => {
    const result = checkDocument(doc({ allowDowngrade: true }), { ...running, version: '2.0.0' }, keys);
    expect(result).toEqual({ ok: false, reason: expect.stringContaining('signature') });
  });
  it('refuses an unknown key, naming the trusted ones', () => {
    const result = checkDocument(doc(), running, new Map());
    expect(result).toEqual({ ok: false, reason: expect.stringContaining('trusted: none') });
  });
  it('refuses a document that does not decode, naming the field', () => {
    expect(checkDocument({ ...doc(), size: -1 }, running, keys)).toEqual({
      ok: false,
      reason: expect.stringContaining('size -1 is not'),
    });
  });
  it('checkPackage compares the signed size and hash', () => {
    const checked = checkDocument(doc(), running, keys);
    if (!checked.ok) throw new Error(checked.reason);
    expect(checkPackage(checked.value, 10, checked.value.sha256)).toBeUndefined();
    expect(checkPackage(checked.value, 11, checked.value.sha256)?.reason).toContain('11 bytes');
    expect(checkPackage(checked.value, 10, '0'.repeat(64))?.reason).toContain('SHA-256');
  });
});

describe('loadUpdateKeys', () => {
  it('reads Ed25519 keys by id and skips junk, big files and other key types', async () => {
    writeFileSync(join(dir, 'a.pem'), pair.publicKey.export({ type: 'spki', format: 'pem' }));
    writeFileSync(join(dir, 'big.pem'), 'x'.repeat(100_000));
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 });
    writeFileSync(join(dir, 'rsa.pem'), rsa.publicKey.export({ type: 'spki', format: 'pem' }));
    writeFileSync(join(dir, 'ignored.txt'), 'not a pem name');
    const loaded = await loadUpdateKeys([dir, join(dir, 'missing')]);
    expect([...loaded.keys.keys()]).toEqual([keyId]);
    expect(loaded.skipped.map((path) => path.slice(dir.length + 1)).sort()).toEqual(['big.pem', 'rsa.pem']);
  });
});

describe('small helpers', () => {
  it('debianArch names Node architectures as Debian does', () => {
    expect([debianArch('arm64'), debianArch('arm'), debianArch('x64'), debianArch('ia32')]).toEqual([
      'arm64',
      'armhf',
      'amd64',
      undefined,
    ]);
  });
  it('filterMatches takes + as exactly one level', () => {
    expect(
      filterMatches('$aws/things/pi/jobs/+/update/accepted', '$aws/things/pi/jobs/j-1/update/accepted'),
    ).toBe(true);
    expect(
      filterMatches('$aws/things/pi/jobs/+/update/accepted', '$aws/things/pi/jobs/a/b/update/accepted'),
    ).toBe(false);
    expect(filterMatches('a/b', 'a/b')).toBe(true);
    expect(filterMatches('a/b', 'a/c')).toBe(false);
  });
});
