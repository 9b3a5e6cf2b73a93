import { execFileSync, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  archNote,
  firstProblem,
  SERVICE_USAGE,
  SETUP_USAGE,
  serviceMain,
  setupMain,
} from '../../../../device/commands/service/cli.ts';
import { realSystem } from '../../../../device/commands/service/system.ts';
import {
  REFERENCE_UNIT_OPTIONS,
  renderUnit,
  UNIT_PATH,
  unitPathProblem,
} from '../../../../device/commands/service/unit.ts';
import { type BoardSocket, serveBoard } from '../../../../device/outputs/web/status-socket.ts';
import type { Legend } from '../../../../device/picture/legend.ts';
import { ROOT } from '../../../../scripts/lambda-bundle.ts';
import { makeTestPki, type TestPki } from '../../../fakes/certs.ts';
import { writeFakeBundle } from '../../../fakes/device-bundle.ts';
import { type FakeSystem, fakeSystem } from '../../../fakes/fake-system.ts';

const SYNCED: Legend = {
  width: 4,
  height: 4,
  connected: true,
  synced: true,
  overflow: 0,
  pixels: [
    {
      x: 0,
      y: 0,
      color: '#0000ff',
      entry: {
        kind: 'instance',
        id: 'i-0123456789abcdef0',
        name: 'web-1',
        state: 'running',
        region: 'eu-west-1',
        account: '123456789012',
        sinceMs: 0,
      },
    },
  ],
};

let pki: TestPki;
let bundle: string;
const cleanups: (() => void | Promise<void>)[] = [];

beforeAll(async () => {
  pki = makeTestPki('desk-pi');
  bundle = await writeFakeBundle({
    pki,
    raw: {
      mqtt: { port: 8883 },
      aws: {
        credentialsEndpoint: 'creds.example.com',
        roleAlias: 'ec2led-device',
        regions: ['eu-west-1'],
        ec2Endpoint: 'http://127.0.0.1:9',
      },
    },
  });
});

afterAll(() => {
  pki.remove();
  rmSync(dirname(bundle), { recursive: true, force: true });
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Run {
  code: number;
  out: string;
  err: string;
}

function tree(): { root: string; system: FakeSystem } {
  const root = mkdtempSync(join(tmpdir(), 'ec2led-root-'));
  cleanups.push(() => rmSync(root, { recursive: true, force: true }));
  return { root, system: fakeSystem(root) };
}

function device(root: string, path: string): void {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), '');
}

/** The agent's status socket, answering as a synced agent once systemctl starts the unit. */
function agentAnswersWhenStarted(root: string, system: FakeSystem, view: Legend = SYNCED): void {
  system.onStart = async () => {
    const socket: BoardSocket = await serveBoard(join(root, 'var/lib/ec2led/agent.sock'), view);
    cleanups.push(() => socket.close());
  };
}

async function service(root: string, system: FakeSystem, args: string[], env = {}): Promise<Run> {
  return cli(serviceMain, root, system, args, env);
}

async function setup(root: string, system: FakeSystem, args: string[], env = {}): Promise<Run> {
  return cli(setupMain, root, system, args, env);
}

async function cli(
  main: typeof setupMain,
  root: string,
  system: FakeSystem,
  args: string[],
  env = {},
): Promise<Run> {
  let out = '';
  let err = '';
  const code = await main([...args, '--root', root], {
    stdout: (text) => (out += text),
    stderr: (text) => (err += text),
    system: () => system,
    env: { SUDO_USER: 'pi', ...env },
    node: '/usr/bin/node',
    bin: '/usr/lib/node_modules/ec2-led/bin/ec2led.js',
    pollMs: 20,
    arch: 'arm64',
  });
  return { code, out, err };
}

const bootFixture = (name: string) =>
  readFileSync(new URL(`../../../fixtures/boot/${name}.txt`, import.meta.url), 'utf8');

