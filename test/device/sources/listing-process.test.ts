/**
 * The listing in a process of its own (listing-process.ts, listing-child.ts): the real AWS SDK in a
 * real child process, against the loopback EC2, STS and IoT credentials provider. What the agent
 * gets back is what the in-process source (accounts-ec2.ts) gives: the same snapshot, the same
 * failures with the same classification; and a child that dies, hangs or is cancelled fails its call
 * without touching the agent.
 */
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../device/base/log.ts';
import { type FakeEc2, startFakeEc2 } from '../../../device/demo/fake-ec2.ts';
import { type FakeSts, startFakeSts } from '../../../device/demo/fake-sts.ts';
import { accountsOf } from '../../../device/fleet/accounts.ts';
import { createAccountsEc2Source } from '../../../device/sources/accounts-ec2.ts';
import { iotCredentialsProvider } from '../../../device/sources/credentials.ts';
import { classifyListingError } from '../../../device/sources/ec2-errors.ts';
import {
  childFlags,
  createProcessEc2Source,
  listingEntry,
  type ProcessEc2Options,
} from '../../../device/sources/listing-process.ts';
import { makeTestPki, type TestPki } from '../../fakes/certs.ts';
import { type FakeCredentialsServer, startCredentialsServer } from '../../fakes/credentials-server.ts';
import { freePort } from '../../fakes/mosquitto.ts';
import { type StallProxy, startStallProxy } from '../../fakes/stall-proxy.ts';
import { instance } from '../../fakes/world.ts';

const HOME = '111111111111';
const STAGING = '222222222222';
const REGIONS = ['eu-west-1', 'us-east-1'];
const ROLE_ALIAS = 'ec2led-device';
/** Each listing starts a node process through tsx: 2-3 s alone, far more on a machine shared with other runs. */
const CHILD_TEST_MS = 90_000;

let ec2: FakeEc2;
let sts: FakeSts;
let pki: TestPki;
let credentials: FakeCredentialsServer;
let stall: StallProxy;

beforeAll(async () => {
  ec2 = await startFakeEc2({ host: '127.0.0.1', port: 0, account: HOME });
  sts = await startFakeSts();
  pki = makeTestPki('ec2led-listing-test');
  credentials = await startCredentialsServer(pki, ROLE_ALIAS);
  stall = await startStallProxy(await freePort());
}, CHILD_TEST_MS);

afterEach(() => {
  for (const account of [HOME, STAGING]) for (const region of REGIONS) ec2.setInstances(region, [], account);
  ec2.throttleNext(0);
  sts.allow(STAGING);
});

afterAll(async () => {
  await Promise.all([ec2?.close(), sts?.close(), credentials?.close(), stall?.close()]);
  pki?.remove();
});

function homeCredentials() {
  return iotCredentialsProvider({
    endpoint: '127.0.0.1',
    port: credentials.port,
    roleAlias: ROLE_ALIAS,
    thingName: pki.thingName,
    cert: pki.client.cert,
    key: pki.client.key,
    ca: pki.ca,
  });
}

function options(overrides: Partial<ProcessEc2Options> = {}): ProcessEc2Options {
  return {
    accounts: accountsOf([HOME]),
    regions: REGIONS,
    credentials: homeCredentials(),
    sessionName: 'board-1',
    ec2Endpoint: ec2.url,
    stsEndpoint: sts.url,
    retry: { attempts: 2, baseMs: 5, capMs: 10 },
    ...overrides,
  };
}

async function failure(promise: Promise<unknown>): Promise<Error & { throttled?: boolean }> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the call to fail');
}

function gone(child: ChildProcess): boolean {
  try {
    process.kill(child.pid as number, 0);
    return false;
  } catch {
    return true;
  }
}

