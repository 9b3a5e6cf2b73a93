/**
 * The truth for deploys: each selected CodePipeline pipeline's latest execution and each selected
 * ECS service's primary deployment, over every configured deploy region, returned as plain data (a
 * Snapshot of deploy details), the same shape as sources/alarms.ts so the listings join
 * (sources/listing.ts). `startedAtMs` is taken before the first request.
 *
 * Calls per listing and region (docs/layout.md, docs/deploy.md):
 * - CodePipeline: ListPipelines (pages of 1,000), then one ListPipelineExecutions (maxResults 5,
 *   newest first) per pipeline whose name matches a prefix. The first execution that is not
 *   Superseded is the pipeline's state; a pipeline that never ran has no pixel.
 * - ECS, per configured cluster: ListServices (pages of 100), then DescribeServices in groups of 10
 *   for the services whose names match. The PRIMARY deployment's rolloutState is the state, its
 *   createdAt the run's start.
 *
 * Retries, timeouts and the abort signal as in sources/alarms.ts: the SDK's own retry is off, a
 * throttle or a server error is retried here with full-jitter backoff, anything else fails the
 * listing at once with the fix; the sync core relists with backoff.
 *
 * Selection is by name prefix only: CodePipeline cannot filter by tag without one
 * ListTagsForResource per pipeline per listing.
 */
import {
  CodePipelineClient,
  ListPipelineExecutionsCommand,
  ListPipelinesCommand,
  type PipelineExecutionSummary,
} from '@aws-sdk/client-codepipeline';
import { DescribeServicesCommand, ECSClient, ListServicesCommand, type Service } from '@aws-sdk/client-ecs';
import type { DeployState } from '../../shared/deploy-message.ts';
import { type Logger, silentLogger } from '../base/log.ts';
import type { ItemDetails, Snapshot } from '../fleet/item.ts';
import { type AwsTimeouts, awsClientConfig, DEFAULT_AWS_TIMEOUTS } from './aws-client.ts';
import type { CredentialProvider } from './credentials.ts';
import { classifyListingError } from './ec2-errors.ts';
import { backoffMs, isRetryableAwsError, sleep } from './retry.ts';

export interface DeploySourceOptions {
  /** The home account: every pipeline's ARN names it. */
  readonly account: string;
  /** Config deploys.regions, default aws.regions. */
  readonly regions: readonly string[];
  /** Name prefixes; "" selects every pipeline and service. */
  readonly prefixes: readonly string[];
  /** Config deploys.pipelines (default true). */
  readonly pipelines: boolean;
  /** Config deploys.ecsClusters (default none). */
  readonly ecsClusters: readonly string[];
  readonly credentials?: CredentialProvider | undefined;
  readonly codepipelineEndpoint?: string | undefined;
  readonly ecsEndpoint?: string | undefined;
  readonly now?: () => number;
  readonly log?: Logger;
  /** Default 6 attempts per request, 500 ms base, 20 s cap. */
  readonly retry?: { readonly attempts: number; readonly baseMs: number; readonly capMs: number };
  readonly timeouts?: AwsTimeouts;
}

export interface DeploySource {
  /** Lists every region. Rejects (DeployListingError) if any call fails after its retries. */
  list(signal?: AbortSignal): Promise<Snapshot>;
  close(): void;
}

/** A bound on pages per call series: 100 pages. */
const MAX_PAGES = 100;

export class DeployListingError extends Error {
  readonly throttled: boolean;
  constructor(message: string, throttled: boolean, cause: unknown) {
    super(message, { cause });
    this.name = 'DeployListingError';
    this.throttled = throttled;
  }
}

const PIPELINE_STATUS: Readonly<Record<string, DeployState>> = {
  InProgress: 'deploying',
  Stopping: 'deploying',
  Succeeded: 'deployed',
  Failed: 'deploy-failed',
  Stopped: 'deploy-stopped',
  Cancelled: 'deploy-stopped',
};

const ROLLOUT_STATE: Readonly<Record<string, DeployState>> = {
  IN_PROGRESS: 'deploying',
  COMPLETED: 'deployed',
  FAILED: 'deploy-failed',
};

