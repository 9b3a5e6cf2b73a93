/**
 * The deploys' part of the feed, from config `deploys` (absent: none of it): the MQTT route for the
 * home account's deploy topics (deploy-topics.ts) and the deploy listing (deploys.ts) as a part of
 * the listing (listing.ts `withPart`). The listing's module, with the CodePipeline and ECS clients,
 * is loaded only when the config has deploys, as feed.ts loads the alarms'.
 */
import { DEPLOY_KIND } from '../../shared/deploy-message.ts';
import type { Logger } from '../base/log.ts';
import type { Config } from '../config/config.ts';
import { accountIds } from '../fleet/accounts.ts';
import type { AwsTimeouts } from './aws-client.ts';
import type { CredentialProvider } from './credentials.ts';
import { type DeployScope, deployRoute } from './deploy-topics.ts';
import type { DeploySource, DeploySourceOptions } from './deploys.ts';
import type { ListingPart } from './listing.ts';
import type { TopicRoute } from './topic-route.ts';

/** The deploy messages to take (config `deploys`): the home account's; undefined without deploys. */
export function deployScope(config: Config): DeployScope | undefined {
  if (config.deploys === undefined) return undefined;
  return {
    account: accountIds(config.aws.accounts)[0] ?? '',
    regions: config.deploys.regions ?? config.aws.regions,
    prefixes: config.deploys.prefixes,
  };
}

/** The deploys' topic route, or none without config `deploys`. */
export function deployRoutes(config: Config): TopicRoute[] {
  const scope = deployScope(config);
  return scope === undefined ? [] : [deployRoute(config.topicPrefix, scope)];
}

/**
 * The deploy listing as a part of the listing, or undefined without config `deploys`: the home
 * account's, with its credentials, like the alarms. The module loads at once, beside the MQTT
 * connection; a failed load fails the first deploy listing (retried by the next), never the process.
 */
export function deployPartFor(
  config: Config,
  credentials: CredentialProvider | undefined,
  log: Logger,
  timeouts?: AwsTimeouts,
): ListingPart | undefined {
  const deploys = config.deploys;
  if (deploys === undefined) return undefined;
  const options: DeploySourceOptions = {
    account: accountIds(config.aws.accounts)[0] ?? '',
    regions: deploys.regions ?? config.aws.regions,
    prefixes: deploys.prefixes,
    pipelines: deploys.pipelines,
    ecsClusters: deploys.ecsClusters,
    credentials,
    codepipelineEndpoint: deploys.codepipelineEndpoint,
    ecsEndpoint: deploys.ecsEndpoint,
    ...(timeouts === undefined ? {} : { timeouts }),
    retry: { attempts: 3, baseMs: 500, capMs: 4_000 },
    log,
  };
  let source: Promise<DeploySource> | undefined;
  let closed = false;
  const load = () => {
    source ??= import('./deploys.ts').then((module) => module.createDeploySource(options));
    return source;
  };
  load().catch(() => {
    source = undefined;
  });
  return {
    kind: DEPLOY_KIND,
    list: async (signal) => (await load()).list(signal),
    close() {
      if (closed) return;
      closed = true;
      void source?.then((loaded) => loaded.close());
    },
  };
}