describe('the listing process', () => {
  it('runs the listing-child.ts source through tsx from the sources, dist/ec2-listing.mjs when packed', () => {
    expect(listingEntry('file:///repo/device/sources/listing-process.ts').file).toBe(
      '/repo/device/sources/listing-child.ts',
    );
    expect(listingEntry('file:///usr/lib/ec2-led/dist/chunks/chunk-AB12.mjs')).toEqual({
      file: '/usr/lib/ec2-led/dist/ec2-listing.mjs',
      execArgv: childFlags(),
    });
  });

  it('runs the child small: 1 MB semi-spaces and lite mode, WebAssembly off where lite mode would warn', () => {
    expect(childFlags(20)).toEqual(['--max-semi-space-size=1', '--lite-mode', '--no-expose-wasm']);
    expect(childFlags(22)).toEqual(['--max-semi-space-size=1', '--lite-mode', '--no-expose-wasm']);
    expect(childFlags(24)).toEqual(['--max-semi-space-size=1', '--lite-mode']);
  });

  it(
    'lists every region through a child process, as the in-process source does, with the IoT credentials kept in the agent',
    async () => {
      ec2.setInstances('eu-west-1', [instance(1, 'running', 'web-1'), instance(2, 'stopped')]);
      ec2.setInstances('us-east-1', [instance(3, 'pending', 'batch')]);
      const before = credentials.requests.length;
      const child = createProcessEc2Source({ ...options(), now: () => 1_000 });
      const first = await child.list();
      const second = await child.list();
      child.close();
      const inProcess = createAccountsEc2Source({ ...options(), credentials: homeCredentials() });
      const expected = await inProcess.list();
      inProcess.close();

      expect(first.startedAtMs).toBe(1_000);
      expect(first.items).toEqual(expected.items);
      expect(second.items).toEqual(expected.items);
      expect(first.items.map((d) => `${d.id} ${d.state} ${d.name}`)).toEqual([
        'i-00000000000000001 running web-1',
        'i-00000000000000002 stopped undefined',
        'i-00000000000000003 pending batch',
      ]);
      // Two listings in two processes, one credentials request: the agent's provider cached them.
      expect(credentials.requests.length - before).toBe(2); // this test's in-process source asked once more
    },
    CHILD_TEST_MS,
  );

  it(
    'describes ids through a child process, and refuses a region outside aws.regions as before',
    async () => {
      ec2.setInstances('eu-west-1', [instance(1, 'running', 'web-1'), instance(2, 'stopped')]);
      const source = createProcessEc2Source(options());
      const details = await source.describeIds('eu-west-1', ['i-00000000000000002']);
      const refused = await failure(source.describeIds('ap-south-1', ['i-00000000000000002']));
      source.close();
      expect(details.map((d) => d.id)).toEqual(['i-00000000000000002']);
      expect(refused.name).toBe('Ec2Error');
      expect(refused.message).toMatch(/refusing DescribeInstances in ap-south-1: not in aws.regions/);
    },
    CHILD_TEST_MS,
  );

  it(
    'names a failed account in failedAccounts and reuses an assumed role session in the next process',
    async () => {
      ec2.setInstances('eu-west-1', [instance(1, 'running')]);
      ec2.setInstances('eu-west-1', [instance(9, 'running')], STAGING);
      const source = createProcessEc2Source(options({ accounts: accountsOf([HOME, STAGING]) }));
      const assumedBefore = sts.requests.length;
      const both = await source.list();
      const again = await source.list();
      expect(sts.requests.length - assumedBefore).toBe(1);
      expect(both.items.map((d) => `${d.account} ${d.id}`).sort()).toEqual([
        `${HOME} i-00000000000000001`,
        `${STAGING} i-00000000000000009`,
      ]);
      expect(again.items).toHaveLength(2);

      sts.deny(STAGING);
      const fresh = createProcessEc2Source(options({ accounts: accountsOf([HOME, STAGING]) }));
      const partial = await fresh.list();
      source.close();
      fresh.close();
      expect(partial.items.map((d) => d.id)).toEqual(['i-00000000000000001']);
      expect(partial.failedAccounts?.map((f) => f.account)).toEqual([STAGING]);
      expect(partial.failedAccounts?.[0]?.reason).toMatch(/AssumeRole .*ec2led-reader failed: AccessDenied/);
    },
    CHILD_TEST_MS,
  );

  it(
    'keeps the classification of errors that cross from the child: throttled, unreachable, timeout, credentials provider',
    async () => {
      ec2.throttleNext(100);
      const throttled = await failure(createProcessEc2Source(options()).list());
      ec2.throttleNext(0);
      const closedPort = `http://127.0.0.1:${await freePort()}`;
      const unreachable = await failure(createProcessEc2Source(options({ ec2Endpoint: closedPort })).list());
      const timedOut = await failure(
        createProcessEc2Source(
          options({ ec2Endpoint: stall.url, timeouts: { connectMs: 5_000, requestMs: 300 } }),
        ).list(),
      );
      const badProvider = await failure(
        createProcessEc2Source(
          options({
            credentials: iotCredentialsProvider({
              endpoint: '127.0.0.1',
              port: credentials.port,
              roleAlias: ROLE_ALIAS,
              thingName: pki.thingName,
              cert: '/nonexistent/cert.pem',
              key: pki.client.key,
            }),
          }),
        ).list(),
      );

      expect(throttled).toMatchObject({ name: 'Ec2Error', throttled: true });
      expect(classifyListingError(throttled.cause)).toBe('throttled');
      expect(throttled.message).toMatch(/EC2 throttled DescribeInstances/);
      expect(classifyListingError(unreachable.cause)).toBe('unreachable');
      expect(unreachable.message).toMatch(/is unreachable \(ECONNREFUSED\)/);
      expect(classifyListingError(timedOut.cause)).toBe('timeout');
      expect(timedOut.message).toMatch(/did not answer in time/);
      expect(classifyListingError(badProvider.cause)).toBe('credentials-provider');
      expect(badProvider.message).toMatch(/cannot read the device certificate files/);

      // A page that is not a DescribeInstancesResponse fails in the child and reads the same here.
      ec2.breakNext(1, 'html');
      const broken = await failure(createProcessEc2Source(options()).list());
      expect(classifyListingError(broken.cause)).toBe('malformed');
      expect(broken.message).toMatch(/the root element is <html>|unexpected markup "<!DOCTYPE/);
    },
    CHILD_TEST_MS,
  );

  it(
    "writes the child's log lines to the agent's log, with their context and without secrets",
    async () => {
      ec2.setInstances('eu-west-1', [instance(1, 'running')]);
      ec2.throttleNext(1, 'eu-west-1');
      const lines: string[] = [];
      const source = createProcessEc2Source(
        options({ log: createLogger({ write: (line) => lines.push(line), level: 'debug' }) }),
      );
      expect((await source.list()).items).toHaveLength(1);
      const throttled = lines.map((line) => JSON.parse(line)).find((line) => line.msg === 'throttled');
      expect(throttled).toMatchObject({
        level: 'warn',
        context: { source: 'ec2', region: 'eu-west-1', attempt: 1 },
      });
      expect(lines.join('\n')).not.toContain('fakeSecretAccessKey');
    },
    CHILD_TEST_MS,
  );

  it(
    'fails the call, and only the call, when the child is killed',
    async () => {
      let spawned: ChildProcess | undefined;
      const source = createProcessEc2Source(
        options({ ec2Endpoint: stall.url, onSpawn: (child) => (spawned = child) }),
      );
      const accepted = stall.accepted;
      const listing = failure(source.list());
      // Killed in the middle of its request.
      await until(() => stall.accepted > accepted);
      expect(stall.accepted).toBeGreaterThan(accepted);
      spawned?.kill('SIGKILL');
      const error = await listing;
      expect(error).toMatchObject({ name: 'Ec2Error', throttled: false });
      expect(error.message).toMatch(/the listing process exited \(SIGKILL\) before answering/);
      ec2.setInstances('eu-west-1', [instance(1, 'running')]);
      const next = createProcessEc2Source(options());
      expect((await next.list()).items).toHaveLength(1);
    },
    CHILD_TEST_MS,
  );

  it(
    "collects the agent's garbage once after a listing that replaced a large one, not after others",
    async () => {
      let collections = 0;
      let collected: () => void = () => undefined;
      const source = createProcessEc2Source(
        options({
          collectAfterReplacing: 3,
          collect: () => {
            collections += 1;
            collected();
          },
        }),
      );
      ec2.setInstances('eu-west-1', [instance(1, 'running'), instance(2, 'running')]);
      await source.list();
      ec2.setInstances('eu-west-1', [instance(1, 'running'), instance(2, 'running'), instance(3, 'stopped')]);
      await source.list(); // replaced 2 things: nothing to collect
      ec2.setInstances('eu-west-1', [instance(1, 'running')]);
      const done = new Promise<void>((resolve) => {
        collected = resolve;
      });
      await source.list(); // replaced 3
      await Promise.race([
        done,
        new Promise((_, reject) => setTimeout(() => reject(new Error('no collection in 10 s')), 10_000)),
      ]);
      expect(collections).toBe(1);
      source.close();
    },
    CHILD_TEST_MS,
  );

  it(
    'kills a child that runs over its lifetime, and fails the listing',
    async () => {
      let spawned: ChildProcess | undefined;
      const source = createProcessEc2Source(
        options({ ec2Endpoint: stall.url, maxLifetimeMs: 1_500, onSpawn: (child) => (spawned = child) }),
      );
      const error = await failure(source.list());
      expect(error.message).toMatch(/the listing process ran over 1500 ms and was stopped/);
      if (spawned?.exitCode === null && spawned.signalCode === null) await once(spawned, 'exit');
      expect(gone(spawned as ChildProcess)).toBe(true);
    },
    CHILD_TEST_MS,
  );

  it(
    'kills the child when the listing is cancelled (cancel-list, stop)',
    async () => {
      let spawned: ChildProcess | undefined;
      const source = createProcessEc2Source(
        options({ ec2Endpoint: stall.url, onSpawn: (child) => (spawned = child) }),
      );
      const abort = new AbortController();
      const accepted = stall.accepted;
      const listing = failure(source.list(abort.signal));
      await until(() => stall.accepted > accepted);
      expect(stall.accepted).toBeGreaterThan(accepted);
      abort.abort();
      const error = await listing;
      expect(classifyListingError(error.cause)).toBe('aborted');
      expect(error.message).toMatch(/listing cancelled/);
      const child = spawned as ChildProcess;
      if (child.exitCode === null && child.signalCode === null) await once(child, 'exit');
      expect(child.signalCode).toBe('SIGKILL');
      expect(gone(child)).toBe(true);
      // Already cancelled: no process at all.
      spawned = undefined;
      await failure(source.list(abort.signal));
      expect(spawned).toBeUndefined();
    },
    CHILD_TEST_MS,
  );
});

async function until(probe: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !probe(); i += 1) await new Promise((resolve) => setTimeout(resolve, 50));
}
