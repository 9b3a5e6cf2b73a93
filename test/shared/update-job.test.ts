import { createHash, generateKeyPairSync, sign, verify } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  compareVersions,
  decodeUpdateDocument,
  keyIdOf,
  signedText,
  UPDATE_ARCHES,
  UPDATE_OPERATION,
  UPDATE_PACKAGE_MAX_BYTES,
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

describe('update job document schema', () => {
  const documentArb = fc.record({
    operation: fc.constant(UPDATE_OPERATION),
    version: fc
      .tuple(fc.nat(999), fc.nat(999), fc.nat(999), fc.option(fc.stringMatching(/^[0-9A-Za-z.-]{1,40}$/)))
      .map(([a, b, c, pre]) => `${a}.${b}.${c}${pre === null ? '' : `-${pre}`}`),
    arch: fc.constantFrom(...UPDATE_ARCHES),
    size: fc.integer({ min: 1, max: UPDATE_PACKAGE_MAX_BYTES }),
    sha256: fc.stringMatching(/^[0-9a-f]{64}$/),
    allowDowngrade: fc.boolean(),
    keyId: fc.stringMatching(/^[0-9a-f]{16}$/),
    signature: fc.uint8Array({ minLength: 64, maxLength: 64 }).map((b) => Buffer.from(b).toString('base64')),
    url: fc.webUrl({ validSchemes: ['https'] }),
  });

  it('decodes whatever JSON round trip of a valid document gives back, field for field (property)', () => {
    fc.assert(
      fc.property(documentArb, (document) => {
        expect(decodeUpdateDocument(JSON.parse(JSON.stringify(document)))).toEqual(document);
      }),
      { numRuns: 500 },
    );
  });

  it('never throws, and never shows a URL it refuses (a pre-signed query is a credential)', () => {
    const { document } = signedDocument();
    const url = 'http://bucket.s3.amazonaws.com/p.deb?X-Amz-Signature=abc';
    expect(decodeUpdateDocument({ ...document, url })).toEqual({
      error: 'url is not an https URL of at most 8192 characters',
    });
    for (const value of [undefined, 42, 'x', [], JSON.parse('{"__proto__":{"operation":"ec2led-update"}}')]) {
      expect(decodeUpdateDocument(value)).toHaveProperty('error');
    }
    expect(decodeUpdateDocument({ ...document, size: 2 ** 60 })).toEqual({
      error: `size ${2 ** 60} is not a whole number of bytes from 1 to ${UPDATE_PACKAGE_MAX_BYTES}`,
    });
  });
});
