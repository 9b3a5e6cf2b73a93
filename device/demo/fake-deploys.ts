/**
 * A loopback stand-in for CodePipeline and ECS, enough of both for the deploy listing
 * (sources/deploys.ts) as the AWS SDK v3 sends it today: the AWS JSON 1.1 protocol (`POST /`,
 * `Content-Type: application/x-amz-json-1.1`, `X-Amz-Target: CodePipeline_20150709.ListPipelines`,
 * `…ListPipelineExecutions`, `AmazonEC2ContainerServiceV20141113.ListServices`, `…DescribeServices`,
 * a JSON body), answered with JSON (timestamps as epoch seconds) and errors as `__type` plus the
 * `x-amzn-errortype` header.
 *
 * Behaviour, not a mock: pipelines and services per region (from the SigV4 credential scope, whose
 * service names the API: `codepipeline` or `ecs`), executions newest first, `maxResults` and
 * `nextToken` paging, DescribeServices' limit of 10, a throttling switch and the request log. One
 * server answers both, so the agent's two endpoints may be the same URL. Used by the tests and the
 * local demo.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** CodePipeline's execution statuses (API PipelineExecutionSummary). */
export type FakeExecutionStatus =
  | 'InProgress'
  | 'Stopping'
  | 'Stopped'
  | 'Succeeded'
  | 'Superseded'
  | 'Failed'
  | 'Cancelled';

export interface FakeExecution {
  readonly id: string;
  readonly status: FakeExecutionStatus;
  readonly startMs: number;
  readonly updatedMs: number;
}

export interface FakeDeployment {
  readonly id: string;
  readonly status: 'PRIMARY' | 'ACTIVE';
  readonly rolloutState: 'IN_PROGRESS' | 'COMPLETED' | 'FAILED';
  readonly createdMs: number;
}

export interface FakeDeploys {
  /** Base URL: config deploys.codepipelineEndpoint and deploys.ecsEndpoint. */
  readonly url: string;
  readonly account: string;
  /** Adds the pipeline if new; `execution` (if given) becomes its newest. */
  pipeline(region: string, name: string, execution?: FakeExecution): void;
  /** Replaces the service's deployments (newest PRIMARY first). */
  service(region: string, cluster: string, name: string, deployments: readonly FakeDeployment[]): void;
  /** The ARNs the agent will show. */
  pipelineArn(region: string, name: string): string;
  serviceArn(region: string, cluster: string, name: string): string;
  /** Every request received: the API (X-Amz-Target's operation), the region and the body. */
  readonly requests: readonly {
    readonly region: string;
    readonly operation: string;
    readonly body: Record<string, unknown>;
  }[];
  /** The next `n` requests fail with ThrottlingException; 0 clears. */
  throttleNext(n: number): void;
  close(): Promise<void>;
}

const PIPELINE_TARGET = 'CodePipeline_20150709.';
const ECS_TARGET = 'AmazonEC2ContainerServiceV20141113.';

/** `Credential=AKID/20261126/eu-west-1/ecs/aws4_request` -> [eu-west-1, ecs]. */
function scopeOf(header: string | undefined): [string, string] | undefined {
  const match = /Credential=[^/,\s]+\/\d{8}\/([a-z0-9-]+)\/([a-z0-9-]+)\/aws4_request/.exec(header ?? '');
  return match === null ? undefined : [match[1] as string, match[2] as string];
}

async function bodyOf(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 65_536) throw new Error('body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function page<T>(items: readonly T[], body: Record<string, unknown>, max: number): [T[], string | undefined] {
  const limit = body.maxResults === undefined ? max : Number(body.maxResults);
  const token = typeof body.nextToken === 'string' ? body.nextToken : '';
  const start = token === '' ? 0 : Number(Buffer.from(token, 'base64url').toString());
  const safeLimit = Number.isInteger(limit) && limit >= 1 ? Math.min(limit, max) : max;
  const safeStart = Number.isInteger(start) && start >= 0 ? start : 0;
  const slice = items.slice(safeStart, safeStart + safeLimit);
  const end = safeStart + slice.length;
  return [slice, end < items.length ? Buffer.from(String(end)).toString('base64url') : undefined];
}