/** A Pi of this model with this config.txt (under /boot/firmware unless `at` says otherwise). */
function pi(root: string, model: string, config = 'bookworm-config', at = 'boot/firmware/config.txt'): void {
  device(root, 'proc/device-tree/model');
  writeFileSync(join(root, 'proc/device-tree/model'), `${model}\0`);
  device(root, at);
  writeFileSync(join(root, at), bootFixture(config));
  bootId(root, 'boot-1');
}

function bootId(root: string, id: string): void {
  device(root, 'proc/sys/kernel/random/boot_id');
  writeFileSync(join(root, 'proc/sys/kernel/random/boot_id'), `${id}\n`);
}

function owner(path: string): { uid: number; gid: number; mode: string } {
  const info = statSync(path);
  return { uid: info.uid, gid: info.gid, mode: (info.mode & 0o7777).toString(8).padStart(4, '0') };
}

function ids(root: string, name: string): { uid: number; gid: number } {
  const line = readFileSync(join(root, 'etc/passwd'), 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${name}:`)) as string;
  const fields = line.split(':');
  return { uid: Number(fields[2]), gid: Number(fields[3]) };
}

function groupMembers(root: string, group: string): string[] {
  const line = readFileSync(join(root, 'etc/group'), 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${group}:`));
  return (line?.split(':')[3] ?? '').split(',').filter((m) => m !== '');
}

