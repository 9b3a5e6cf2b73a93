/**
 * The deploy source with the real AWS SDK clients (@aws-sdk/client-codepipeline and
 * @aws-sdk/client-ecs, JSON 1.1 protocol) against the loopback FakeDeploys
 * (device/demo/fake-deploys.ts): the latest execution per pipeline, the primary deployment per
 * service, prefixes, paging, throttling, errors with their fix.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../device/base/log.ts';
import { type FakeDeploys, startFakeDeploys } from '../../../device/demo/fake-deploys.ts';
import type { ItemDetails } from '../../../device/fleet/item.ts';
import { EMPTY_FLEET, replaceWithSnapshot } from '../../../device/fleet/store.ts';
import {
  createDeploySource,
  type DeploySource,
  type DeploySourceOptions,
  partitionOf,
  serviceStateOf,
} from '../../../device/sources/deploys.ts';
import type { Ec2Source } from '../../../device/sources/ec2.ts';
import { withPart } from '../../../device/sources/listing.ts';

const CREDENTIALS = async () => ({ accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' });
const ACCOUNT = '123456789012';
const T = 1_765_000_000_000;
let fake: FakeDeploys;

function source(overrides: Partial<DeploySourceOptions> = {}) {
  return createDeploySource({
    account: ACCOUNT,
    regions: ['eu-west-1'],
    prefixes: [''],
    pipelines: true,
    ecsClusters: [],
    credentials: CREDENTIALS,
    codepipelineEndpoint: fake.url,
    ecsEndpoint: fake.url,
    now: () => T + 3_600_000,
    retry: { attempts: 3, baseMs: 5, capMs: 20 },
    ...overrides,
  });
}

beforeAll(async () => {
  fake = await startFakeDeploys({ account: ACCOUNT });
});

afterEach(() => {
  fake.throttleNext(0);
  (fake.requests as unknown[]).length = 0;
});

afterAll(async () => {
  await fake.close();
});

describe('deploy source', () => {
  it("lists each selected pipeline's latest execution and each selected service's primary deployment", async () => {
    fake.pipeline('eu-west-1', 'shop-web', {
      id: 'e-1',
      status: 'Failed',
      startMs: T,
      updatedMs: T + 60_000,
    });
    fake.pipeline('eu-west-1', 'shop-web', {
      id: 'e-2',
      status: 'InProgress',
      startMs: T + 120_000,
      updatedMs: T + 120_000,
    });
    fake.pipeline('eu-west-1', 'other-api', { id: 'e-3', status: 'Succeeded', startMs: T, updatedMs: T });
    fake.pipeline('eu-west-1', 'shop-never-ran');
    fake.service('eu-west-1', 'prod', 'shop-cart', [
      { id: 'ecs-svc/2', status: 'PRIMARY', rolloutState: 'FAILED', createdMs: T + 5_000 },
      { id: 'ecs-svc/1', status: 'ACTIVE', rolloutState: 'COMPLETED', createdMs: T },
    ]);
    fake.service('eu-west-1', 'prod', 'billing', [
      { id: 'ecs-svc/9', status: 'PRIMARY', rolloutState: 'COMPLETED', createdMs: T },
    ]);
    const deploys = source({ prefixes: ['shop-'], ecsClusters: ['prod'] });
    try {
      const snapshot = await deploys.list();
      expect(snapshot.startedAtMs).toBe(T + 3_600_000);
      expect([...snapshot.items].sort((a, b) => a.id.localeCompare(b.id))).toEqual([
        {
          kind: 'deploy',
          id: `arn:aws:codepipeline:eu-west-1:${ACCOUNT}:shop-web`,
          region: 'eu-west-1',
          account: ACCOUNT,
          name: 'shop-web',
          tags: {},
          state: 'deploying',
          startMs: T + 120_000,
        },
        {
          kind: 'deploy',
          id: `arn:aws:ecs:eu-west-1:${ACCOUNT}:service/prod/shop-cart`,
          region: 'eu-west-1',
          account: ACCOUNT,
          name: 'shop-cart',
          tags: {},
          state: 'deploy-failed',
          startMs: T + 5_000,
        },
      ]);
      // Only the selected pipelines' executions are read, one call each; one DescribeServices for one service.
      expect(fake.requests.map((r) => r.operation).sort()).toEqual([
        'DescribeServices',
        'ListPipelineExecutions',
        'ListPipelineExecutions',
        'ListPipelines',
        'ListServices',
      ]);
    } finally {
      deploys.close();
    }
  });

  it('skips a Superseded execution for the next one, and makes no ECS call without clusters', async () => {
    fake.pipeline('eu-west-1', 'sup-app', { id: 's-1', status: 'Succeeded', startMs: T, updatedMs: T });
    fake.pipeline('eu-west-1', 'sup-app', {
      id: 's-2',
      status: 'Superseded',
      startMs: T + 1,
      updatedMs: T + 2,
    });
    const deploys = source({ prefixes: ['sup-'] });
    try {
      const snapshot = await deploys.list();
      expect(snapshot.items.map((d) => [d.name, d.state])).toEqual([['sup-app', 'deployed']]);
      expect(fake.requests.some((r) => r.operation === 'ListServices')).toBe(false);
    } finally {
      deploys.close();
    }
  });

  it('pages through ListServices and describes services in groups of 10', async () => {
    for (let i = 0; i < 23; i += 1) {
      fake.service('eu-west-1', 'big', `page-${String(i).padStart(2, '0')}`, [
        { id: `ecs-svc/${i}`, status: 'PRIMARY', rolloutState: 'COMPLETED', createdMs: T },
      ]);
    }
    const deploys = source({ prefixes: ['page-'], pipelines: false, ecsClusters: ['big'] });
    try {
      const snapshot = await deploys.list();
      expect(snapshot.items).toHaveLength(23);
      const describes = fake.requests.filter((r) => r.operation === 'DescribeServices');
      expect(describes.map((r) => (r.body.services as string[]).length)).toEqual([10, 10, 3]);
    } finally {
      deploys.close();
    }
  });

  it('retries a throttled call, and names the missing permission when access is denied', async () => {
    fake.pipeline('eu-west-1', 'thr-app', { id: 't-1', status: 'Succeeded', startMs: T, updatedMs: T });
    const deploys = source({ prefixes: ['thr-'] });
    try {
      fake.throttleNext(2);
      const snapshot = await deploys.list();
      expect(snapshot.items.map((d) => d.name)).toEqual(['thr-app']);
      fake.throttleNext(5);
      await expect(deploys.list()).rejects.toThrow(
        /codepipeline:ListPipelines failed in eu-west-1: ThrottlingException: .*throttled/,
      );
    } finally {
      deploys.close();
    }
  });

  it('reads no rollout state as in progress while older deployments remain', () => {
    expect(
      serviceStateOf({
        deployments: [
          { status: 'PRIMARY', createdAt: new Date(T) },
          { status: 'ACTIVE', createdAt: new Date(T - 1) },
        ],
      }),
    ).toEqual({ state: 'deploying', startMs: T });
    expect(serviceStateOf({ deployments: [{ status: 'ACTIVE', createdAt: new Date(T) }] })).toBeUndefined();
    expect(partitionOf('cn-north-1')).toBe('aws-cn');
    expect(partitionOf('us-gov-west-1')).toBe('aws-us-gov');
  });
});

describe('the listing with deploys (listing.ts withPart)', () => {
  const instance: ItemDetails = {
    id: 'i-00000001',
    state: 'running',
    region: 'eu-west-1',
    account: ACCOUNT,
    name: 'web',
    tags: {},
  };
  const ec2: Ec2Source = {
    list: async () => ({ startedAtMs: T + 5, items: [instance] }),
    describeIds: async () => [],
    close: () => undefined,
  };

  const part = (deploys: DeploySource) => ({
    list: (signal?: AbortSignal) => deploys.list(signal),
    close: () => deploys.close(),
  });

  it('joins the deploys to the instances, stamped before either began', async () => {
    fake.pipeline('eu-west-1', 'join-app', { id: 'j-1', status: 'Succeeded', startMs: T, updatedMs: T });
    const listing = withPart(
      ec2,
      { kind: 'deploy', ...part(source({ prefixes: ['join-'] })) },
      {
        account: ACCOUNT,
        now: () => T,
        log: silentLogger,
      },
    );
    try {
      const snapshot = await listing.list();
      expect(snapshot.startedAtMs).toBe(T);
      expect(snapshot.items.map((d) => d.id)).toEqual([
        'i-00000001',
        `arn:aws:codepipeline:eu-west-1:${ACCOUNT}:join-app`,
      ]);
      expect(snapshot.failedAccounts).toBeUndefined();
    } finally {
      listing.close();
    }
  });

  it('keeps the deploy pixels as they were when only the deploy listing fails', async () => {
    fake.pipeline('eu-west-1', 'keep-app', { id: 'k-1', status: 'Failed', startMs: T, updatedMs: T });
    const listing = withPart(
      ec2,
      { kind: 'deploy', ...part(source({ prefixes: ['keep-'] })) },
      {
        account: ACCOUNT,
        now: () => T,
        log: silentLogger,
      },
    );
    try {
      const fleet = replaceWithSnapshot(EMPTY_FLEET, await listing.list(), T);
      fake.throttleNext(10);
      const failed = await listing.list();
      expect(failed.failedAccounts).toEqual([
        {
          account: ACCOUNT,
          kind: 'deploy',
          reason: expect.stringMatching(/codepipeline:ListPipelines failed/),
        },
      ]);
      const after = replaceWithSnapshot(fleet, failed, T + 1);
      expect(after.get(`arn:aws:codepipeline:eu-west-1:${ACCOUNT}:keep-app`)?.state).toBe('deploy-failed');
      expect(after.get('i-00000001')?.state).toBe('running');
    } finally {
      listing.close();
    }
  });
});