/** The ARN partition of a region: aws-cn for China, aws-us-gov for GovCloud, else aws. */
export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/** The pipeline's state from its newest executions (newest first), or undefined: none counts. */
export function pipelineStateOf(
  executions: readonly PipelineExecutionSummary[],
): { state: DeployState; startMs: number } | undefined {
  for (const execution of executions) {
    const state = execution.status === undefined ? undefined : PIPELINE_STATUS[execution.status];
    const start = execution.startTime?.getTime();
    if (state !== undefined && start !== undefined && Number.isFinite(start))
      return { state, startMs: start };
  }
  return undefined;
}

/** The service's state from its PRIMARY deployment, or undefined without one. */
export function serviceStateOf(service: Service): { state: DeployState; startMs: number } | undefined {
  const primary = service.deployments?.find((deployment) => deployment.status === 'PRIMARY');
  const start = primary?.createdAt?.getTime();
  if (primary === undefined || start === undefined || !Number.isFinite(start)) return undefined;
  const rollout = primary.rolloutState === undefined ? undefined : ROLLOUT_STATE[primary.rolloutState];
  // No rolloutState (another deployment controller): in progress while older deployments remain.
  const state = rollout ?? ((service.deployments?.length ?? 0) > 1 ? 'deploying' : 'deployed');
  return { state, startMs: start };
}

function isThrottle(error: unknown): boolean {
  const name = (error as { name?: string }).name;
  return name === 'ThrottlingException' || name === 'Throttling' || name === 'LimitExceededException';
}

const isRetryable = (error: unknown): boolean => isRetryableAwsError(error, isThrottle(error));

function fixFor(call: string, region: string, error: unknown): string {
  switch (classifyListingError(error)) {
    case 'throttled':
      return `${call} was throttled in ${region}: the agent backs off and relists by itself`;
    case 'not-authorized':
      return (
        `the device role lacks ${call}: deploy the home stack with deploys selected ` +
        `(-c deployPrefix=…, docs/deploy.md) and ${region} among its regions, or remove deploys from the config`
      );
    case 'unreachable':
    case 'timeout':
      return `the ${call} endpoint in ${region} did not answer: check the network and deploys.*Endpoint; the agent relists`;
    default:
      return 'check deploys.prefixes, deploys.regions, deploys.ecsClusters and the endpoints';
  }
}

