/**
 * The doctor checks that talk to AWS (or to the local fakes in tests): the MQTT and credentials
 * endpoints resolve and accept TLS with the device certificate, the IoT credentials provider gives
 * credentials, DescribeInstances is allowed in every configured region, and the clock agrees with
 * the endpoint's `Date` header. Every request honours the check's abort signal.
 */
import { lookup } from 'node:dns/promises';
import { readFile } from 'node:fs/promises';
import { request } from 'node:https';
import { isIP } from 'node:net';
import { connect } from 'node:tls';
import type { Config } from '../../config/config.ts';
import { type AwsCredentials, fetchIotCredentials } from '../../sources/credentials.ts';
import type { System } from '../service/system.ts';
import { TIME_WAIT_SYNC } from '../service/unit.ts';
import { type CheckResult, fail, ok, warn } from './check.ts';

interface Tls {
  cert?: Buffer;
  key?: Buffer;
  ca?: Buffer;
}

async function tlsFiles(config: Config): Promise<Tls> {
  const { cert, key, ca } = config.mqtt;
  const [c, k, a] = await Promise.all(
    [cert, key, ca].map((path) => (path === undefined ? undefined : readFile(path))),
  );
  return { ...(c ? { cert: c } : {}), ...(k ? { key: k } : {}), ...(a ? { ca: a } : {}) };
}

function splitHost(endpoint: string, defaultPort: number): { host: string; port: number } {
  const [host = '', port] = endpoint.split(':');
  return { host, port: port === undefined ? defaultPort : Number(port) };
}

function tlsFix(code: string | undefined, what: string, keys: string): string {
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN')
    return `check ${keys} and the Pi's DNS (cat /etc/resolv.conf)`;
  if (code === 'ECONNREFUSED' || code === 'ETIMEDOUT' || code === 'EHOSTUNREACH') {
    return `check ${keys} and that outbound TCP to ${what} is allowed`;
  }
  if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|certificate verify/i.test(code ?? '')) {
    return "mqtt.ca must be the CA of the endpoint: the bundle's AmazonRootCA1.pem for IoT Core";
  }
  return 'check that mqtt.cert is active in IoT Core and belongs to this account (ec2led device create)';
}

/** DNS, then a TLS handshake with the device certificate; waits briefly for a TLS 1.3 refusal. */
export async function checkTls(
  name: string,
  endpoint: { host: string; port: number },
  keys: string,
  tls: Tls,
  signal: AbortSignal,
): Promise<CheckResult> {
  const where = `${endpoint.host}:${endpoint.port}`;
  let address = endpoint.host;
  if (isIP(endpoint.host) === 0) {
    try {
      address = (await lookup(endpoint.host)).address;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      return fail(name, `${endpoint.host} does not resolve (${code})`, tlsFix(code, where, keys));
    }
  }
  const started = Date.now();
  return new Promise<CheckResult>((resolve) => {
    const socket = connect({
      host: address,
      port: endpoint.port,
      ...(isIP(endpoint.host) === 0 ? { servername: endpoint.host } : {}),
      ...tls,
      ALPNProtocols: endpoint.port === 443 ? ['x-amzn-mqtt-ca'] : undefined,
    });
    const done = (result: CheckResult) => {
      socket.destroy();
      resolve(result);
    };
    signal.addEventListener('abort', () => socket.destroy(), { once: true });
    socket.once('error', (error: NodeJS.ErrnoException) =>
      done(
        fail(
          name,
          `TLS to ${where} failed (${error.code ?? error.message})`,
          tlsFix(error.code ?? error.message, where, keys),
        ),
      ),
    );
    socket.once('secureConnect', () => {
      const ms = Date.now() - started;
      // TLS 1.3 servers refuse a client certificate after the handshake: give them a moment.
      setTimeout(
        () => done(ok(name, `${where} (${address}) accepted TLS with the device certificate in ${ms} ms`)),
        250,
      );
    });
  });
}

export async function checkMqttEndpoint(config: Config, signal: AbortSignal): Promise<CheckResult> {
  const { endpoint, port, tls } = config.mqtt;
  if (!tls) return ok('mqtt', `${endpoint}:${port} plain TCP (mqtt.tls false: a local test broker)`);
  return checkTls(
    'mqtt',
    { host: endpoint, port },
    'mqtt.endpoint and mqtt.port',
    await tlsFiles(config),
    signal,
  );
}

export async function checkCredentialsEndpoint(config: Config, signal: AbortSignal): Promise<CheckResult> {
  const endpoint = config.aws.credentialsEndpoint as string;
  return checkTls(
    'credentials-tls',
    splitHost(endpoint, 443),
    'aws.credentialsEndpoint',
    await tlsFiles(config),
    signal,
  );
}

export async function fetchCredentials(config: Config, timeoutMs: number): Promise<AwsCredentials> {
  const { host, port } = splitHost(config.aws.credentialsEndpoint as string, 443);
  return fetchIotCredentials({
    endpoint: host,
    port,
    roleAlias: config.aws.roleAlias as string,
    thingName: config.mqtt.clientId,
    cert: config.mqtt.cert as string,
    key: config.mqtt.key as string,
    ca: config.mqtt.ca,
    timeoutMs,
  });
}

