import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RECOMMENDED_NODE } from '../../../../device/commands/cli/node-version.ts';
import type { CheckResult } from '../../../../device/commands/doctor/check.ts';
import { DOCTOR_USAGE, doctorMain } from '../../../../device/commands/doctor/cli.ts';
import {
  checkArch,
  checkBoard,
  checkNode,
  checkWatchdogModule,
  mayAccess,
} from '../../../../device/commands/doctor/local-checks.ts';
import { configSchema } from '../../../../device/config/config.ts';
import { makeTestPki, type TestPki } from '../../../fakes/certs.ts';
import { fakeSystem } from '../../../fakes/fake-system.ts';
import { freePort } from '../../../fakes/mosquitto.ts';
import { instance, startWorld, type World } from '../../../fakes/world.ts';

let world: World;
let dir: string;
let root: string;
let otherPki: TestPki;
/** Answers every EC2 request as EC2 does when the role lacks ec2:DescribeInstances. */
let deniedEc2: Server;

beforeAll(async () => {
  world = await startWorld([instance(1, 'running', 'web-1')]);
  otherPki = makeTestPki('someone-else');
  dir = mkdtempSync(join(tmpdir(), 'ec2led-doctor-'));
  root = join(dir, 'root');
  mkdirSync(join(root, 'etc'), { recursive: true });
  writeFileSync(
    join(root, 'etc/passwd'),
    'root:x:0:0::/root:/bin/sh\nec2led:x:990:990::/var/lib/ec2led:/usr/sbin/nologin\n',
  );
  writeFileSync(join(root, 'etc/group'), 'root:x:0:\nec2led:x:990:\nspi:x:999:ec2led\ni2c:x:998:\n');
  deniedEc2 = createServer((req, res) => {
    req.resume();
    res
      .writeHead(403, { 'content-type': 'text/xml' })
      .end(
        '<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>UnauthorizedOperation</Code>' +
          '<Message>You are not authorized to perform this operation.</Message></Error></Errors>' +
          '<RequestID>7a62c49f-347e-4fc4-9331-6e8eEXAMPLE</RequestID></Response>',
      );
  });
  await new Promise<void>((resolve) => deniedEc2.listen(0, '127.0.0.1', resolve));
}, 30_000);

afterAll(async () => {
  await new Promise<void>((resolve) => deniedEc2.close(() => resolve()));
  await world.close();
  otherPki.remove();
  rmSync(dir, { recursive: true, force: true });
});

let configs = 0;
/** The world's config.json with some sections' keys replaced, in a file of its own. */
function configWith(patch: Record<string, Record<string, unknown>>): string {
  const raw = structuredClone(world.raw) as Record<string, Record<string, unknown>>;
  for (const [section, values] of Object.entries(patch)) raw[section] = { ...raw[section], ...values };
  const path = join(dir, `config-${++configs}.json`);
  writeFileSync(path, JSON.stringify(raw));
  return path;
}

interface Outcome {
  code: number;
  checks: CheckResult[];
  text: string;
}

async function doctor(
  configPath: string,
  options: { now?: () => number; ntp?: boolean; timeout?: string; root?: string; waitSync?: boolean } = {},
): Promise<Outcome> {
  const system = fakeSystem(mkdtempSync(join(dir, 'system-')));
  system.ntpSynchronized = options.ntp ?? true;
  if (options.waitSync ?? true) system.enabled.add('systemd-time-wait-sync.service');
  let json = '';
  const code = await doctorMain(
    ['--config', configPath, '--json', '--timeout', options.timeout ?? '10', '--root', options.root ?? root],
    {
      stdout: (t) => (json += t),
      stderr: () => {},
      env: {},
      arch: 'arm64',
      nodeVersion: 'v22.11.0',
      system,
      ...(options.now ? { now: options.now } : {}),
    },
  );
  const parsed = JSON.parse(json) as { ok: boolean; checks: CheckResult[] };
  expect(parsed.ok).toBe(code === 0);
  return { code, checks: parsed.checks, text: parsed.checks.map((c) => `${c.name}:${c.status}`).join(' ') };
}

const check = (outcome: Outcome, name: string) => outcome.checks.find((c) => c.name === name) as CheckResult;