export async function startFakeDeploys(options: { readonly account?: string } = {}): Promise<FakeDeploys> {
  const account = options.account ?? '123456789012';
  const pipelines = new Map<string, Map<string, FakeExecution[]>>();
  const services = new Map<string, Map<string, FakeDeployment[]>>();
  const requests: { region: string; operation: string; body: Record<string, unknown> }[] = [];
  let throttle = 0;
  const pipelineArn = (region: string, name: string) => `arn:aws:codepipeline:${region}:${account}:${name}`;
  const serviceArn = (region: string, cluster: string, name: string) =>
    `arn:aws:ecs:${region}:${account}:service/${cluster}/${name}`;
  const regionMap = <V>(maps: Map<string, Map<string, V>>, region: string): Map<string, V> => {
    let found = maps.get(region);
    if (found === undefined) {
      found = new Map();
      maps.set(region, found);
    }
    return found;
  };

  const send = (res: ServerResponse, status: number, body: unknown): void => {
    res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': randomUUID() });
    res.end(JSON.stringify(body));
  };
  const fail = (res: ServerResponse, status: number, code: string, message: string): void => {
    res.writeHead(status, {
      'content-type': 'application/x-amz-json-1.1',
      'x-amzn-requestid': randomUUID(),
      'x-amzn-errortype': code,
    });
    res.end(JSON.stringify({ __type: code, message }));
  };

  const answer = (region: string, operation: string, body: Record<string, unknown>): [number, unknown] => {
    switch (operation) {
      case 'ListPipelines': {
        const names = [...regionMap(pipelines, region).keys()].sort();
        const [slice, next] = page(names, body, 1000);
        return [
          200,
          {
            pipelines: slice.map((name) => ({
              name,
              version: 1,
              pipelineType: 'V2',
              executionMode: 'SUPERSEDED',
            })),
            ...(next === undefined ? {} : { nextToken: next }),
          },
        ];
      }
      case 'ListPipelineExecutions': {
        const name = String(body.pipelineName);
        const executions = regionMap(pipelines, region).get(name);
        if (executions === undefined) {
          return [400, { code: 'PipelineNotFoundException', message: `pipeline ${name} not found` }];
        }
        const [slice, next] = page(executions, body, 100);
        return [
          200,
          {
            pipelineExecutionSummaries: slice.map((e) => ({
              pipelineExecutionId: e.id,
              status: e.status,
              startTime: e.startMs / 1000,
              lastUpdateTime: e.updatedMs / 1000,
            })),
            ...(next === undefined ? {} : { nextToken: next }),
          },
        ];
      }
      case 'ListServices': {
        const cluster = String(body.cluster ?? 'default');
        const names = [...regionMap(services, region).keys()]
          .filter((key) => key.startsWith(`${cluster}/`))
          .map((key) => key.slice(cluster.length + 1))
          .sort();
        const [slice, next] = page(names, body, 100);
        return [
          200,
          {
            serviceArns: slice.map((name) => serviceArn(region, cluster, name)),
            ...(next === undefined ? {} : { nextToken: next }),
          },
        ];
      }
      case 'DescribeServices': {
        const cluster = String(body.cluster ?? 'default');
        const asked = Array.isArray(body.services) ? (body.services as unknown[]).map(String) : [];
        if (asked.length > 10) {
          return [400, { code: 'InvalidParameterException', message: 'services can have at most 10 items' }];
        }
        const found = asked.map((arn) => {
          const name = arn.slice(arn.lastIndexOf('/') + 1);
          return [arn, name, regionMap(services, region).get(`${cluster}/${name}`)] as const;
        });
        return [
          200,
          {
            services: found
              .filter(([, , deployments]) => deployments !== undefined)
              .map(([, name, deployments]) => ({
                serviceArn: serviceArn(region, cluster, name),
                serviceName: name,
                clusterArn: `arn:aws:ecs:${region}:${account}:cluster/${cluster}`,
                status: 'ACTIVE',
                deployments: (deployments ?? []).map((d) => ({
                  id: d.id,
                  status: d.status,
                  rolloutState: d.rolloutState,
                  createdAt: d.createdMs / 1000,
                  updatedAt: d.createdMs / 1000,
                })),
              })),
            failures: found
              .filter(([, , deployments]) => deployments === undefined)
              .map(([arn]) => ({ arn, reason: 'MISSING' })),
          },
        ];
      }
      default:
        return [
          400,
          { code: 'UnknownOperationException', message: `${operation} is not served by this fake` },
        ];
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const text = await bodyOf(req);
    const scope = scopeOf(req.headers.authorization);
    const target = String(req.headers['x-amz-target'] ?? '');
    if (req.method !== 'POST' || scope === undefined) {
      fail(res, 403, 'IncompleteSignature', 'expected a SigV4-signed POST');
      return;
    }
    const [region, service] = scope;
    const prefix = service === 'codepipeline' ? PIPELINE_TARGET : service === 'ecs' ? ECS_TARGET : undefined;
    if (prefix === undefined || !target.startsWith(prefix)) {
      fail(res, 400, 'UnknownOperationException', `${target} is not served for ${service} by this fake`);
      return;
    }
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(text === '' ? '{}' : text) as Record<string, unknown>;
    } catch {
      fail(res, 400, 'SerializationException', 'the body is not JSON');
      return;
    }
    const operation = target.slice(prefix.length);
    requests.push({ region, operation, body });
    if (throttle > 0) {
      throttle -= 1;
      fail(res, 400, 'ThrottlingException', 'Rate exceeded');
      return;
    }
    const [status, result] = answer(region, operation, body);
    if (status === 200) send(res, status, result);
    else {
      const { code, message } = result as { code: string; message: string };
      fail(res, status, code, message);
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => fail(res, 500, 'ServerException', 'fake-deploys failed'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { address, port } = server.address() as AddressInfo;

  return {
    url: `http://${address}:${port}`,
    account,
    requests,
    pipelineArn,
    serviceArn,
    pipeline(region, name, execution) {
      const executions = regionMap(pipelines, region).get(name) ?? [];
      if (execution !== undefined) {
        const rest = executions.filter((e) => e.id !== execution.id);
        executions.splice(0, executions.length, execution, ...rest);
      }
      regionMap(pipelines, region).set(name, executions);
    },
    service(region, cluster, name, deployments) {
      regionMap(services, region).set(`${cluster}/${name}`, [...deployments]);
    },
    throttleNext(n) {
      throttle = n;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
