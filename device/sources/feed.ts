/**
 * The EC2 side of the agent's feed, as the runtime's effects: listing and describing through the
 * EC2 source (with config `alarms`, DescribeAlarms too, in the same listing: listing.ts),
 * subscribing through the MQTT source, and the rate-limited log of changes sync.ts dropped for being
 * stamped ahead of this clock. Decides nothing: sync.ts does.
 */

import type { Config } from '../config.ts';
import { accountIds, accountsOf } from '../fleet/accounts.ts';
import type { ProbeChange } from '../fleet/instance.ts';
import type { Logger } from '../log.ts';
import type { SyncEffects } from '../runtime.ts';
import { createAccountsEc2Source } from './accounts-ec2.ts';
import type { AlarmSource, AlarmSourceOptions } from './alarms.ts';
import { credentialsFromConfig } from './credentials.ts';
import { createDropReport } from './drop-report.ts';
import type { AwsTimeouts, Ec2Source } from './ec2.ts';
import { withAlarms } from './listing.ts';
import type { AlarmScope } from './mqtt.ts';
import { createProbeRunner, type ProbeRunner } from './probes.ts';

/** The desk probes of config `probes` (none without it); results go to `onChange`. */
export function probeRunnerFor(
  config: Config,
  onChange: (change: ProbeChange) => void,
  log: Logger,
): ProbeRunner {
  return createProbeRunner({ probes: config.probes ?? [], onChange, log });
}

/** The alarm messages to take (config `alarms`): the home account's; undefined without alarms. */
export function alarmScope(config: Config): AlarmScope | undefined {
  if (config.alarms === undefined) return undefined;
  return {
    account: accountIds(config.aws.accounts)[0] ?? '',
    regions: config.alarms.regions ?? config.aws.regions,
    prefixes: config.alarms.prefixes,
  };
}

/**
 * The alarm source, its module (and the CloudWatch client) loaded only when the config has alarms,
 * so a board without them never loads it; the load starts at once, beside the MQTT connection, so
 * the first listing does not wait for it.
 */
function lazyAlarmSource(options: AlarmSourceOptions): AlarmSource {
  let source: Promise<AlarmSource> | undefined;
  let closed = false;
  const load = () => {
    source ??= import('./alarms.ts').then((module) => module.createAlarmSource(options));
    return source;
  };
  // A failed load fails the first alarm listing (and is retried by the next), never the process.
  load().catch(() => {
    source = undefined;
  });
  return {
    list: async (signal) => (await load()).list(signal),
    close() {
      if (closed) return;
      closed = true;
      void source?.then((loaded) => loaded.close());
    },
  };
}

/** The listing source: every account's instances, and with config `alarms` the home account's alarms. */
export function ec2SourceFor(config: Config, log: Logger, timeouts?: AwsTimeouts): Ec2Source {
  const credentials = credentialsFromConfig(config, log, timeouts?.requestMs);
  const ec2 = createAccountsEc2Source({
    accounts: accountsOf(config.aws.accounts, config.tagFilter),
    regions: config.aws.regions,
    credentials,
    sessionName: config.mqtt.clientId,
    timeouts,
    ec2Endpoint: config.aws.ec2Endpoint,
    stsEndpoint: config.aws.stsEndpoint,
    // Page-level retries stay short: sync.ts backs off whole listings, slower when throttled.
    retry: { attempts: 3, baseMs: 500, capMs: 4_000 },
    log,
  });
  if (config.alarms === undefined) return ec2;
  // Alarms of the home account only, with its credentials: ec2led-reader has no DescribeAlarms.
  const alarms = lazyAlarmSource({
    regions: config.alarms.regions ?? config.aws.regions,
    prefixes: config.alarms.prefixes,
    credentials,
    endpoint: config.alarms.endpoint,
    ...(timeouts === undefined ? {} : { timeouts }),
    retry: { attempts: 3, baseMs: 500, capMs: 4_000 },
    log,
  });
  return withAlarms(ec2, alarms, { account: accountIds(config.aws.accounts)[0] ?? '', log });
}

export interface Feed extends SyncEffects {
  /** Closes the EC2 client and flushes the drop report. */
  close(): void;
}

export function feedEffects(config: Config, log: Logger, ec2: Ec2Source, subscribe: () => void): Feed {
  // Changes stamped ahead of this clock: counted, one line a minute at most (sync.ts MAX_CLOCK_SKEW_MS).
  const clockAhead = createDropReport({
    log,
    message: 'change dropped: stamped ahead of this clock',
    context: {
      fix: 'if real changes are being dropped, this clock is behind: check `timedatectl` (System clock synchronized: yes)',
    },
  });
  return {
    subscribe,
    list: (signal) => {
      log.info('listing', { regions: config.aws.regions });
      return ec2.list(signal);
    },
    describe: (region, ids, signal) => ec2.describeIds(region, ids, signal),
    dropped: (command) => clockAhead.drop(command.change.instanceId),
    close() {
      ec2.close();
      clockAhead.close();
    },
  };
}
