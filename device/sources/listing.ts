/**
 * The listing sync.ts drives: DescribeInstances (every account and region) and, with config
 * `alarms`, DescribeAlarms (the home account's alarm regions), started together, as one Snapshot
 * stamped before either began, so the sync core takes both as the truth at one start
 * (fleet/sync.ts). The snapshot names its slice (`kinds`: instances, and alarms when listed): the
 * other kinds (the desk probes, sources/item-source.ts) are left as they are.
 *
 * Failures: the instances decide as before (a failed DescribeInstances fails the listing, accounts
 * it could not read are in `failedAccounts`). A failed alarm listing does not hold the instances
 * back: the snapshot names the home account as failed for the kind `alarm` only, so the fleet keeps
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

export function withAlarms(
  ec2: Ec2Source,
  alarms: AlarmSource,
  options: { readonly account: string; readonly now?: () => number; readonly log: Logger },
): Ec2Source {
  const now = options.now ?? Date.now;
  return {
    async list(signal) {
      const startedAtMs = now();
      const [instances, listed] = await Promise.all([
        ec2.list(signal),
        alarms.list(signal).catch((error: unknown) => error as Error),
      ]);
      const failedAccounts = [...(instances.failedAccounts ?? [])];
      if (listed instanceof Error) {
        options.log.warn('alarms not listed; their pixels keep their last state', { error: listed.message });
        failedAccounts.push({ account: options.account, kind: ALARM_KIND, reason: listed.message });
      }
      return {
        startedAtMs,
        kinds: [...(instances.kinds ?? [INSTANCE_KIND]), ALARM_KIND],
        items: listed instanceof Error ? instances.items : [...instances.items, ...listed.items],
        ...(failedAccounts.length > 0 ? { failedAccounts } : {}),
        ...(instances.scheduled === undefined ? {} : { scheduled: instances.scheduled }),
      };
    },
    describeIds: (region, ids, signal) => ec2.describeIds(region, ids, signal),
    close() {
      ec2.close();
      alarms.close();
    },
  };
}
