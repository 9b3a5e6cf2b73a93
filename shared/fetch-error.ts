/**
 * Why a `fetch` failed, in words a user can act on. Node's fetch (undici) rejects with a bare
 * `TypeError: fetch failed` and keeps the reason in `error.cause`: a TLS verification code such as
 * `ERR_TLS_CERT_ALTNAME_INVALID`, or a socket error such as `ECONNREFUSED`. This follows the cause
 * chain and names the certificate problem with the fix. Pure; used by the desk probes and the HLS
 * check (device and Lambda alike).
 */

const UNKNOWN_ISSUER =
  "the server's certificate was issued by a CA this machine does not know (or the server omits its intermediate certificate)";

/** TLS verification codes (OpenSSL's, as Node names them) and what each asks of the user. */
const CERTIFICATE_PROBLEMS: Readonly<Record<string, string>> = {
  ERR_TLS_CERT_ALTNAME_INVALID:
    "the server's certificate is not for this host name; use the name the certificate is for, or fix the certificate",
  DEPTH_ZERO_SELF_SIGNED_CERT:
    "the server's certificate is self-signed, so nothing vouches for it; give the server a certificate from a public CA",
  SELF_SIGNED_CERT_IN_CHAIN:
    "the server's certificate chain ends in a self-signed certificate this machine does not trust",
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: UNKNOWN_ISSUER,
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: UNKNOWN_ISSUER,
  UNABLE_TO_GET_ISSUER_CERT: UNKNOWN_ISSUER,
  CERT_HAS_EXPIRED:
    "the server's certificate has expired (or this machine's clock is ahead); renew the certificate or check the clock",
  CERT_NOT_YET_VALID:
    "the server's certificate is not valid yet (or this machine's clock is behind); check the clock",
  CERT_REVOKED: "the server's certificate has been revoked",
  ERR_SSL_WRONG_VERSION_NUMBER: 'the server does not speak TLS on this port; use http:// or the HTTPS port',
};

interface Cause {
  readonly code?: unknown;
  readonly message?: unknown;
  readonly cause?: unknown;
}

/** The innermost error with a string code, else the innermost error; at most 5 causes deep. */
function rootCause(error: unknown): Cause | undefined {
  let innermost: Cause | undefined;
  let coded: Cause | undefined;
  let at: unknown = error;
  for (let depth = 0; depth < 5 && typeof at === 'object' && at !== null; depth += 1) {
    innermost = at as Cause;
    if (typeof innermost.code === 'string') coded = innermost;
    at = innermost.cause;
  }
  return coded ?? innermost;
}

/**
 * One line for a failed fetch: for a certificate problem `TLS certificate rejected
 * (ERR_TLS_CERT_ALTNAME_INVALID: Hostname/IP does not match ...): the server's certificate is not
 * for this host name; ...`; otherwise the innermost cause's code and message (`ECONNREFUSED: connect
 * ECONNREFUSED 127.0.0.1:8443`), or the error's own message.
 */
export function describeFetchError(error: unknown): string {
  const root = rootCause(error);
  const code = typeof root?.code === 'string' ? root.code : undefined;
  const message = typeof root?.message === 'string' ? root.message.trim() : String(error);
  const problem = code === undefined ? undefined : CERTIFICATE_PROBLEMS[code];
  if (problem !== undefined) return `TLS certificate rejected (${code}: ${message}): ${problem}`;
  if (code === undefined) return message;
  return message.includes(code) ? message : `${code}: ${message}`;
}
