import { createHash, generateKeyPairSync, sign, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  compareVersions,
  decodeUpdateDocument,
  keyIdOf,
  signedText,
  UPDATE_OPERATION,
} from '../../shared/update-job.ts';

function signedDocument() {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const der = publicKey.export({ type: 'spki', format: 'der' });
  const keyId = keyIdOf(createHash('sha256').update(der).digest('hex'));
  const fields = {
    version: '1.2.3',
    arch: 'arm64' as const,
    size: 27_800_000,
    sha256: 'a'.repeat(64),
    allowDowngrade: false,
    keyId,
  };
  const signature = sign(null, Buffer.from(signedText(fields)), privateKey).toString('base64');
  return {
    publicKey,
    document: { operation: UPDATE_OPERATION, ...fields, signature, url: 'https://example.com/p.deb' },
  };
}

describe('update job document', () => {
  it('decodes a signed document whose signature verifies over signedText', () => {
    const { publicKey, document } = signedDocument();
    const decoded = decodeUpdateDocument(JSON.parse(JSON.stringify(document)));
    expect(decoded).toEqual(document);
    if ('error' in decoded) throw new Error(decoded.error);
    expect(
      verify(null, Buffer.from(signedText(decoded)), publicKey, Buffer.from(decoded.signature, 'base64')),
    ).toBe(true);
    // Any signed field changed breaks the signature: here the version and the downgrade permission.
    for (const changed of [
      { ...decoded, version: '9.9.9' },
      { ...decoded, allowDowngrade: true },
    ])
      expect(
        verify(null, Buffer.from(signedText(changed)), publicKey, Buffer.from(decoded.signature, 'base64')),
      ).toBe(false);
  });

  it('names the field that is wrong, and never throws', () => {
    const { document } = signedDocument();
    expect(decodeUpdateDocument(null)).toEqual({ error: 'the job document is not a JSON object' });
    expect(decodeUpdateDocument({ ...document, extra: 1 })).toEqual({
      error: 'unexpected key "extra"',
    });
    expect(decodeUpdateDocument({ ...document, version: '1.2' })).toMatchObject({
      error: expect.stringContaining('version'),
    });
    expect(decodeUpdateDocument({ ...document, arch: 'x86' })).toMatchObject({
      error: expect.stringContaining('arch'),
    });
    expect(decodeUpdateDocument({ ...document, size: 0 })).toMatchObject({
      error: expect.stringContaining('size'),
    });
    expect(decodeUpdateDocument({ ...document, sha256: 'A'.repeat(64) })).toMatchObject({
      error: expect.stringContaining('sha256'),
    });
    expect(decodeUpdateDocument({ ...document, url: 'http://example.com' })).toMatchObject({
      error: expect.stringContaining('url'),
    });
    expect(decodeUpdateDocument({ ...document, operation: 'other' })).toMatchObject({
      error: expect.stringContaining('operation'),
    });
  });

  it('orders versions, a pre-release before its release', () => {
    expect(compareVersions('1.2.3', '1.2.3')).toBe(0);
    expect(compareVersions('1.2.3', '1.10.0')).toBeLessThan(0);
    expect(compareVersions('2.0.0', '1.99.99')).toBeGreaterThan(0);
    expect(compareVersions('1.0.0-rc.1', '1.0.0')).toBeLessThan(0);
  });
});

describe('jobs topics', () => {
  it('builds the IoT Jobs MQTT API topics of one thing', async () => {
    const { jobsTopic } = await import('../../shared/topics.ts');
    expect(jobsTopic('pi', { op: 'notify-next' })).toBe('$aws/things/pi/jobs/notify-next');
    expect(jobsTopic('pi', { op: 'start-next/accepted' })).toBe('$aws/things/pi/jobs/start-next/accepted');
    expect(jobsTopic('pi', { op: 'update', jobId: 'up-1' })).toBe('$aws/things/pi/jobs/up-1/update');
  });
});