describe('ec2led doctor against the local fakes', () => {
  it('passes every check against mosquitto with mTLS, the credentials provider and FakeEc2', async () => {
    const run = await doctor(world.configPath);
    expect(run.text).toBe(
      'arch:ok node:ok watchdog:ok config:ok certificate:ok ca:ok board:ok mqtt:ok credentials-tls:ok credentials:ok ec2:ok clock:ok',
    );
    expect(run.code).toBe(0);
    expect(check(run, 'certificate').detail).toContain('key matches, readable by ec2led');
    expect(check(run, 'ec2').detail).toBe(
      'DescribeInstances allowed in eu-west-1 1 (reservations on the first page)',
    );
  });

  it('prints one line per check with the fix', async () => {
    let out = '';
    const code = await doctorMain(
      ['--config', configWith({ mqtt: { port: 1 } }), '--root', root, '--timeout', '5'],
      {
        stdout: (t) => (out += t),
        stderr: () => {},
        env: {},
        arch: 'arm64',
        nodeVersion: 'v22.11.0',
        system: fakeSystem(mkdtempSync(join(dir, 'system-'))),
      },
    );
    expect(code).toBe(1);
    const lines = out.trim().split('\n');
    expect(lines).toHaveLength(12);
    expect(lines[7]).toMatch(
      /^FAIL mqtt {12}TLS to 127\.0\.0\.1:1 failed \(ECONNREFUSED\) — fix: check mqtt\.endpoint and mqtt\.port/,
    );
    // The longest name keeps a space before its text: one column for every name.
    expect(lines[8]).toMatch(/^ok {3}credentials-tls 127\.0\.0\.1:\d+ /);
    const column = lines.map((line) => /^\S+ +\S+ +/.exec(line)?.[0].length);
    expect(new Set(column)).toEqual(new Set([21]));
  });

  it('fails config with the key and skips what needs it', async () => {
    const run = await doctor(configWith({ aws: { regions: ['mars-1'] } }));
    expect(check(run, 'config')).toMatchObject({ status: 'fail' });
    expect(check(run, 'config').detail).toContain('aws.regions.0');
    expect(check(run, 'ec2')).toMatchObject({ status: 'skip', detail: 'needs a valid config' });
    expect(run.code).toBe(1);
  });

  it('fails certificate when the key belongs to another certificate', async () => {
    const run = await doctor(configWith({ mqtt: { key: otherPki.client.key } }));
    expect(check(run, 'certificate')).toMatchObject({
      status: 'fail',
      detail: `${otherPki.client.key} does not belong to mqtt.cert ${JSON.stringify(world.pki.client.cert)}`,
    });
    expect(check(run, 'certificate').fix).toContain('the same device bundle');
  });

  it('fails certificate when the service user cannot read the key', async () => {
    const keys = mkdtempSync(join(dir, 'keys-'));
    chmodSync(keys, 0o755);
    const key = join(keys, 'private.pem.key');
    writeFileSync(key, '');
    chownSync(key, 0, 0);
    chmodSync(key, 0o600);
    const run = await doctor(configWith({ mqtt: { key: key } }));
    expect(check(run, 'certificate')).toMatchObject({
      status: 'fail',
      detail: `ec2led cannot read ${key} (mode 600, owner 0:0)`,
    });
    expect(check(run, 'certificate').fix).toContain('root:ec2led 0640');
  });

  it('fails ca when it is not a CA certificate', async () => {
    const run = await doctor(configWith({ mqtt: { ca: world.pki.client.cert } }));
    expect(check(run, 'ca')).toMatchObject({
      status: 'fail',
      detail: `${world.pki.client.cert} is not a CA certificate`,
    });
  });

  it('fails board when the bus is off, and when the user is not in its group; passes when both are right', async () => {
    const hd = configWith({ display: { board: 'unicornhathd' } });
    const off = await doctor(hd);
    expect(check(off, 'board')).toMatchObject({
      status: 'fail',
      detail: '/dev/spidev0.0 does not exist: the bus is off',
      fix: 'sudo raspi-config nonint do_spi 0 && sudo reboot',
    });
    mkdirSync(join(root, 'dev'), { recursive: true });
    writeFileSync(join(root, 'dev/spidev0.0'), '');
    writeFileSync(join(root, 'dev/i2c-1'), '');
    chownSync(join(root, 'dev/spidev0.0'), 0, 999);
    chmodSync(join(root, 'dev/spidev0.0'), 0o660);
    expect(check(await doctor(hd), 'board')).toMatchObject({ status: 'ok' });
    const shim = await doctor(configWith({ display: { board: 'ledshim' } }));
    expect(check(shim, 'board')).toMatchObject({
      status: 'fail',
      detail: 'ec2led is not in group i2c',
      fix: 'sudo usermod -aG i2c ec2led && sudo systemctl restart ec2led',
    });
  });

  it('fails mqtt when the CA does not sign the broker', async () => {
    const run = await doctor(configWith({ mqtt: { ca: otherPki.ca } }));
    expect(check(run, 'mqtt').status).toBe('fail');
    expect(check(run, 'mqtt').fix).toContain('mqtt.ca must be the CA of the endpoint');
  });

  it('fails credentials-tls when nothing listens there', async () => {
    const port = await freePort();
    const run = await doctor(configWith({ aws: { credentialsEndpoint: `127.0.0.1:${port}` } }));
    expect(check(run, 'credentials-tls')).toMatchObject({
      status: 'fail',
      detail: `TLS to 127.0.0.1:${port} failed (ECONNREFUSED)`,
    });
    expect(check(run, 'ec2').status).toBe('skip');
  });

  it('fails credentials with the policy fix when the provider refuses the thing', async () => {
    world.credentials.mode = 'forbidden';
    try {
      const run = await doctor(world.configPath);
      expect(check(run, 'credentials').status).toBe('fail');
      expect(check(run, 'credentials').detail).toContain('(HTTP 403: Access Denied)');
      expect(check(run, 'credentials').fix).toContain('iot:AssumeRoleWithCertificate');
    } finally {
      world.credentials.mode = 'ok';
    }
  });

  it('fails credentials at its time limit when the provider hangs', async () => {
    world.credentials.mode = 'hang';
    try {
      const run = await doctor(world.configPath, { timeout: '1' });
      expect(check(run, 'credentials')).toMatchObject({ status: 'fail', detail: 'no answer within 1 s' });
    } finally {
      world.credentials.mode = 'ok';
    }
  });

  it('fails ec2 with the role fix when DescribeInstances is not allowed', async () => {
    const { port } = deniedEc2.address() as AddressInfo;
    const run = await doctor(configWith({ aws: { ec2Endpoint: `http://127.0.0.1:${port}` } }));
    expect(check(run, 'ec2')).toMatchObject({ status: 'fail' });
    expect(check(run, 'ec2').detail).toContain('eu-west-1: UnauthorizedOperation');
    expect(check(run, 'ec2').fix).toContain('ec2:DescribeInstances in every region of aws.regions');
  });

  it("fails clock when it is over a minute off the endpoint's Date header, or NTP is not synchronized", async () => {
    const ahead = await doctor(world.configPath, { now: () => Date.now() + 5 * 60_000 });
    expect(check(ahead, 'clock').status).toBe('fail');
    expect(check(ahead, 'clock').detail).toMatch(
      /^this clock is 30\d s ahead of 127\.0\.0\.1's Date header$/,
    );
    const noWait = await doctor(world.configPath, { waitSync: false });
    expect(check(noWait, 'clock')).toMatchObject({
      status: 'warn',
      fix: 'sudo systemctl enable systemd-time-wait-sync.service (sudo ec2led service install does it)',
    });
    expect(noWait.code).toBe(0);
    const unsynced = await doctor(world.configPath, { ntp: false });
    expect(check(unsynced, 'clock').detail).toContain('NTPSynchronized=no');
    expect(check(unsynced, 'clock').fix).toContain('sudo timedatectl set-ntp true');
  });
});

