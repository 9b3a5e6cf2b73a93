/**
 * The accounts a board shows (`aws.accounts`), as plain data. An entry is an account id, or an object
 * with the id, a label for the legend and an optional tag filter of its own. The first entry is the
 * home account: the one the IoT credentials are in, listed with them directly; every other account
 * is listed through its `ec2led-reader` role (sources/assume-role.ts).
 */
export interface AccountTagFilter {
  readonly key: string;
  readonly value: string;
}

/** One `aws.accounts` entry as written in the config. */
export type AccountEntry =
  | string
  | {
      readonly id: string;
      readonly label?: string | undefined;
      readonly tagFilter?: AccountTagFilter | undefined;
    };

export interface Account {
  readonly id: string;
  /** The legend's name for the account; the id when no label is set. */
  readonly label: string;
  /** This account's tag filter, else the config-wide one, else none. */
  readonly tagFilter: AccountTagFilter | undefined;
}

export function accountOf(entry: AccountEntry, tagFilter?: AccountTagFilter): Account {
  if (typeof entry === 'string') return { id: entry, label: entry, tagFilter };
  return { id: entry.id, label: entry.label ?? entry.id, tagFilter: entry.tagFilter ?? tagFilter };
}

export function accountsOf(entries: readonly AccountEntry[], tagFilter?: AccountTagFilter): Account[] {
  return entries.map((entry) => accountOf(entry, tagFilter));
}

export function accountIds(entries: readonly AccountEntry[]): string[] {
  return entries.map((entry) => (typeof entry === 'string' ? entry : entry.id));
}

/** Account id -> label, for the legend. */
export function accountLabels(entries: readonly AccountEntry[]): ReadonlyMap<string, string> {
  return new Map(accountsOf(entries).map((account) => [account.id, account.label]));
}

/** A tag filter for any account (the config-wide one, or an account's own): sync.ts relists on a miss. */
export function anyTagFilter(entries: readonly AccountEntry[], tagFilter?: AccountTagFilter): boolean {
  return accountsOf(entries, tagFilter).some((account) => account.tagFilter !== undefined);
}
