/**
 * One listing of everything the board shows: DescribeInstances (every account and region) and
 * DescribeAlarms (the home account's alarm regions), started together, as one Snapshot stamped
 * before either began, so the sync core takes both as the truth at one start (fleet/sync.ts).
 *
 * Failures: the instances decide as before (a failed DescribeInstances fails the listing, accounts
 * it could not read are in `failedAccounts`). A failed alarm listing does not hold the instances
 * back: the snapshot names the home account as failed for the kind `alarm` only, so the fleet keeps
 * its alarms as they were and the instances are listed as usual; the reason and its fix are logged.
 */
import type { Logger } from '../log.ts';
import type { AlarmSource } from './alarms.ts';
import type { DeploySource } from './deploys.ts';
import type { Ec2Source } from './ec2.ts';
import type { ProbeRunner } from './probes.ts';

/**
 * The listing with the desk probes' last results (probes.ts) added: a probe is its own truth, so a
 * relist keeps its pixel instead of dropping it as vanished. No probes: the source itself.
 */
export function withProbes(source: Ec2Source, probes: ProbeRunner): Ec2Source {
  if (probes.size === 0) return source;
  return {
    ...source,
    async list(signal) {
      const snapshot = await source.list(signal);
      return { ...snapshot, instances: [...snapshot.instances, ...probes.current()] };
    },
  };
}

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
        failedAccounts.push({ account: options.account, kind: 'alarm', reason: listed.message });
      }
      return {
        startedAtMs,
        instances:
          listed instanceof Error ? instances.instances : [...instances.instances, ...listed.instances],
        ...(failedAccounts.length > 0 ? { failedAccounts } : {}),
      };
    },
    describeIds: (region, ids, signal) => ec2.describeIds(region, ids, signal),
    close() {
      ec2.close();
      alarms.close();
    },
  };
}

/**
 * The listing with the deploys (deploys.ts) added, started together and stamped before either, like
 * `withAlarms`: a failed deploy listing names the home account as failed for the kind `deploy` only,
 * so the deploy pixels keep their last state and the rest is listed as usual.
 */
export function withDeploys(
  source: Ec2Source,
  deploys: DeploySource,
  options: { readonly account: string; readonly now?: () => number; readonly log: Logger },
): Ec2Source {
  const now = options.now ?? Date.now;
  return {
    async list(signal) {
      const startedAtMs = now();
      const [rest, listed] = await Promise.all([
        source.list(signal),
        deploys.list(signal).catch((error: unknown) => error as Error),
      ]);
      const failedAccounts = [...(rest.failedAccounts ?? [])];
      if (listed instanceof Error) {
        options.log.warn('deploys not listed; their pixels keep their last state', { error: listed.message });
        failedAccounts.push({ account: options.account, kind: 'deploy', reason: listed.message });
      }
      return {
        startedAtMs: Math.min(startedAtMs, rest.startedAtMs),
        instances: listed instanceof Error ? rest.instances : [...rest.instances, ...listed.instances],
        ...(failedAccounts.length > 0 ? { failedAccounts } : {}),
      };
    },
    describeIds: (region, ids, signal) => source.describeIds(region, ids, signal),
    close() {
      source.close();
      deploys.close();
    },
  };
}