describe('doctor checks that need no network', () => {
  it('passes arm64 and x86-64, fails 32-bit ARM with the reason', () => {
    expect(checkArch('arm64').status).toBe('ok');
    expect(checkArch('x64').detail).toBe('x86-64: aws-crt ships a prebuilt binary');
    expect(checkArch('arm')).toMatchObject({ status: 'fail' });
    expect(checkArch('arm').detail).toContain('no prebuilt binary');
    expect(checkArch('arm').fix).toContain('64-bit Raspberry Pi OS');
  });

  it('fails Node before 20, warns on 20 with the reason for 22, passes 22', () => {
    expect(checkNode('v18.19.0').status).toBe('fail');
    expect(checkNode('v20.20.2')).toMatchObject({ status: 'warn' });
    expect(checkNode('v20.20.2').fix).toContain('January 2027');
    expect(checkNode('v22.11.0').status).toBe('ok');
  });

  it('fails watchdog, naming the build tools, when unix-dgram does not load', async () => {
    const failed = await checkWatchdogModule(() =>
      Promise.reject(new Error("Cannot find module 'unix-dgram'")),
    );
    expect(failed).toMatchObject({ name: 'watchdog', status: 'fail' });
    expect(failed.detail).toContain("Cannot find module 'unix-dgram'");
    expect(failed.fix).toContain('build-essential');
    expect((await checkWatchdogModule()).status).toBe('ok');
  });

  it('reads permissions as the kernel does: owner, then group, then others', () => {
    const user = { uid: 990, gids: [990, 999] };
    expect(mayAccess({ uid: 0, gid: 990, mode: 0o640 }, user, 'r')).toBe(true);
    expect(mayAccess({ uid: 0, gid: 0, mode: 0o640 }, user, 'r')).toBe(false);
    expect(mayAccess({ uid: 990, gid: 990, mode: 0o060 }, user, 'r')).toBe(false);
    expect(mayAccess({ uid: 0, gid: 999, mode: 0o660 }, user, 'rw')).toBe(true);
  });

  it('has a --help', async () => {
    let out = '';
    expect(await doctorMain(['--help'], { stdout: (t) => (out += t), stderr: () => {} })).toBe(0);
    expect(out).toBe(DOCTOR_USAGE);
    expect(out).toContain(`node (${RECOMMENDED_NODE} recommended, 22 supported, 20 works)`);
  });

  it('gives one fix for a config file that is missing: its own', async () => {
    const run = async (argv: string[]) => {
      let out = '';
      const code = await doctorMain([...argv, '--root', root, '--timeout', '5'], {
        stdout: (t) => (out += t),
        stderr: () => {},
        env: {},
        arch: 'arm64',
        nodeVersion: 'v24.11.0',
      });
      return { code, config: out.split('\n').find((line) => line.includes(' config ')) ?? '' };
    };
    const missing = join(dir, 'missing.json');
    const given = await run(['--config', missing]);
    expect(given.code).toBe(1);
    expect(given.config).toBe(
      `FAIL config          config file ${missing} does not exist — fix: check the path`,
    );
    expect(given.config.match(/fix/g)).toHaveLength(1);
  });
});

