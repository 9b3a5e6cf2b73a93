/**
 * The listing sync.ts drives: DescribeInstances (every account and region) and, with config
 * `alarms`, DescribeAlarms (the home account's alarm regions), and with config `deploys` the
 * deploys (deploys.ts), each a `ListingPart`, started together, as one Snapshot
 * stamped before either began, so the sync core takes both as the truth at one start
 * (fleet/sync.ts). The snapshot names its slice (`kinds`: instances, and alarms when listed): the
 * other kinds (the desk probes, sources/item-source.ts) are left as they are.
 *
 * Failures: the instances decide as before (a failed DescribeInstances fails the listing, accounts
 * it could not read are in `failedAccounts`). A failed alarm listing does not hold the instances
 * back (nor does a failed deploy listing): the snapshot names the home account as failed for that kind only, so the fleet keeps
 * its alarms as they were and the instances are listed as usual; the reason and its fix are logged.
 */

import { ALARM_KIND } from '../../shared/alarm-message.ts';
import type { Logger } from '../base/log.ts';
import type { Snapshot } from '../fleet/item.ts';
import { INSTANCE_KIND, type Kind } from '../kinds/kinds.ts';
import type { AlarmSource } from './alarms.ts';
import type { Ec2Source } from './ec2.ts';

/** The EC2 listing as its slice of the fleet: the instances, and no other kind (fleet/store.ts). */
export function instanceSlice(ec2: Ec2Source): Ec2Source {
  return { ...ec2, list: async (signal) => sliced(await ec2.list(signal), [INSTANCE_KIND]) };
}

const sliced = (snapshot: Snapshot, kinds: readonly Kind[]): Snapshot => ({ ...snapshot, kinds });

/**
 * A kind listed with the instances (the alarms, the deploys): its own listing of the home
 * account's items, joined by `withPart`. `list` rejects when it cannot list.
 */
export interface ListingPart {
  readonly kind: Kind;
  list(signal?: AbortSignal): Promise<Snapshot>;
  close(): void;
}

/**
 * The listing with `part` joined: started together, stamped before either, the part's kind added
 * to the slice. A failed part names the home account as failed for its kind only, so its pixels
 * keep their last state and the rest is listed as usual.
 */
export function withPart(
  ec2: Ec2Source,
  part: ListingPart,
  options: { readonly account: string; readonly now?: () => number; readonly log: Logger },
): Ec2Source {
  const now = options.now ?? Date.now;
  return {
    async list(signal) {
      const startedAtMs = now();
      const [instances, listed] = await Promise.all([
        ec2.list(signal),
        part.list(signal).catch((error: unknown) => error as Error),
      ]);
      const failedAccounts = [...(instances.failedAccounts ?? [])];
      if (listed instanceof Error) {
        options.log.warn(`${part.kind}s not listed; their pixels keep their last state`, {
          error: listed.message,
        });
        failedAccounts.push({ account: options.account, kind: part.kind, reason: listed.message });
      }
      return {
        startedAtMs: Math.min(startedAtMs, instances.startedAtMs),
        kinds: [...(instances.kinds ?? [INSTANCE_KIND]), part.kind],
        items: listed instanceof Error ? instances.items : [...instances.items, ...listed.items],
        ...(failedAccounts.length > 0 ? { failedAccounts } : {}),
        ...(instances.scheduled === undefined ? {} : { scheduled: instances.scheduled }),
      };
    },
    describeIds: (region, ids, signal) => ec2.describeIds(region, ids, signal),
    close() {
      ec2.close();
      part.close();
    },
  };
}

/** The listing with the alarms (alarms.ts) joined (`withPart`). */
export function withAlarms(
  ec2: Ec2Source,
  alarms: AlarmSource,
  options: { readonly account: string; readonly now?: () => number; readonly log: Logger },
): Ec2Source {
  return withPart(
    ec2,
    { kind: ALARM_KIND, list: (signal) => alarms.list(signal), close: () => alarms.close() },
    options,
  );
}