/** DescribeInstances (MaxResults 5) in every configured region, with the credentials the agent uses. */
export async function checkDescribeInstances(
  config: Config,
  credentials: AwsCredentials | undefined,
  signal: AbortSignal,
  /** The loaded `@aws-sdk/client-ec2`: loading it (seconds on a Pi 3) must not count against the limit. */
  sdk: typeof import('@aws-sdk/client-ec2'),
): Promise<CheckResult> {
  const { DescribeInstancesCommand, EC2Client } = sdk;
  const failures: string[] = [];
  let fix = 'check aws.regions and aws.ec2Endpoint';
  const counts: string[] = [];
  await Promise.all(
    config.aws.regions.map(async (region) => {
      const client = new EC2Client({
        region,
        maxAttempts: 1,
        ...(credentials === undefined ? {} : { credentials }),
        ...(config.aws.ec2Endpoint === undefined ? {} : { endpoint: config.aws.ec2Endpoint }),
      });
      try {
        const out = await client.send(new DescribeInstancesCommand({ MaxResults: 5 }), {
          abortSignal: signal,
        });
        counts.push(`${region} ${out.Reservations?.length ?? 0}${out.NextToken === undefined ? '' : '+'}`);
      } catch (error) {
        const name = (error as Error).name;
        failures.push(`${region}: ${name}: ${(error as Error).message}`);
        if (/Unauthorized|AccessDenied|AuthFailure/.test(name)) {
          fix =
            'the role behind aws.roleAlias must allow ec2:DescribeInstances in every region of aws.regions: ' +
            'deploy with those regions (npx cdk deploy --all -c regions=...), or remove the region from aws.regions';
        } else if (/Signature|Expired|RequestTimeTooSkewed/.test(name))
          fix = 'set the clock: sudo timedatectl set-ntp true';
      } finally {
        client.destroy();
      }
    }),
  );
  if (failures.length > 0) return fail('ec2', `DescribeInstances refused in ${failures.join('; ')}`, fix);
  return ok(
    'ec2',
    `DescribeInstances allowed in ${counts.sort().join(', ')} (reservations on the first page)`,
  );
}

/** The `Date` header of an HTTPS answer from `endpoint` (any status), with the device certificate. */
function dateHeader(
  endpoint: { host: string; port: number },
  tls: Tls,
  signal: AbortSignal,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: endpoint.host,
        port: endpoint.port,
        path: '/',
        method: 'GET',
        ...(isIP(endpoint.host) === 0 ? { servername: endpoint.host } : {}),
        ...tls,
        agent: false,
        signal,
      },
      (res) => {
        res.resume();
        const date = Date.parse(res.headers.date ?? '');
        if (Number.isNaN(date)) reject(new Error(`no Date header from ${endpoint.host}`));
        else resolve(date);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

export const MAX_SKEW_MS = 60_000;

export async function checkClock(
  config: Config,
  system: System,
  now: () => number,
  signal: AbortSignal,
): Promise<CheckResult> {
  const synced = await system.run('timedatectl', ['show', '--property', 'NTPSynchronized', '--value']);
  const ntp = synced.code === 0 ? synced.stdout.trim() : undefined;
  if (ntp === 'no') {
    return fail(
      'clock',
      'timedatectl says the clock is not synchronized (NTPSynchronized=no); AWS refuses requests signed more than 5 minutes off',
      'sudo timedatectl set-ntp true, check the network, and wait for `timedatectl show -p NTPSynchronized` to say yes',
    );
  }
  if (config.aws.credentialsEndpoint === undefined) {
    return ok('clock', `NTPSynchronized=${ntp ?? 'unknown'} (no credentials endpoint to compare with)`);
  }
  const endpoint = splitHost(config.aws.credentialsEndpoint, 443);
  const theirs = await dateHeader(endpoint, await tlsFiles(config), signal);
  const skewMs = now() - theirs;
  if (Math.abs(skewMs) > MAX_SKEW_MS) {
    return fail(
      'clock',
      `this clock is ${Math.round(skewMs / 1000)} s ${skewMs > 0 ? 'ahead of' : 'behind'} ${endpoint.host}'s Date header`,
      'sudo timedatectl set-ntp true and wait for NTPSynchronized=yes (sudo systemctl restart systemd-timesyncd)',
    );
  }
  const found = `NTPSynchronized=${ntp ?? 'unknown'}, within ${Math.ceil(Math.abs(skewMs) / 1000)} s of ${endpoint.host}`;
  const waits = await system.run('systemctl', ['is-enabled', TIME_WAIT_SYNC]);
  if (waits.stdout.trim() !== 'enabled') {
    return warn(
      'clock',
      `${found}, but ${TIME_WAIT_SYNC} is ${waits.stdout.trim() || 'not installed'}: after a reboot the agent may start before NTP`,
      `sudo systemctl enable ${TIME_WAIT_SYNC} (sudo ec2led service install does it)`,
    );
  }
  return ok('clock', found);
}