describe('ec2led service install', () => {
  it('creates the user, copies the bundle with its owners and modes, writes and starts the unit, and prints the legend once synced', async () => {
    const { root, system } = tree();
    device(root, 'dev/spidev0.0');
    device(root, 'dev/spidev0.1');
    agentAnswersWhenStarted(root, system);
    const run = await service(root, system, ['install', '--bundle', bundle, '--board', 'unicornhatmini']);
    expect(run.err).toContain('created system user ec2led');
    expect(run.code).toBe(0);
    const { uid, gid } = ids(root, 'ec2led');
    expect(uid).toBeGreaterThan(0);
    expect(owner(join(root, 'etc/ec2led'))).toEqual({ uid: 0, gid, mode: '0750' });
    for (const file of ['certificate.pem.crt', 'private.pem.key', 'AmazonRootCA1.pem', 'config.json']) {
      expect(owner(join(root, 'etc/ec2led', file)), file).toEqual({ uid: 0, gid, mode: '0640' });
    }
    expect(readFileSync(join(root, 'etc/ec2led/private.pem.key'), 'utf8')).toBe(
      readFileSync(pki.client.key, 'utf8'),
    );
    const config = JSON.parse(readFileSync(join(root, 'etc/ec2led/config.json'), 'utf8'));
    expect(config.display.board).toBe('unicornhatmini');
    expect(config.mqtt).toMatchObject({
      cert: 'certificate.pem.crt',
      key: 'private.pem.key',
      ca: 'AmazonRootCA1.pem',
      clientId: 'desk-pi',
    });
    expect(owner(join(root, 'var/lib/ec2led'))).toEqual({ uid, gid, mode: '0750' });
    expect(owner(join(root, UNIT_PATH))).toEqual({ uid: 0, gid: 0, mode: '0644' });
    expect(readFileSync(join(root, UNIT_PATH), 'utf8')).toBe(renderUnit(REFERENCE_UNIT_OPTIONS));
    expect(existsSync(join(root, 'etc/systemd/system/ec2led.service.d'))).toBe(false);
    expect(groupMembers(root, 'spi')).toEqual(['pi', 'ec2led']);
    expect(groupMembers(root, 'ec2led')).toEqual(['pi']);
    expect([...system.enabled].sort()).toEqual(['ec2led.service', 'systemd-time-wait-sync.service']);
    expect([...system.active]).toEqual(['ec2led.service']);
    expect(run.out).toContain('connected · synced');
    expect(run.out).toContain('web-1');
    expect(run.err).toContain('`ec2led status`');
  });

  it('is an upgrade when run again: the user, the groups and the slots are kept, the service restarts', async () => {
    const { root, system } = tree();
    agentAnswersWhenStarted(root, system);
    expect((await service(root, system, ['install', '--bundle', bundle, '--board', 'none'])).code).toBe(0);
    const slots = join(root, 'var/lib/ec2led/slots.json');
    writeFileSync(slots, '{"version":1}');
    const fleet = join(root, 'var/lib/ec2led/fleet.json');
    writeFileSync(fleet, '{"fleet":1}');
    const before = ids(root, 'ec2led');
    await cleanups.pop()?.(); // the first agent's socket; the tree stays
    system.commands.length = 0;
    const again = await service(root, system, ['install']); // no --bundle: the installed one
    expect(again.code).toBe(0);
    expect(ids(root, 'ec2led')).toEqual(before);
    expect(readFileSync(slots, 'utf8')).toBe('{"version":1}');
    expect(readFileSync(fleet, 'utf8')).toBe('{"fleet":1}');
    expect(system.commands.filter((c) => /^(systemd-sysusers|useradd|groupadd|usermod)/.test(c))).toEqual([]);
    expect(system.commands).toContain('systemctl restart ec2led.service');
    expect(owner(join(root, 'etc/ec2led/private.pem.key')).mode).toBe('0640');
  });

  it('turns I2C on as raspi-config does, says plainly that one reboot is needed, and starts after it', async () => {
    const { root, system } = tree();
    pi(root, 'Raspberry Pi 4 Model B Rev 1.5');
    writeFileSync(join(root, 'etc/modules'), '# /etc/modules: kernel modules to load at boot time.\n');
    const run = await setup(root, system, [bundle, '--board', 'rgbmatrix5x5']);
    expect(run.code).toBe(3);
    expect(run.err).toContain(
      'One reboot is needed: I2C turns on at the next boot (dtparam=i2c_arm=on in /boot/firmware/config.txt); /dev/i2c-1 appears then',
    );
    expect(run.err).toContain('sudo reboot\n(or run this again with --reboot)');
    const config = readFileSync(join(root, 'boot/firmware/config.txt'), 'utf8');
    expect(config).toMatch(/^dtparam=i2c_arm=on$/m);
    expect(config).not.toContain('#dtparam=i2c_arm=on');
    expect(readFileSync(join(root, 'etc/modules'), 'utf8')).toMatch(/^i2c-dev$/m);
    expect(system.commands).toEqual(expect.arrayContaining(['dtparam i2c_arm=on', 'modprobe i2c-dev']));
    expect(system.enabled.has('ec2led.service')).toBe(true);
    expect(system.active.size).toBe(0);
    expect(readFileSync(join(root, 'etc/group'), 'utf8')).toMatch(/^i2c:x:\d+:ec2led$/m);

    // Again before rebooting: nothing changes, the same one reboot is asked for.
    system.commands.length = 0;
    const again = await setup(root, system, []);
    expect(again.code).toBe(3);
    expect(again.err).toContain('I2C is on in /boot/firmware/config.txt already');
    expect(readFileSync(join(root, 'boot/firmware/config.txt'), 'utf8')).toBe(config);
    expect(system.commands.filter((c) => c.startsWith('systemd-sysusers'))).toEqual([]);

    // After the reboot the bus is there: setup starts, waits and prints the legend, asking nothing.
    bootId(root, 'boot-2');
    device(root, 'dev/i2c-1');
    agentAnswersWhenStarted(root, system);
    const after = await setup(root, system, []);
    expect(after.code).toBe(0);
    expect(after.out).toContain('connected · synced');
    expect(existsSync(join(root, 'var/lib/ec2led/setup-reboot-boot-id'))).toBe(false);
  });

  it('asks for no second reboot: booted since and the device still missing names what to check', async () => {
    const { root, system } = tree();
    pi(root, 'Raspberry Pi 4 Model B Rev 1.5');
    expect((await setup(root, system, [bundle, '--board', 'unicornhathd'])).code).toBe(3);
    bootId(root, 'boot-2');
    const run = await setup(root, system, []);
    expect(run.code).toBe(1);
    expect(run.err).toContain(
      'SPI is on in /boot/firmware/config.txt (dtparam=spi=on) and the Pi has rebooted since, but /dev/spidev0.0 still missing',
    );
    expect(run.err).not.toContain('reboot is needed');
  });

  it('needs no reboot when the running kernel takes the parameter (dtparam spi=on makes the device)', async () => {
    const { root, system } = tree();
    pi(root, 'Raspberry Pi 5 Model B Rev 1.0', 'trixie-config');
    system.hooks.set('dtparam spi=on', () => {
      device(root, 'dev/spidev0.0');
      device(root, 'dev/spidev0.1');
    });
    agentAnswersWhenStarted(root, system);
    const run = await setup(root, system, [bundle, '--board', 'unicornhatmini']);
    expect(run.code).toBe(0);
    expect(run.err).not.toContain('reboot');
    expect(readFileSync(join(root, 'boot/firmware/config.txt'), 'utf8')).toMatch(/^dtparam=spi=on$/m);
    expect(run.out).toContain('web-1');
  });

  it('edits /boot/config.txt on an image from before Bookworm, and reboots with --reboot', async () => {
    const { root, system } = tree();
    pi(root, 'Raspberry Pi 3 Model B Plus Rev 1.3', 'bullseye-config', 'boot/config.txt');
    const run = await setup(root, system, [bundle, '--board', 'unicornhatmini', '--reboot']);
    expect(run.code).toBe(0);
    expect(readFileSync(join(root, 'boot/config.txt'), 'utf8')).toMatch(/^dtparam=spi=on$/m);
    expect(run.err).toContain('Rebooting now; the service starts by itself after the boot');
    expect(system.commands[system.commands.length - 1]).toBe('systemctl reboot');
    expect(system.active.size).toBe(0);
  });

  it('changes no boot configuration on a machine that is not a Raspberry Pi, and says why', async () => {
    const { root, system } = tree();
    device(root, 'boot/firmware/config.txt');
    writeFileSync(join(root, 'boot/firmware/config.txt'), bootFixture('bookworm-config'));
    const run = await setup(root, system, [bundle, '--board', 'rgbmatrix5x5']);
    expect(run.code).toBe(1);
    expect(run.err).toContain(
      'not a Raspberry Pi (/proc/device-tree/model does not exist): the boot configuration is left alone',
    );
    expect(run.err).toContain('/dev/i2c-1 missing on a machine that is not a Raspberry Pi');
    expect(readFileSync(join(root, 'boot/firmware/config.txt'), 'utf8')).toBe(bootFixture('bookworm-config'));
    expect(system.commands.some((c) => /^(dtparam|modprobe|systemctl reboot)/.test(c))).toBe(false);
    expect(system.enabled.has('ec2led.service')).toBe(true);
    expect(system.active.size).toBe(0);
  });

  it('says on 32-bit ARM that the .deb is arm64 only and what works there', () => {
    expect(archNote('arm64', 'v24.11.0')).toBeUndefined();
    expect(archNote('x64', 'v24.11.0')).toBeUndefined();
    const note = archNote('arm', 'v22.12.0') as string;
    expect(note).toContain('the ec2-led .deb is arm64 only, because Node.js 24 has no armv7 build');
    expect(note).toContain('`npm run package:device` on Node.js 22 (this is v22.12.0)');
  });

  it('runs the Unicorn HAT as root on a Pi 4, with a drop-in that says why', async () => {
    const { root, system } = tree();
    device(root, 'proc/device-tree/model');
    writeFileSync(join(root, 'proc/device-tree/model'), 'Raspberry Pi 4 Model B Rev 1.4\0');
    agentAnswersWhenStarted(root, system);
    const run = await service(root, system, ['install', '--bundle', bundle, '--board', 'unicornhat']);
    expect(run.code).toBe(0);
    expect(run.err).toContain('runs as root: the Unicorn HAT on a Pi 4 or older is driven by rpi_ws281x');
    const dropIn = readFileSync(join(root, 'etc/systemd/system/ec2led.service.d/10-root.conf'), 'utf8');
    expect(dropIn).toContain('User=root');
    expect(dropIn).toContain('maps /dev/mem');
  });

  it('gives /dev/leds0 to the gpio group with a udev rule on a Pi 5, and drops the root drop-in', async () => {
    const { root, system } = tree();
    device(root, 'etc/systemd/system/ec2led.service.d/10-root.conf');
    device(root, 'dev/leds0');
    pi(root, 'Raspberry Pi 5 Model B Rev 1.0', 'trixie-config');
    agentAnswersWhenStarted(root, system);
    const run = await service(root, system, ['install', '--bundle', bundle, '--board', 'unicornphat']);
    expect(run.code).toBe(0);
    expect(readFileSync(join(root, 'boot/firmware/config.txt'), 'utf8')).toBe(
      `${bootFixture('trixie-config')}dtoverlay=ws2812-pio,gpio=18,num_leds=32\n`,
    );
    expect(readFileSync(join(root, 'etc/udev/rules.d/99-ec2led-leds.rules'), 'utf8')).toBe(
      'KERNEL=="leds[0-9]*", GROUP="gpio", MODE="0660"\n',
    );
    expect(groupMembers(root, 'gpio')).toEqual(['ec2led']);
    expect(existsSync(join(root, 'etc/systemd/system/ec2led.service.d/10-root.conf'))).toBe(false);
  });

  it("prints the agent's first problem, which names the fix, when it does not sync in time", async () => {
    const { root, system } = tree();
    system.journal = [
      '{"level":"info","msg":"agent started","time":"2026-11-29T03:00:00.000Z"}',
      'not a JSON line',
      '{"level":"warn","msg":"listing failed","time":"2026-11-29T03:00:01.000Z","context":{"error":"the IoT credentials provider 127.0.0.1 refused thing \\"desk-pi\\" (HTTP 403); check the certificate is attached"}}',
      '{"level":"error","msg":"later","time":"2026-11-29T03:00:02.000Z"}',
    ];
    const run = await service(root, system, [
      'install',
      '--bundle',
      bundle,
      '--board',
      'none',
      '--wait',
      '1',
    ]);
    expect(run.code).toBe(1);
    expect(run.err).toContain(
      'its first problem:\n  listing failed: the IoT credentials provider 127.0.0.1 refused thing "desk-pi" (HTTP 403)',
    );
  });

  it('keeps waiting through a warning when the agent syncs after it (a connect that fails once at boot)', async () => {
    const { root, system } = tree();
    system.journal = [
      '{"level":"warn","msg":"connect failed","context":{"error":"AWS_IO_DNS_QUERY_FAILED"}}',
    ];
    system.onStart = () => {
      const timer = setTimeout(async () => {
        const socket = await serveBoard(join(root, 'var/lib/ec2led/agent.sock'), SYNCED);
        cleanups.push(() => socket.close());
      }, 300);
      cleanups.push(() => clearTimeout(timer));
    };
    const run = await service(root, system, [
      'install',
      '--bundle',
      bundle,
      '--board',
      'none',
      '--wait',
      '10',
    ]);
    expect(run.err).not.toContain('first problem');
    expect(run.code).toBe(0);
  });

  it("reads the agent's log lines as it writes them, hint included", () => {
    const line = JSON.stringify({
      level: 'warn',
      msg: 'connect failed',
      time: '2026-11-29T03:00:01.000Z',
      context: {
        endpoint: 'a-ats.iot.eu-west-1.amazonaws.com',
        error: 'AWS_IO_TLS_ERROR_NEGOTIATION_FAILURE',
        hint: 'check mqtt.ca',
        retryMs: 1000,
      },
    });
    expect(firstProblem(['{"level":"info","msg":"display opened"}', line])).toBe(
      'connect failed: AWS_IO_TLS_ERROR_NEGOTIATION_FAILURE (check mqtt.ca)',
    );
  });

  it('says so when the agent neither syncs nor logs a problem within --wait', async () => {
    const { root, system } = tree();
    const run = await service(root, system, [
      'install',
      '--bundle',
      bundle,
      '--board',
      'none',
      '--wait',
      '0.2',
    ]);
    expect(run.code).toBe(1);
    expect(run.err).toContain('did not report synced within 0.2 s');
  });

  it('refuses a folder that is not a bundle, before changing anything', async () => {
    const { root, system } = tree();
    const empty = mkdtempSync(join(tmpdir(), 'ec2led-empty-'));
    cleanups.push(() => rmSync(empty, { recursive: true, force: true }));
    const run = await setup(root, system, [empty]);
    expect(run.code).toBe(2);
    expect(run.err).toContain(`config file ${join(empty, 'config.json')} does not exist`);
    expect(system.commands).toEqual([]);
  });

  it('refuses to run without root on the real machine, and a Node under /home', async () => {
    let err = '';
    const code = await serviceMain(['install', '--bundle', bundle], {
      stdout: () => {},
      stderr: (text) => (err += text),
      uid: 1000,
    });
    expect(code).toBe(1);
    expect(err).toContain('run it with sudo');
    expect(unitPathProblem({ node: '/home/pi/.nvm/versions/node/v22.11.0/bin/node', bin: '/x' })).toContain(
      'ProtectHome=yes',
    );
  });

  it('rejects an unknown board and prints its help', async () => {
    const { root, system } = tree();
    const run = await service(root, system, ['install', '--bundle', bundle, '--board', 'blinkt']);
    expect(run.code).toBe(2);
    expect(run.err).toContain('--board "blinkt" is not a board');
    let out = '';
    expect(await serviceMain(['--help'], { stdout: (t) => (out += t), stderr: () => {} })).toBe(0);
    expect(out).toBe(SERVICE_USAGE);
    out = '';
    expect(await setupMain(['--help'], { stdout: (t) => (out += t), stderr: () => {} })).toBe(0);
    expect(out).toBe(SETUP_USAGE);
    expect((await setup(root, system, ['a', 'b'])).err).toContain('give one bundle folder');
  });
});

