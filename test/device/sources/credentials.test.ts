import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  fetchIotCredentials,
  type IotCredentialsOptions,
  iotCredentialsProvider,
} from '../../../device/sources/credentials.ts';
import { makeTestPki, type TestPki } from '../../fakes/certs.ts';
import {
  FAKE_SECRET,
  type FakeCredentialsServer,
  startCredentialsServer,
} from '../../fakes/credentials-server.ts';
import { startStallProxy } from '../../fakes/stall-proxy.ts';

const ROLE_ALIAS = 'ec2led-device';
let pki: TestPki;
let server: FakeCredentialsServer;
let clock = Date.UTC(2026, 10, 26, 12, 0, 0);

function options(overrides: Partial<IotCredentialsOptions> = {}): IotCredentialsOptions {
  return {
    endpoint: '127.0.0.1',
    port: server.port,
    roleAlias: ROLE_ALIAS,
    thingName: pki.thingName,
    cert: pki.client.cert,
    key: pki.client.key,
    ca: pki.ca,
    timeoutMs: 2_000,
    now: () => clock,
    ...overrides,
  };
}

async function errorOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

beforeAll(async () => {
  pki = makeTestPki('ec2led-desk');
  server = await startCredentialsServer(pki, ROLE_ALIAS, () => clock);
});

afterEach(() => {
  server.requests.length = 0;
  server.mode = 'ok';
  server.lifetimeMs = 3_600_000;
});

afterAll(async () => {
  await server?.close();
  pki?.remove();
});

describe('IoT credentials provider over mutual TLS', () => {
  it('exchanges the device certificate for role credentials, naming the thing in the header', async () => {
    const credentials = await fetchIotCredentials(options());
    expect(credentials).toEqual({
      accessKeyId: 'ASIAFAKE000000000001',
      secretAccessKey: FAKE_SECRET,
      sessionToken: 'fake-session-token-1',
      expiration: new Date(clock + 3_600_000),
    });
    expect(server.requests).toEqual([
      { path: `/role-aliases/${ROLE_ALIAS}/credentials`, thingName: 'ec2led-desk', clientCn: 'ec2led-desk' },
    ]);
  });

  it('caches, asks once for many concurrent callers, and refreshes five minutes before expiry', async () => {
    const provide = iotCredentialsProvider(options());
    const first = await Promise.all([provide(), provide(), provide(), provide()]);
    expect(new Set(first.map((c) => c.accessKeyId)).size).toBe(1);
    expect(server.requests).toHaveLength(1);
    clock += 54 * 60_000; // 6 minutes left: still fresh
    expect((await provide()).accessKeyId).toBe(first[0]?.accessKeyId);
    expect(server.requests).toHaveLength(1);
    clock += 2 * 60_000; // 4 minutes left: refresh
    const second = await provide();
    expect(second.accessKeyId).not.toBe(first[0]?.accessKeyId);
    expect(server.requests).toHaveLength(2);
  });

  it('keeps serving unexpired credentials when a refresh fails', async () => {
    const provide = iotCredentialsProvider(options());
    const current = await provide();
    clock += 57 * 60_000;
    server.mode = 'forbidden';
    expect(await provide()).toBe(current);
    clock += 4 * 60_000; // expired now
    await expect(provide()).rejects.toThrow(/HTTP 403/);
  });

  it('explains a 403 with the thing, the role alias and the policy fix', async () => {
    server.mode = 'forbidden';
    const error = await errorOf(fetchIotCredentials(options()));
    expect(error.message).toMatch(
      /refused thing "ec2led-desk", role alias "ec2led-device" \(HTTP 403: Access Denied\)/,
    );
    expect(error.message).toMatch(
      /attached to thing "ec2led-desk".*iot:AssumeRoleWithCertificate on rolealias\/ec2led-device/,
    );
  });

  it('names the role alias when the endpoint does not know it', async () => {
    const error = await errorOf(fetchIotCredentials(options({ roleAlias: 'nope' })));
    expect(error.message).toMatch(/no role alias "nope".*aws\.roleAlias/);
  });

  it('never puts a secret from a malformed answer into its error', async () => {
    server.mode = 'garbage';
    const error = await errorOf(fetchIotCredentials(options()));
    expect(error.message).toMatch(/without the documented credentials JSON/);
    expect(JSON.stringify({ message: error.message, cause: String(error.cause) })).not.toContain(FAKE_SECRET);
  });

  it('gives up on an endpoint that does not answer within the timeout', async () => {
    server.mode = 'hang';
    const startedAt = Date.now();
    const error = await errorOf(fetchIotCredentials(options({ timeoutMs: 300 })));
    expect(Date.now() - startedAt).toBeLessThan(2_000);
    expect(error.message).toMatch(
      /cannot reach the IoT credentials provider 127\.0\.0\.1 .*no answer within 300 ms/,
    );
  });

  it('bounds the whole exchange: an answer that trickles for ever fails at the timeout', async () => {
    server.mode = 'trickle';
    const startedAt = Date.now();
    const error = await errorOf(fetchIotCredentials(options({ timeoutMs: 400 })));
    expect(Date.now() - startedAt).toBeLessThan(2_000);
    expect(error.message).toMatch(/no answer within 400 ms/);
  });

  it('gives up on an endpoint that accepts TCP and never answers, and works once it heals', async () => {
    const proxy = await startStallProxy(server.port);
    try {
      const stalled = options({ port: proxy.port, timeoutMs: 300 });
      const error = await errorOf(fetchIotCredentials(stalled));
      expect(error.message).toMatch(/no answer within 300 ms/);
      proxy.heal();
      expect((await fetchIotCredentials(stalled)).accessKeyId).toMatch(/^ASIAFAKE/);
    } finally {
      await proxy.close();
    }
  });

  it('is refused at the TLS layer with a certificate from another CA', async () => {
    const stranger = makeTestPki('stranger');
    try {
      const error = await errorOf(
        fetchIotCredentials(options({ cert: stranger.client.cert, key: stranger.client.key })),
      );
      expect(error.message).toMatch(
        /cannot reach the IoT credentials provider .*check aws\.credentialsEndpoint/,
      );
      expect(server.requests).toHaveLength(0);
    } finally {
      stranger.remove();
    }
  });
});