describe('doctor board check on a Pi 5 with a Unicorn HAT', () => {
  it('names the /dev/leds0 mode this kernel gets', async () => {
    const pi = mkdtempSync(join(tmpdir(), 'ec2led-pi5-'));
    try {
      mkdirSync(join(pi, 'proc/device-tree'), { recursive: true });
      mkdirSync(join(pi, 'dev'));
      writeFileSync(join(pi, 'proc/device-tree/model'), 'Raspberry Pi 5 Model B Rev 1.0\0');
      writeFileSync(join(pi, 'dev/leds0'), '');
      const config = configSchema.parse({
        mqtt: { endpoint: '127.0.0.1', clientId: 'desk-pi', tls: false },
        aws: { credentials: 'default', accounts: ['123456789012'], regions: ['eu-west-1'] },
        display: { board: 'unicornhat' },
      });
      const old = await checkBoard(config, undefined, pi, '6.12.47+rpt-rpi-2712');
      expect(old.status).toBe('ok');
      expect(old.detail).toContain('/dev/leds0');
      expect(old.detail).toMatch(/6\.12\.47\+rpt-rpi-2712 has no \/dev\/leds0 pass-through/);
      const current = await checkBoard(config, undefined, pi, '6.12.62+rpt-rpi-2712');
      expect(current.detail).toMatch(/passes \/dev\/leds0 values through/);
    } finally {
      rmSync(pi, { recursive: true, force: true });
    }
  });
});