describe('ec2led setup with the .deb', () => {
  it("uses the package's unit, and removes the /etc copy an earlier setup wrote from a tarball install", async () => {
    const { root, system } = tree();
    device(root, 'usr/lib/systemd/system/ec2led.service');
    device(root, UNIT_PATH);
    writeFileSync(join(root, UNIT_PATH), renderUnit(REFERENCE_UNIT_OPTIONS));
    agentAnswersWhenStarted(root, system);
    const run = await setup(root, system, [bundle, '--board', 'none']);
    expect(run.code).toBe(0);
    expect(existsSync(join(root, UNIT_PATH))).toBe(false);
    expect(run.err).toContain(
      "removed /etc/systemd/system/ec2led.service (written by an earlier setup): the package's /usr/lib/systemd/system/ec2led.service runs the agent now",
    );
    expect(system.enabled.has('ec2led.service')).toBe(true);
  });

  it("enables the update installer's path unit and copies the bundle's update keys beside the certificate", async () => {
    const { root, system } = tree();
    device(root, 'usr/lib/systemd/system/ec2led.service');
    const keys = join(bundle, 'update-keys');
    mkdirSync(keys, { recursive: true });
    cleanups.push(() => rmSync(keys, { recursive: true, force: true }));
    writeFileSync(join(keys, '0123456789abcdef.pem'), '-----BEGIN PUBLIC KEY-----\n');
    writeFileSync(join(keys, 'big.pem'), 'x'.repeat(9_000));
    writeFileSync(join(keys, 'notes.txt'), 'not a key');
    agentAnswersWhenStarted(root, system);
    const run = await setup(root, system, [bundle, '--board', 'none']);
    expect(run.code, run.err).toBe(0);
    expect(system.enabled.has('ec2led-update.path')).toBe(true);
    expect(readdirSync(join(root, 'etc/ec2led/update-keys'))).toEqual(['0123456789abcdef.pem']);
    expect(owner(join(root, 'etc/ec2led/update-keys/0123456789abcdef.pem')).mode).toBe('0640');
  });
});

