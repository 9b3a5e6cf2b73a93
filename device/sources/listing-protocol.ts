/**
 * What the agent and its listing process (listing-process.ts, listing-child.ts) say to each other over
 * the IPC channel, as plain JSON: the request, the answer, and on the way the child's log lines, its
 * questions for credentials and the role sessions it assumed. Errors cross as records that keep what
 * ec2-errors.ts classifies by (name, message, network code, HTTP status, throttled, causes), so a
 * failure reads and is handled the same on both sides.
 */

import type { LogContext, LogLevel } from '../base/log.ts';
import type { Account } from '../fleet/accounts.ts';
import type { ItemDetails, Snapshot } from '../fleet/item.ts';
import type { AwsTimeouts } from './aws-client.ts';
import type { AwsCredentials } from './credentials.ts';
import type { Ec2SourceOptions } from './ec2.ts';
import { Ec2Error } from './ec2-errors.ts';

export interface WireCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  readonly expirationMs?: number;
}

export interface WireError {
  readonly name: string;
  readonly message: string;
  readonly code?: string;
  readonly status?: number;
  readonly throttled?: boolean;
  readonly cause?: WireError;
}

export type ListingCall =
  | { readonly kind: 'list' }
  | { readonly kind: 'describe'; readonly region: string; readonly ids: readonly string[] };

/** Everything the child needs to build the accounts source (accounts-ec2.ts) and make one call. */
export interface ListingRequest {
  readonly type: 'run';
  readonly call: ListingCall;
  readonly accounts: readonly Account[];
  readonly regions: readonly string[];
  readonly sessionName: string;
  readonly ec2Endpoint?: string | undefined;
  readonly stsEndpoint?: string | undefined;
  readonly timeouts?: AwsTimeouts | undefined;
  readonly retry?: Ec2SourceOptions['retry'];
  /** `agent`: ask the agent (its IoT credentials provider); `default`: the SDK's chain in the child. */
  readonly credentials: 'agent' | 'default';
  /** Role sessions assumed by earlier children and still valid, by account. */
  readonly sessions: Readonly<Record<string, WireCredentials>>;
}

export type ParentMessage =
  | ListingRequest
  | {
      readonly type: 'credentials';
      readonly id: number;
      readonly credentials?: WireCredentials;
      readonly error?: WireError;
    };

export type ChildMessage =
  | { readonly type: 'log'; readonly level: LogLevel; readonly msg: string; readonly context?: LogContext }
  | { readonly type: 'credentials'; readonly id: number }
  | { readonly type: 'session'; readonly account: string; readonly credentials: WireCredentials }
  | { readonly type: 'listed'; readonly snapshot: Snapshot }
  | { readonly type: 'described'; readonly details: readonly ItemDetails[] }
  | { readonly type: 'failed'; readonly error: WireError };

export function toWireCredentials(c: AwsCredentials): WireCredentials {
  return {
    accessKeyId: c.accessKeyId,
    secretAccessKey: c.secretAccessKey,
    ...(c.sessionToken === undefined ? {} : { sessionToken: c.sessionToken }),
    ...(c.expiration === undefined ? {} : { expirationMs: c.expiration.getTime() }),
  };
}

export function fromWireCredentials(c: WireCredentials): AwsCredentials {
  return {
    accessKeyId: c.accessKeyId,
    secretAccessKey: c.secretAccessKey,
    ...(c.sessionToken === undefined ? {} : { sessionToken: c.sessionToken }),
    ...(c.expirationMs === undefined ? {} : { expiration: new Date(c.expirationMs) }),
  };
}

interface ErrorFields {
  readonly name?: unknown;
  readonly message?: unknown;
  readonly code?: unknown;
  readonly throttled?: unknown;
  readonly cause?: unknown;
  readonly $metadata?: { readonly httpStatusCode?: unknown };
}

/** An error as a record; causes kept four deep (as far as ec2-errors.ts looks for a network code). */
export function toWireError(error: unknown, depth = 0): WireError {
  if (typeof error !== 'object' || error === null) return { name: 'Error', message: String(error) };
  const e = error as ErrorFields;
  const status = e.$metadata?.httpStatusCode;
  return {
    name: typeof e.name === 'string' ? e.name : 'Error',
    message: typeof e.message === 'string' ? e.message : String(error),
    ...(typeof e.code === 'string' ? { code: e.code } : {}),
    ...(typeof status === 'number' ? { status } : {}),
    ...(typeof e.throttled === 'boolean' ? { throttled: e.throttled } : {}),
    ...(e.cause !== undefined && depth < 4 ? { cause: toWireError(e.cause, depth + 1) } : {}),
  };
}

/** The error again: an Ec2Error for an Ec2Error, else an Error with the same name, code and status. */
export function fromWireError(wire: WireError): Error {
  const cause = wire.cause === undefined ? undefined : fromWireError(wire.cause);
  if (wire.name === 'Ec2Error') return new Ec2Error(wire.message, wire.throttled === true, cause);
  const error = new Error(wire.message, cause === undefined ? undefined : { cause }) as Error & {
    code?: string;
    throttled?: boolean;
    $metadata?: { httpStatusCode: number };
  };
  error.name = wire.name;
  if (wire.code !== undefined) error.code = wire.code;
  if (wire.status !== undefined) error.$metadata = { httpStatusCode: wire.status };
  if (wire.throttled !== undefined) error.throttled = wire.throttled;
  return error;
}
