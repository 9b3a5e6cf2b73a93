/**
 * A DescribeInstances that hangs must not stall reconciliation: the agent end to end (real mosquitto
 * with mutual TLS, FakeEc2 through the real SDK) with a loopback endpoint in front of EC2 that
 * accepts connections and never answers, then heals. Every wait is bounded.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Agent, startAgent } from '../../device/agent/agent.ts';
import { createLogger } from '../../device/base/log.ts';
import type { Config } from '../../device/config/config.ts';
import type { AwsTimeouts } from '../../device/sources/aws-client.ts';
import { type StallProxy, startStallProxy } from '../fakes/stall-proxy.ts';
import { waitFor } from '../fakes/wait.ts';
import { instance, startWorld, type World } from '../fakes/world.ts';

const WEB = instance(1, 'running', 'web');
const DB = instance(2, 'stopped', 'db');

let world: World;
let proxy: StallProxy;
let agent: Agent | undefined;
const logLines: Array<{ msg: string; context?: Record<string, unknown> }> = [];

async function start(awsTimeouts?: AwsTimeouts): Promise<Agent> {
  const log = createLogger({ level: 'debug', write: (line) => logLines.push(JSON.parse(line)) });
  const config: Config = { ...world.config, aws: { ...world.config.aws, ec2Endpoint: proxy.url } };
  agent = await startAgent({ config, log, ...(awsTimeouts === undefined ? {} : { awsTimeouts }) });
  return agent;
}

const count = (msg: string) => logLines.filter((line) => line.msg === msg).length;

beforeAll(async () => {
  world = await startWorld([WEB, DB]);
});

afterEach(async () => {
  await agent?.stop();
  agent = undefined;
  await proxy?.close();
  logLines.length = 0;
});

afterAll(async () => {
  await world?.close();
});

describe('a DescribeInstances that hangs', () => {
  it('times out, is retried with backoff, and the agent is synced soon after the endpoint heals', async () => {
    proxy = await startStallProxy(Number(new URL(world.ec2.url).port));
    const a = await start({ connectMs: 300, requestMs: 500 });
    await waitFor('two timed-out listings', () => count('listing failed') >= 2, 10_000);
    const failure = logLines.find((line) => line.msg === 'listing failed');
    expect(String(failure?.context?.error)).toMatch(/TimeoutError.*did not answer in time/);
    expect(a.legend().synced).toBe(false);
    proxy.heal();
    // The next retry is at most LIST_BACKOFF's third delay (4 s) away, plus one listing.
    await waitFor('synced after healing', () => a.legend().synced, 8_000);
    expect(a.legend().pixels.filter((p) => p.entry !== null)).toHaveLength(2);
  });

  it('is superseded by a reconnect: the stuck listing is cancelled and a new one syncs', async () => {
    proxy = await startStallProxy(Number(new URL(world.ec2.url).port));
    const a = await start(); // default timeouts: far longer than this test waits
    await waitFor('the first listing at the stalled endpoint', () => proxy.accepted === 1, 8_000);
    // It is the outstanding listing, and sync.ts starts no other while one is (its contract).
    expect(a.state().listing).toMatchObject({ connection: a.state().connection });
    expect(count('listing')).toBe(1);
    proxy.heal();
    await world.broker.kill();
    await world.broker.start();
    await waitFor('synced after the reconnect', () => a.legend().synced, 10_000);
    expect(count('listing superseded')).toBe(1);
    expect(logLines.find((line) => line.msg === 'listing superseded')?.context).toMatchObject({
      reason: 'reconnected',
    });
    expect(count('listing failed')).toBe(0);
  });
});
