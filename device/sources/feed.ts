/**
 * The agent's feed from the config: the sync options, the MQTT source's scope, and the EC2 side as
 * the runtime's effects (listing and describing through the EC2 source — with config `alarms`,
 * DescribeAlarms too, in the same listing: listing.ts — subscribing through the MQTT source, and
 * the rate-limited log of changes sync.ts dropped for being stamped ahead of this clock). Decides
 * nothing: sync.ts does.
 */

import type { NoticeMessage } from '../../shared/notice-message.ts';
import type { Logger } from '../base/log.ts';
import type { Config } from '../config/config.ts';
import { accountIds, accountsOf, anyTagFilter } from '../fleet/accounts.ts';
import type { SyncEffects } from '../fleet/effects.ts';
import type { SyncOptions } from '../fleet/sync.ts';
import { type AlarmScope, alarmRoute } from './alarm-topics.ts';
import type { AlarmSource, AlarmSourceOptions } from './alarms.ts';
import type { AwsTimeouts } from './aws-client.ts';
import { credentialsFromConfig } from './credentials.ts';
import { deployPartFor, deployRoutes } from './deploy-feed.ts';
import { createDropReport } from './drop-report.ts';
import type { Ec2Source } from './ec2.ts';
import { instanceRoute } from './instance-topics.ts';
import type { ItemSource } from './item-source.ts';
import { instanceSlice, withAlarms, withPart } from './listing.ts';
import { createProcessEc2Source, type ProcessEc2Options, runsFromSources } from './listing-process.ts';
import type { MqttSourceOptions } from './mqtt.ts';
import { withNotices } from './notice-topics.ts';
import { probeSource } from './probes.ts';

/** The desk probes of config `probes` (none without it), as an item source of their own slice. */
export function probeSourceFor(config: Config, log: Logger): ItemSource {
  return probeSource({ probes: config.probes ?? [], log });
}

export function syncOptionsFor(config: Config): SyncOptions {
  return {
    resyncMinutes: config.resyncMinutes,
    tagFiltered: anyTagFilter(config.aws.accounts, config.tagFilter),
  };
}

/**
 * The MQTT connection and the sources' routes on it (topic-route.ts): the instances' topics for the
 * configured accounts and regions (all that is let through), with the instance notices on the same
 * topics when `onNotice` takes them (notice-topics.ts), then, with config `alarms`, the alarms',
 * and with config `deploys`, the deploys' (deploy-feed.ts).
 */
export function mqttOptionsFor(
  config: Config,
  onNotice?: (message: NoticeMessage) => void,
): Pick<MqttSourceOptions, 'mqtt' | 'topicPrefix' | 'routes'> {
  const scope = alarmScope(config);
  const states = instanceRoute({
    topicPrefix: config.topicPrefix,
    accounts: accountIds(config.aws.accounts),
    regions: config.aws.regions,
  });
  const instances = onNotice === undefined ? states : withNotices(states, config.topicPrefix, onNotice);
  return {
    mqtt: config.mqtt,
    topicPrefix: config.topicPrefix,
    routes: [
      instances,
      ...(scope === undefined ? [] : [alarmRoute(config.topicPrefix, scope)]),
      ...deployRoutes(config),
    ],
  };
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

/**
 * The agent's EC2 source. In the packed agent (what a Pi runs), each listing and describe runs in a
 * short-lived process (listing-process.ts), so the EC2 client is never resident in the agent. From
 * the TypeScript sources (tests, `npx ec2led` in a clone, `npm start`), in this process, as the child
 * would run it: a child would start through tsx and load the SDK unbundled, 2-3 s a listing and far
 * more on a busy machine. test/device/sources/listing-process.test.ts runs the child from the
 * sources; test/device/bundle.test.ts, the packed-install test and the benchmarks run the packed one.
 */
export function ec2SourceFor(config: Config, log: Logger, timeouts?: AwsTimeouts): Ec2Source {
  const credentials = credentialsFromConfig(config, log, timeouts?.requestMs);
  const options: ProcessEc2Options = {
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
  };
  const ec2 = instanceSlice(
    runsFromSources() ? inProcessEc2Source(options) : createProcessEc2Source(options),
  );
  const home = accountIds(config.aws.accounts)[0] ?? '';
  const deploys = deployPartFor(config, credentials, log, timeouts);
  const withDeploys = (source: Ec2Source): Ec2Source =>
    deploys === undefined ? source : withPart(source, deploys, { account: home, log });
  if (config.alarms === undefined) return withDeploys(ec2);
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
  return withDeploys(withAlarms(ec2, alarms, { account: home, log }));
}

/**
 * From the sources, accounts-ec2.ts loads with this module, as a static import would; the packed
 * agent never loads it (a dynamic import: its own chunk, which the agent's chunks do not import).
 */
const inProcess = runsFromSources() ? await import('./accounts-ec2.ts') : undefined;

function inProcessEc2Source(options: ProcessEc2Options): Ec2Source {
  if (inProcess === undefined) throw new Error('the in-process EC2 source runs from the sources only');
  return inProcess.createAccountsEc2Source(options);
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
    dropped: (command) => clockAhead.drop(command.change.id),
    close() {
      ec2.close();
      clockAhead.close();
    },
  };
}
