/**
 * Everything the agent talks to, on 127.0.0.1: a mosquitto with mutual TLS, the IoT credentials
 * provider, FakeEc2, and a device bundle (certificates + config.json) in a temp directory. Agent and
 * CLI tests start one world each and close it in afterAll.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Config, parseConfig } from '../../device/config/config.ts';
import { type FakeEc2, type FakeInstance, startFakeEc2 } from '../../device/demo/fake-ec2.ts';
import type { InstanceState } from '../../shared/instance-state.ts';
import { makeTestPki, type TestPki } from './certs.ts';
import { type FakeCredentialsServer, startCredentialsServer } from './credentials-server.ts';
import { type Mosquitto, startMosquitto } from './mosquitto.ts';
import { connectPublisher, type Publisher } from './mqtt-publisher.ts';

export const ACCOUNT = '123456789012';
export const REGION = 'eu-west-1';
const ROLE_ALIAS = 'ec2led-device';

export interface World {
  readonly pki: TestPki;
  readonly broker: Mosquitto;
  readonly credentials: FakeCredentialsServer;
  readonly ec2: FakeEc2;
  readonly dir: string;
  readonly stateDir: string;
  readonly configPath: string;
  /** The raw config.json object (as the device bundle would hold it). */
  readonly raw: Record<string, unknown>;
  readonly config: Config;
  /** Publishes a state change for an instance, as the Lambda would (QoS 1). */
  publish(instanceId: string, state: InstanceState, timeMs: number): Promise<void>;
  close(): Promise<void>;
}

export function instance(n: number, state: InstanceState, name?: string): FakeInstance {
  const instanceId = `i-${n.toString(16).padStart(17, '0')}`;
  return { instanceId, state, tags: name === undefined ? {} : { Name: name } };
}

export async function startWorld(
  fleet: readonly FakeInstance[],
  extra: Record<string, unknown> = {},
): Promise<World> {
  const pki = makeTestPki(`ec2led-test-${process.pid}`);
  const broker = await startMosquitto({ pki });
  const credentials = await startCredentialsServer(pki, ROLE_ALIAS);
  const ec2 = await startFakeEc2({ host: '127.0.0.1', port: 0, account: ACCOUNT });
  ec2.setInstances(REGION, fleet);
  const dir = mkdtempSync(join(tmpdir(), 'ec2led-world-'));
  const stateDir = join(dir, 'state');
  mkdirSync(stateDir);
  const raw: Record<string, unknown> = {
    mqtt: {
      endpoint: '127.0.0.1',
      port: broker.port,
      clientId: pki.thingName,
      cert: pki.client.cert,
      key: pki.client.key,
      ca: pki.ca,
      reconnectMaxSeconds: 2,
    },
    aws: {
      credentialsEndpoint: `127.0.0.1:${credentials.port}`,
      roleAlias: ROLE_ALIAS,
      accounts: [ACCOUNT],
      regions: [REGION],
      ec2Endpoint: ec2.url,
    },
    stateDir,
    display: { board: 'none', virtualWidth: 4, virtualHeight: 4 },
    ...extra,
  };
  const configPath = join(dir, 'config.json');
  writeFileSync(configPath, JSON.stringify(raw, null, 2));
  let publisher: Publisher | undefined;
  return {
    pki,
    broker,
    credentials,
    ec2,
    dir,
    stateDir,
    configPath,
    raw,
    config: parseConfig(raw),
    async publish(instanceId, state, timeMs) {
      publisher ??= await connectPublisher(broker.port, pki);
      const event = `e-${instanceId}-${state}-${timeMs}`;
      await publisher.publishMessage('ec2led', {
        v: 1,
        id: instanceId,
        state,
        time: timeMs,
        region: REGION,
        account: ACCOUNT,
        event,
      });
    },
    async close() {
      await publisher?.close();
      await Promise.all([broker.stop(), credentials.close(), ec2.close()]);
      pki.remove();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