describe('ec2led setup --root on an empty folder, with the real commands', () => {
  async function image(args: string[]): Promise<Run & { root: string }> {
    const root = mkdtempSync(join(tmpdir(), 'ec2led-image-'));
    cleanups.push(() => rmSync(root, { recursive: true, force: true }));
    return { root, ...(await again(root, args)) };
  }

  async function again(root: string, args: string[]): Promise<Run> {
    let out = '';
    let err = '';
    const code = await setupMain([bundle, ...args, '--root', root], {
      stdout: (text) => (out += text),
      stderr: (text) => (err += text),
      env: { SUDO_USER: 'pi' },
      node: '/usr/bin/node',
      bin: '/usr/lib/node_modules/ec2-led/bin/ec2led.js',
      arch: 'arm64',
    });
    return { code, out, err };
  }

  it('creates the accounts with systemd-sysusers, writes the bundle and enables the unit, starting nothing', async () => {
    const { root, code, err } = await image(['--board', 'unicornhatmini']);
    expect(err).toContain('created system user ec2led');
    expect(code).toBe(0);
    expect(err).toContain(`written and enabled under ${root}; the service starts at the first boot`);
    expect(err).toContain('not a Raspberry Pi (/proc/device-tree/model does not exist)');
    const { uid, gid } = ids(root, 'ec2led');
    expect(uid).toBeGreaterThan(0);
    expect(groupMembers(root, 'spi')).toEqual(['ec2led']);
    expect(owner(join(root, 'etc/ec2led/private.pem.key'))).toEqual({ uid: 0, gid, mode: '0640' });
    expect(owner(join(root, 'var/lib/ec2led'))).toEqual({ uid, gid, mode: '0750' });
    // systemctl --root=DIR enable: a link to the unit's path as the image will see it.
    expect(readlinkSync(join(root, 'etc/systemd/system/multi-user.target.wants/ec2led.service'))).toBe(
      '/etc/systemd/system/ec2led.service',
    );
    expect(existsSync(join(root, 'var/lib/ec2led/agent.sock'))).toBe(false);
    const passwd = readFileSync(join(root, 'etc/passwd'), 'utf8');
    const rerun = await again(root, ['--board', 'unicornhatmini']);
    expect(rerun.code).toBe(0);
    expect(rerun.err).not.toContain('created');
    expect(readFileSync(join(root, 'etc/passwd'), 'utf8')).toBe(passwd);
  });

  it('turns the bus on in the config.txt of a Pi image, with --no-start too', async () => {
    const root = mkdtempSync(join(tmpdir(), 'ec2led-image-'));
    cleanups.push(() => rmSync(root, { recursive: true, force: true }));
    mkdirSync(join(root, 'proc/device-tree'), { recursive: true });
    writeFileSync(join(root, 'proc/device-tree/model'), 'Raspberry Pi Zero 2 W Rev 1.0\0');
    mkdirSync(join(root, 'boot/firmware'), { recursive: true });
    writeFileSync(join(root, 'boot/firmware/config.txt'), bootFixture('bookworm-config'));
    const run = await again(root, ['--board', 'ledshim', '--no-start']);
    expect(run.code).toBe(0);
    expect(readFileSync(join(root, 'boot/firmware/config.txt'), 'utf8')).toMatch(/^dtparam=i2c_arm=on$/m);
    expect(readFileSync(join(root, 'etc/modules'), 'utf8')).toBe('i2c-dev\n');
    expect(groupMembers(root, 'i2c')).toEqual(['ec2led']);
  });
});

