/**
 * DescribeInstances over every configured account and region: one Ec2Source per account (sources/ec2.ts,
 * with its pagination, backoff, timeouts and describe batching), all listed in parallel. The home
 * account (the first) is read with the home credentials; every other through `ec2led-reader`
 * (assume-role.ts).
 *
 * One account failing (role missing, throttled past its retries) does not fail the listing: the
 * snapshot names it in `failedAccounts` with the reason, and the sync core keeps that account's
 * instances, stale, while the others stay live. Only when every account fails does `list` reject.
 * `describeIds` asks every account (a message's region is known, its ids' account is not to the
 * describe queue) and rejects only when every account fails.
 */

import { type Logger, silentLogger } from '../base/log.ts';
import type { Account } from '../fleet/accounts.ts';
import type { ItemDetails } from '../fleet/item.ts';
import type { ScheduledListing } from '../fleet/notices.ts';
import { assumeRoleCredentials } from './assume-role.ts';
import type { AwsTimeouts } from './aws-client.ts';
import type { AwsCredentials, CredentialProvider } from './credentials.ts';
import { createEc2Source, Ec2Error, type Ec2Source, type Ec2SourceOptions } from './ec2.ts';

export interface AccountsEc2Options {
  /** aws.accounts, the home account first. */
  readonly accounts: readonly Account[];
  readonly regions: readonly string[];
  /** The home credentials; undefined: the SDK default chain. */
  readonly credentials?: CredentialProvider | undefined;
  /** RoleSessionName and SourceIdentity of the assumed sessions: the thing name. */
  readonly sessionName: string;
  readonly ec2Endpoint?: string | undefined;
  /** STS endpoint override (tests); default the SDK's regional endpoint in the first region. */
  readonly stsEndpoint?: string | undefined;
  readonly timeouts?: AwsTimeouts | undefined;
  readonly retry?: Ec2SourceOptions['retry'];
  /** Role sessions assumed earlier, by account (listing-child.ts: from earlier listing processes). */
  readonly sessions?: ReadonlyMap<string, AwsCredentials>;
  /** Told every newly assumed role session. */
  readonly onSession?: (account: string, credentials: AwsCredentials) => void;
  readonly now?: () => number;
  readonly log?: Logger;
}

interface Member {
  readonly account: Account;
  readonly source: Ec2Source;
  readonly close: () => void;
}

export function createAccountsEc2Source(options: AccountsEc2Options): Ec2Source {
  const log = options.log ?? silentLogger;
  const now = options.now ?? Date.now;
  const members: Member[] = options.accounts.map((account, index) => {
    const assumed =
      index === 0
        ? undefined
        : assumeRoleCredentials({
            account: account.id,
            sessionName: options.sessionName,
            source: options.credentials,
            region: options.regions[0] ?? 'us-east-1',
            endpoint: options.stsEndpoint,
            timeouts: options.timeouts,
            initial: options.sessions?.get(account.id),
            onSession: (credentials) => options.onSession?.(account.id, credentials),
            now,
            log,
          });
    const source = createEc2Source({
      regions: options.regions,
      credentials: assumed ?? options.credentials,
      endpoint: options.ec2Endpoint,
      tagFilter: account.tagFilter,
      now,
      log: log.child({ account: account.id }),
      ...(options.timeouts === undefined ? {} : { timeouts: options.timeouts }),
      ...(options.retry === undefined ? {} : { retry: options.retry }),
    });
    return { account, source, close: () => assumed?.close() };
  });
  if (members.length === 1 && members[0] !== undefined) return members[0].source;

  const allFailed = (failures: readonly unknown[]): Ec2Error => {
    const throttled = failures.some((f) => (f as { throttled?: boolean }).throttled === true);
    const reasons = failures.map((f) => (f as Error).message).join('; ');
    return new Ec2Error(`every account failed: ${reasons}`, throttled, failures[0]);
  };

  return {
    async list(signal) {
      const startedAtMs = now();
      const results = await Promise.allSettled(members.map((m) => m.source.list(signal)));
      const instances: ItemDetails[] = [];
      const failedAccounts: { account: string; reason: string }[] = [];
      const scheduled: ScheduledListing[] = [];
      results.forEach((result, i) => {
        const account = (members[i] as Member).account;
        if (result.status === 'fulfilled') {
          // An instance is the account's whose role listed it, whatever OwnerId said.
          for (const d of result.value.items) instances.push({ ...d, account: account.id });
          for (const s of result.value.scheduled ?? []) scheduled.push({ ...s, account: account.id });
        } else {
          const reason = (result.reason as Error).message;
          failedAccounts.push({ account: account.id, reason });
          log.warn('account not listed; its pixels are stale', {
            account: account.id,
            label: account.label,
            error: reason,
          });
        }
      });
      if (failedAccounts.length === members.length)
        throw allFailed(results.map((r) => (r as PromiseRejectedResult).reason));
      return {
        startedAtMs,
        items: instances,
        ...(failedAccounts.length > 0 ? { failedAccounts } : {}),
        ...(scheduled.length > 0 ? { scheduled } : {}),
      };
    },
    async describeIds(region, ids, signal) {
      const results = await Promise.allSettled(members.map((m) => m.source.describeIds(region, ids, signal)));
      const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failures.length === members.length) throw allFailed(failures.map((f) => f.reason));
      return results.flatMap((r, i) =>
        r.status === 'fulfilled'
          ? r.value.map((d) => ({ ...d, account: (members[i] as Member).account.id }))
          : [],
      );
    },
    close() {
      for (const m of members) {
        m.source.close();
        m.close();
      }
    },
  };
}
