/** describeFetchError: undici's bare "fetch failed" turned into the cause a user can act on. */
import { describe, expect, it } from 'vitest';
import { describeFetchError } from '../../shared/fetch-error.ts';

/** How Node's fetch rejects: a TypeError whose cause carries the code (shape seen on Node 20 and 24). */
const fetchFailed = (code: string, message: string) =>
  new TypeError('fetch failed', { cause: Object.assign(new Error(message), { code }) });

describe('describeFetchError', () => {
  it('names an expired certificate and the clock as the other suspect', () => {
    expect(describeFetchError(fetchFailed('CERT_HAS_EXPIRED', 'certificate has expired'))).toBe(
      "TLS certificate rejected (CERT_HAS_EXPIRED: certificate has expired): the server's certificate has expired (or this machine's clock is ahead); renew the certificate or check the clock",
    );
  });

  it('names a self-signed certificate', () => {
    expect(describeFetchError(fetchFailed('DEPTH_ZERO_SELF_SIGNED_CERT', 'self-signed certificate'))).toMatch(
      /^TLS certificate rejected \(DEPTH_ZERO_SELF_SIGNED_CERT: self-signed certificate\): the server's certificate is self-signed/,
    );
  });

  it('gives a socket error its code once, not undici’s "fetch failed"', () => {
    expect(describeFetchError(fetchFailed('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:8443'))).toBe(
      'connect ECONNREFUSED 127.0.0.1:8443',
    );
    expect(describeFetchError(fetchFailed('UND_ERR_SOCKET', 'other side closed'))).toBe(
      'UND_ERR_SOCKET: other side closed',
    );
  });

  it('falls back to the innermost message, and to the value itself', () => {
    expect(describeFetchError(new TypeError('fetch failed', { cause: new Error('bad port') }))).toBe(
      'bad port',
    );
    expect(
      describeFetchError(new DOMException('The operation was aborted due to timeout', 'TimeoutError')),
    ).toBe('The operation was aborted due to timeout');
    expect(describeFetchError('boom')).toBe('boom');
  });
});