describe('ec2led service uninstall', () => {
  it('stops and removes the unit but keeps the bundle and the slots; --purge removes them and the user', async () => {
    const { root, system } = tree();
    agentAnswersWhenStarted(root, system);
    expect((await service(root, system, ['install', '--bundle', bundle, '--board', 'none'])).code).toBe(0);
    writeFileSync(join(root, 'var/lib/ec2led/slots.json'), '{}');
    const kept = await service(root, system, ['uninstall']);
    expect(kept.code).toBe(0);
    expect(system.active.size + (system.enabled.has('ec2led.service') ? 1 : 0)).toBe(0);
    expect(existsSync(join(root, UNIT_PATH))).toBe(false);
    expect(existsSync(join(root, 'etc/ec2led/config.json'))).toBe(true);
    expect(existsSync(join(root, 'var/lib/ec2led/slots.json'))).toBe(true);
    const purged = await service(root, system, ['uninstall', '--purge']);
    expect(purged.code).toBe(0);
    expect(existsSync(join(root, 'etc/ec2led'))).toBe(false);
    expect(existsSync(join(root, 'var/lib/ec2led'))).toBe(false);
    expect(readFileSync(join(root, 'etc/passwd'), 'utf8')).not.toContain('ec2led');
  });
});

describe('the real System under --root', () => {
  it('skips what needs a running systemd and passes --root to what works offline', async () => {
    const { root } = tree();
    const system = realSystem(root, 10_000);
    expect(await system.run('systemctl', ['daemon-reload'])).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(await system.run('journalctl', ['--unit', 'ec2led.service'])).toEqual({
      code: 0,
      stdout: '',
      stderr: '',
    });
    const enable = await system.run('systemctl', ['enable', 'no-such-unit.service']);
    expect(enable.code).not.toBe(0);
    expect(enable.stderr).toContain('no-such-unit.service');
  });
});

