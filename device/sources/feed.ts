/**
 * The EC2 side of the agent's feed, as the runtime's effects: listing and describing through the
 * EC2 source, subscribing through the MQTT source, and the rate-limited log of changes sync.ts
 * dropped for being stamped ahead of this clock. Decides nothing: sync.ts does.
 */

import type { Config } from '../config.ts';
import { accountsOf } from '../fleet/accounts.ts';
import type { Logger } from '../log.ts';
import type { SyncEffects } from '../runtime.ts';
import { credentialsFromConfig } from './credentials.ts';
import { createDropReport } from './drop-report.ts';
import type { AwsTimeouts, Ec2Source } from './ec2.ts';
import { createProcessEc2Source, type ProcessEc2Options, runsFromSources } from './listing-process.ts';

/**
 * The agent's EC2 source. In the packed agent (what a Pi runs), each listing and describe runs in a
 * short-lived process (listing-process.ts), so the EC2 client is never resident in the agent. From
 * the TypeScript sources (tests, `npx ec2led` in a clone, `npm start`), in this process, as the child
 * would run it: a child would start through tsx and load the SDK unbundled, 2-3 s a listing and far
 * more on a busy machine. test/device/sources/listing-process.test.ts runs the child from the
 * sources; test/device/bundle.test.ts, the packed-install test and the benchmarks run the packed one.
 */
export function ec2SourceFor(config: Config, log: Logger, timeouts?: AwsTimeouts): Ec2Source {
  const options: ProcessEc2Options = {
    accounts: accountsOf(config.aws.accounts, config.tagFilter),
    regions: config.aws.regions,
    credentials: credentialsFromConfig(config, log, timeouts?.requestMs),
    sessionName: config.mqtt.clientId,
    timeouts,
    ec2Endpoint: config.aws.ec2Endpoint,
    stsEndpoint: config.aws.stsEndpoint,
    // Page-level retries stay short: sync.ts backs off whole listings, slower when throttled.
    retry: { attempts: 3, baseMs: 500, capMs: 4_000 },
    log,
  };
  return runsFromSources() ? inProcessEc2Source(options) : createProcessEc2Source(options);
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
    dropped: (command) => clockAhead.drop(command.change.instanceId),
    close() {
      ec2.close();
      clockAhead.close();
    },
  };
}