export function createDeploySource(options: DeploySourceOptions): DeploySource {
  const log = (options.log ?? silentLogger).child({ source: 'deploys' });
  const now = options.now ?? Date.now;
  const retry = options.retry ?? { attempts: 6, baseMs: 500, capMs: 20_000 };
  const timeouts = options.timeouts ?? DEFAULT_AWS_TIMEOUTS;
  const prefixes = [...new Set(options.prefixes)];
  const selected = (name: string) => prefixes.some((prefix) => name.startsWith(prefix));
  const pipelineClients = new Map<string, CodePipelineClient>();
  const ecsClients = new Map<string, ECSClient>();

  const pipelineClient = (region: string): CodePipelineClient => {
    let found = pipelineClients.get(region);
    if (found === undefined) {
      found = new CodePipelineClient(
        awsClientConfig(region, timeouts, options.credentials, options.codepipelineEndpoint),
      );
      pipelineClients.set(region, found);
    }
    return found;
  };
  const ecsClient = (region: string): ECSClient => {
    let found = ecsClients.get(region);
    if (found === undefined) {
      found = new ECSClient(awsClientConfig(region, timeouts, options.credentials, options.ecsEndpoint));
      ecsClients.set(region, found);
    }
    return found;
  };

  /** One request with retries; `call` names it in logs and errors. */
  const attempt = async <T>(call: string, region: string, run: () => Promise<T>, signal?: AbortSignal) => {
    for (let n = 1; ; n += 1) {
      try {
        return await run();
      } catch (error) {
        if (signal?.aborted || n >= retry.attempts || !isRetryable(error)) {
          const name = (error as Error).name;
          throw new DeployListingError(
            `${call} failed in ${region}: ${name}: ${(error as Error).message}; ${fixFor(call, region, error)}`,
            isThrottle(error),
            error,
          );
        }
        const delayMs = backoffMs(n, retry.baseMs, retry.capMs);
        log.warn(isThrottle(error) ? 'throttled' : `${call} failed; retrying`, {
          region,
          attempt: n,
          delayMs,
          error: (error as Error).message,
        });
        await sleep(delayMs, signal);
      }
    }
  };
  const opts = (signal?: AbortSignal) => (signal === undefined ? {} : { abortSignal: signal });
  const tooMany = (call: string, region: string) =>
    new DeployListingError(
      `${call} in ${region} returned over ${MAX_PAGES} pages; refusing to continue: choose narrower deploys.prefixes`,
      false,
      undefined,
    );

  const listPipelines = async (region: string, signal?: AbortSignal): Promise<ItemDetails[]> => {
    const client = pipelineClient(region);
    const names: string[] = [];
    let token: string | undefined;
    for (let page = 0; ; page += 1) {
      if (page >= MAX_PAGES) throw tooMany('codepipeline:ListPipelines', region);
      const command = new ListPipelinesCommand({
        maxResults: 1000,
        ...(token === undefined ? {} : { nextToken: token }),
      });
      const output = await attempt(
        'codepipeline:ListPipelines',
        region,
        () => client.send(command, opts(signal)),
        signal,
      );
      for (const pipeline of output.pipelines ?? []) {
        if (pipeline.name !== undefined && selected(pipeline.name)) names.push(pipeline.name);
      }
      token = output.nextToken || undefined;
      if (token === undefined) break;
    }
    const out: ItemDetails[] = [];
    const partition = partitionOf(region);
    // One at a time: ListPipelineExecutions is throttled per account (a burst of hundreds would be).
    for (const name of names) {
      const command = new ListPipelineExecutionsCommand({ pipelineName: name, maxResults: 5 });
      const output = await attempt(
        'codepipeline:ListPipelineExecutions',
        region,
        () => client.send(command, opts(signal)),
        signal,
      );
      const latest = pipelineStateOf(output.pipelineExecutionSummaries ?? []);
      if (latest === undefined) continue;
      out.push({
        kind: 'deploy',
        id: `arn:${partition}:codepipeline:${region}:${options.account}:${name}`,
        region,
        account: options.account,
        name,
        tags: {},
        state: latest.state,
        startMs: latest.startMs,
      });
    }
    return out;
  };

  const listServices = async (region: string, cluster: string, signal?: AbortSignal) => {
    const client = ecsClient(region);
    const arns: string[] = [];
    let token: string | undefined;
    for (let page = 0; ; page += 1) {
      if (page >= MAX_PAGES) throw tooMany('ecs:ListServices', region);
      const command = new ListServicesCommand({
        cluster,
        maxResults: 100,
        ...(token === undefined ? {} : { nextToken: token }),
      });
      const output = await attempt(
        'ecs:ListServices',
        region,
        () => client.send(command, opts(signal)),
        signal,
      );
      for (const arn of output.serviceArns ?? []) {
        const name = arn.slice(arn.lastIndexOf('/') + 1);
        if (selected(name)) arns.push(arn);
      }
      token = output.nextToken || undefined;
      if (token === undefined) break;
    }
    const out: ItemDetails[] = [];
    for (let i = 0; i < arns.length; i += 10) {
      const command = new DescribeServicesCommand({ cluster, services: arns.slice(i, i + 10) });
      const output = await attempt(
        'ecs:DescribeServices',
        region,
        () => client.send(command, opts(signal)),
        signal,
      );
      for (const service of output.services ?? []) {
        const latest = serviceStateOf(service);
        if (service.serviceArn === undefined || service.serviceName === undefined || latest === undefined) {
          log.warn('skipped a service without an ARN, a name or a primary deployment', {
            region,
            cluster,
            arn: service.serviceArn,
          });
          continue;
        }
        out.push({
          kind: 'deploy',
          id: service.serviceArn,
          region,
          account: options.account,
          name: service.serviceName,
          tags: {},
          state: latest.state,
          startMs: latest.startMs,
        });
      }
    }
    return out;
  };

  return {
    async list(signal) {
      const startedAtMs = now();
      const lists = await Promise.all(
        options.regions.flatMap((region) => [
          ...(options.pipelines ? [listPipelines(region, signal)] : []),
          ...options.ecsClusters.map((cluster) => listServices(region, cluster, signal)),
        ]),
      );
      const byArn = new Map<string, ItemDetails>();
      for (const details of lists.flat()) byArn.set(details.id, details);
      return { startedAtMs, items: [...byArn.values()] };
    },
    close() {
      for (const client of pipelineClients.values()) client.destroy();
      for (const client of ecsClients.values()) client.destroy();
      pipelineClients.clear();
      ecsClients.clear();
    },
  };
}
