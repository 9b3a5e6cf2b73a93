/**
 * The listing process: one DescribeInstances call (a listing of every account and region, or a
 * describe of some ids) in a process of its own, started by listing-process.ts for that call and
 * gone after it, so the AWS SDK's EC2 client is never resident in the agent between listings (the
 * agent's memory budget on a Pi). Packed as dist/ec2-listing.mjs (scripts/device-bundle.ts).
 *
 * It builds the same accounts source the agent used in-process (accounts-ec2.ts, with its
 * pagination, retries, timeouts and error fixes), asks the agent for the home credentials when they
 * come from the IoT credentials provider (the agent caches them across listings), reports every role
 * session it assumes (the next process starts from it) and sends its log lines to the agent's log.
 * It answers once, then exits; it exits at once when the agent goes away.
 */
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { type LogContext, type Logger, type LogLevel, redact } from '../base/log.ts';
import { createAccountsEc2Source } from './accounts-ec2.ts';
import type { AwsCredentials, CredentialProvider } from './credentials.ts';
import {
  type ChildMessage,
  fromWireCredentials,
  fromWireError,
  type ListingRequest,
  type ParentMessage,
  toWireCredentials,
  toWireError,
} from './listing-protocol.ts';

type Send = (message: ChildMessage) => void;

function ipcLogger(send: Send, base: LogContext): Logger {
  const line =
    (level: LogLevel) =>
    (msg: string, context?: LogContext): void =>
      send({ type: 'log', level, msg, context: redact({ ...base, ...context }) as LogContext });
  return {
    debug: line('debug'),
    info: line('info'),
    warn: line('warn'),
    error: line('error'),
    child: (context) => ipcLogger(send, { ...base, ...context }),
  };
}

/**
 * Runs one request and resolves to the answer (never rejects); `send` carries what it says on the way
 * (log lines, credential questions, sessions), `onMessage` how the agent's answers reach it.
 */
export async function runListing(
  request: ListingRequest,
  send: Send,
  onMessage: (listener: (message: ParentMessage) => void) => void,
): Promise<ChildMessage> {
  const waiting = new Map<number, { resolve: (c: AwsCredentials) => void; reject: (e: Error) => void }>();
  let nextId = 0;
  onMessage((message) => {
    if (message.type !== 'credentials') return;
    const pending = waiting.get(message.id);
    waiting.delete(message.id);
    if (message.credentials !== undefined) pending?.resolve(fromWireCredentials(message.credentials));
    else pending?.reject(fromWireError(message.error ?? { name: 'Error', message: 'no credentials' }));
  });
  const fromAgent: CredentialProvider = () =>
    new Promise((resolve, reject) => {
      nextId += 1;
      waiting.set(nextId, { resolve, reject });
      send({ type: 'credentials', id: nextId });
    });
  const sessions = new Map(
    Object.entries(request.sessions).map(([account, c]) => [account, fromWireCredentials(c)]),
  );
  const source = createAccountsEc2Source({
    accounts: request.accounts,
    regions: request.regions,
    credentials: request.credentials === 'agent' ? fromAgent : undefined,
    sessionName: request.sessionName,
    ec2Endpoint: request.ec2Endpoint,
    stsEndpoint: request.stsEndpoint,
    timeouts: request.timeouts,
    ...(request.retry === undefined ? {} : { retry: request.retry }),
    sessions,
    onSession: (account, c) => send({ type: 'session', account, credentials: toWireCredentials(c) }),
    log: ipcLogger(send, {}),
  });
  try {
    const { call } = request;
    if (call.kind === 'list') return { type: 'listed', snapshot: await source.list() };
    return { type: 'described', details: await source.describeIds(call.region, call.ids) };
  } catch (error) {
    return { type: 'failed', error: toWireError(error) };
  } finally {
    source.close();
  }
}

function main(): void {
  const send: Send = (message) => {
    if (process.connected) process.send?.(message);
  };
  // The agent gone (stopped, crashed, or done with this call): nothing left to answer, and a request
  // in flight would otherwise hold this process until its own timeout.
  process.on('disconnect', () => process.exit(0));
  const listeners: ((message: ParentMessage) => void)[] = [];
  process.on('message', (message: ParentMessage) => {
    if (message.type !== 'run') {
      for (const listener of listeners) listener(message);
      return;
    }
    void runListing(message, send, (listener) => listeners.push(listener)).then((answer) => {
      if (process.connected) process.send?.(answer, () => process.disconnect());
    });
  });
}

function isMain(): boolean {
  const entry = process.argv[1];
  return entry !== undefined && pathToFileURL(realpathSync(entry)).href === import.meta.url;
}

if (isMain() && process.send !== undefined) main();