describe('the unit file', () => {
  it('is the one shipped in device/systemd/', () => {
    expect(readFileSync(join(ROOT, 'device/systemd/ec2led.service'), 'utf8')).toBe(
      renderUnit(REFERENCE_UNIT_OPTIONS),
    );
  });

  it('waits for network but not for a clock sync: a Pi booting offline still shows its last fleet', () => {
    const unit = renderUnit(REFERENCE_UNIT_OPTIONS);
    expect(unit).toMatch(/^After=network-online.target$/m);
    expect(unit).toMatch(/^Wants=network-online.target$/m);
    expect(unit).not.toContain('time-sync.target\n');
  });

  it('runs under the systemd watchdog and blanks the board after every stop', () => {
    const unit = renderUnit(REFERENCE_UNIT_OPTIONS);
    expect(unit).toMatch(/^Type=notify$/m);
    expect(unit).toMatch(/^NotifyAccess=main$/m);
    expect(unit).toMatch(/^WatchdogSec=60$/m);
    expect(unit).toMatch(/^Restart=always$/m);
    expect(unit).toMatch(
      /^ExecStopPost=-\/usr\/bin\/node \/usr\/lib\/node_modules\/ec2-led\/bin\/ec2led.js blank --config \/etc\/ec2led\/config.json$/m,
    );
  });

  const analyze = spawnSync('which', ['systemd-analyze']).status === 0;
  it.runIf(analyze)('passes systemd-analyze verify (this machine has systemd-analyze)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ec2led-unit-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const path = join(dir, 'ec2led.service');
    writeFileSync(path, renderUnit({ node: process.execPath, bin: join(ROOT, 'bin/ec2led.js') }));
    expect(execFileSync('systemd-analyze', ['verify', path], { encoding: 'utf8', stdio: 'pipe' })).toBe('');
    writeFileSync(path, renderUnit({ node: '/nonexistent/node', bin: join(ROOT, 'bin/ec2led.js') }));
    expect(spawnSync('systemd-analyze', ['verify', path]).status).not.toBe(0);
  });
});
