/**
 * `npm run test:pi` (scripts/test-pi.ts builds the package first): the arm64 .deb, extracted with
 * `dpkg-deb -x`, run under qemu-user through binfmt_misc on this x86-64 machine. The bundled Node
 * runs as arm64; `ec2led --version`; `agent --once` against the real mosquitto (mutual TLS) and
 * FakeEc2 draws the fleet; the live agent reaches `synced` and applies a published change; the
 * native modules load under that Node (a missing bus fails with ENOENT, not a load or ABI error);
 * `ec2led setup BUNDLE --root` works with the arm64 build on an empty tree.
 *
 * What qemu-user cannot show: GPIO, SPI and I2C transfers to a real board, systemd as PID 1 (the
 * unit's Type=notify watchdog, ExecStopPost blank), the maintainer scripts under a real dpkg on
 * arm64 (test/package/pi-maintainer.test.ts runs them under dpkg on this machine).
 *
 * Not part of `npm test` (vitest.pi.config.ts includes only test/pi/*.pi.ts): it needs the package.
 */
import { type ChildProcess, execFile, spawn, spawnSync } from 'node:child_process';
import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { keyIdOfKey } from '../../device/agent/update/verify.ts';
import { statusMain } from '../../device/commands/cli/status.ts';
import { serveBoard, socketPath } from '../../device/outputs/web/status-socket.ts';
import { ROOT } from '../../scripts/lambda-bundle.ts';
import {
  AGENT_BIN,
  AGENT_DIR,
  debFileName,
  NODE_PATH,
  UPDATE_UNITS,
  wrapperScript,
} from '../../scripts/package-pi.ts';
import { signedText } from '../../shared/update-job.ts';
import { writeFakeBundle } from '../fakes/device-bundle.ts';
import { seedInstalled, writeInstallerFakes } from '../fakes/installer-commands.ts';
import { waitFor, waitForAsync } from '../fakes/wait.ts';
import { instance, startWorld, type World } from '../fakes/world.ts';

const version = (JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as { version: string }).version;
const DEB = process.env.EC2LED_PI_DEB ?? `${ROOT}dist/pi/${debFileName(version)}`;

let work: string;
let tree: string;
let node: string;
let bin: string;
let world: World;
let child: ChildProcess | undefined;

beforeAll(async () => {
  if (!existsSync(DEB))
    throw new Error(`${DEB} does not exist; npm run test:pi builds it (npm run package:pi)`);
  work = mkdtempSync(join(tmpdir(), 'ec2led-pi-'));
  tree = join(work, 'root');
  const extract = spawnSync('dpkg-deb', ['-x', DEB, tree], { encoding: 'utf8' });
  expect(extract.stderr).toBe('');
  node = join(tree, NODE_PATH);
  bin = join(tree, AGENT_BIN);
  world = await startWorld([instance(1, 'running', 'web-1'), instance(2, 'stopped', 'batch')]);
}, 60_000);

afterEach(() => {
  if (child !== undefined && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  child = undefined;
});

afterAll(async () => {
  await world?.close();
  if (work !== undefined) rmSync(work, { recursive: true, force: true });
});

/** Runs the arm64 node without blocking this process, whose fakes must keep answering. */
function arm64(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      node,
      args,
      { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 180_000 },
      (error, stdout, stderr) => {
        resolve({
          status: error === null ? 0 : typeof error.code === 'number' ? error.code : -1,
          stdout,
          stderr,
        });
      },
    );
  });
}

describe('the arm64 package under qemu-user', () => {
  it('holds an aarch64 Node that runs as arm64, and the wrapper that starts the agent with it', async () => {
    const header = Buffer.alloc(20);
    const fd = openSync(node, 'r');
    readSync(fd, header, 0, 20, 0);
    expect(header.subarray(0, 4).toString('latin1')).toBe('\u007fELF');
    expect(header.readUInt16LE(18)).toBe(0xb7); // e_machine EM_AARCH64: not the machine's own node
    const arch = await arm64(['-p', 'process.arch + " " + process.version']);
    expect(arch.stdout.trim()).toMatch(/^arm64 v24\./);
    expect(readFileSync(join(tree, 'usr/bin/ec2led'), 'utf8')).toBe(wrapperScript());
    const versionOut = await arm64([bin, '--version']);
    expect(versionOut.status).toBe(0);
    expect(versionOut.stdout).toContain(version);
    expect(versionOut.stderr).toContain('node v24.'); // the advice line goes to stderr
  }, 60_000);

  it('loads the cross-compiled native modules; a missing bus fails with ENOENT', async () => {
    const modules = join(tree, AGENT_DIR, 'node_modules');
    const script = `
      const out = {};
      const m = (name) => require(${JSON.stringify(modules)} + '/' + name);
      try { m('i2c-bus').openSync(250).readByteSync(0x74, 0); } catch (e) { out.i2c = e.code; }
      try { m('spi-device').openSync(250, 0); } catch (e) { out.spi = e.code; }
      out.ws281x = typeof m('rpi-ws281x-native');
      const socket = m('unix-dgram').createSocket('unix_dgram');
      socket.on('error', (e) => { out.dgram = e.code ?? e; socket.close(); console.log(JSON.stringify(out)); });
      socket.connect('/nonexistent/notify.sock');
    `;
    const result = await arm64(['-e', script]);
    expect(result.stderr).toBe('');
    // unix-dgram reports the negative errno: -2 is ENOENT.
    expect(JSON.parse(result.stdout)).toEqual({
      i2c: 'ENOENT',
      spi: 'ENOENT',
      ws281x: 'function',
      dgram: -2,
    });
  }, 60_000);

  it('runs agent --once against mosquitto (mutual TLS) and FakeEc2 and draws the fleet', async () => {
    const once = await arm64([bin, 'agent', '--once', '--config', world.configPath, '--display', 'terminal']);
    expect(once.stderr).not.toContain('"level":"error"');
    expect(once.status).toBe(0);
    expect(once.stdout).toContain('listed once at');
    expect(once.stdout).toContain('web-1');
    expect(once.stdout).toContain('batch');
  }, 180_000);

  it('runs the agent live: synced, then a published change reaches its legend', async () => {
    const proc = spawn(node, [bin, 'agent', '--config', world.configPath], {
      env: { ...process.env, NODE_NO_WARNINGS: '1' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    child = proc;
    let err = '';
    proc.stderr?.on('data', (chunk: Buffer) => {
      err += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
    await waitFor('synced log line', () => err.includes('"msg":"synced"'), 120_000, 100);
    const id = 'i-00000000000000001';
    await world.publish(id, 'stopping', Date.now());
    const status = async () => {
      let out = '';
      await statusMain(['--config', world.configPath, '--json'], {
        stdout: (t) => {
          out += t;
        },
        stderr: () => {},
        env: {},
        columns: 120,
        isTty: false,
      });
      return out;
    };
    const legend = await waitForAsync(
      'the change in the legend',
      async () => {
        const out = await status();
        const pixels =
          out === ''
            ? []
            : (JSON.parse(out) as { pixels: { entry: { id?: string; state?: string } | null }[] }).pixels;
        const entry = pixels.find((p) => p.entry?.id === id)?.entry;
        return entry?.state === 'stopping' ? entry : undefined;
      },
      60_000,
      250,
    );
    expect(legend.state).toBe('stopping');
    proc.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(err).toContain('"msg":"stopped"');
  }, 240_000);

  it('sets up an empty --root tree with the arm64 build (ec2led setup)', async () => {
    const result = await setupUnderRoot();
    expect(result.stderr).toContain('created system user ec2led');
    expect(result.status).toBe(0);
    const unit = readFileSync(join(result.root, 'etc/systemd/system/ec2led.service'), 'utf8');
    expect(unit).toContain(`ExecStart=${node} ${bin} agent --config /etc/ec2led/config.json`);
    for (const file of ['certificate.pem.crt', 'private.pem.key', 'AmazonRootCA1.pem', 'config.json']) {
      expect(existsSync(join(result.root, 'etc/ec2led', file)), file).toBe(true);
    }
  }, 180_000);

  it('ships the update units, and its root installer rolls back a package whose agent never gets ready', async () => {
    for (const unit of UPDATE_UNITS)
      expect(existsSync(join(tree, 'lib/systemd/system', unit)), unit).toBe(true);
    // The installer of this package, on the arm64 Node, with dpkg and systemctl faked on PATH
    // (test/fakes/installer-commands.ts): a signed 1.1.0 whose agent never gets active.
    const dir = join(work, 'update');
    const [fake, state, upd, keys, shims] = ['fake', 'state', 'work', 'keys', 'bin'].map((name) =>
      join(dir, name),
    );
    for (const folder of [fake, upd, keys, shims, join(state as string, 'update')])
      mkdirSync(folder as string, { recursive: true });
    writeInstallerFakes(shims as string);
    seedInstalled(fake as string, upd as string, '1.0.0');
    const pair = generateKeyPairSync('ed25519');
    const keyId = keyIdOfKey(pair.publicKey);
    writeFileSync(
      join(keys as string, `${keyId}.pem`),
      pair.publicKey.export({ type: 'spki', format: 'pem' }),
    );
    const body = Buffer.from('1.1.0 sick\n');
    const unsigned = {
      version: '1.1.0',
      arch: 'arm64' as const,
      size: body.length,
      sha256: createHash('sha256').update(body).digest('hex'),
      allowDowngrade: false,
      keyId,
    };
    const signature = sign(null, Buffer.from(signedText(unsigned)), pair.privateKey).toString('base64');
    const document = { operation: 'ec2led-update', ...unsigned, signature, url: 'https://example.com/p.deb' };
    writeFileSync(join(state as string, 'update/package.deb'), body);
    writeFileSync(join(state as string, 'update/request.json'), JSON.stringify({ jobId: 'up-1', document }));
    // The kept agent's status socket, synced, so the rollback ends with a ready agent.
    const socket = await serveBoard(socketPath(state as string), {
      width: 1,
      height: 1,
      connected: true,
      synced: true,
      overflow: 0,
      pixels: [],
    });
    await socket.open();
    const args = ['--state-dir', state as string, '--work', upd as string, '--keys', keys as string];
    const run = await arm64([bin, 'update-install', ...args, '--ready-timeout', '3'], {
      PATH: `${shims}:${process.env.PATH}`,
      FAKE_DIR: fake as string,
    }).finally(() => socket.close());
    expect(run.status, run.stderr).toBe(0);
    const result = JSON.parse(readFileSync(join(state as string, 'update/result.json'), 'utf8'));
    expect(result).toMatchObject({ jobId: 'up-1', status: 'FAILED', version: '1.1.0', fromVersion: '1.0.0' });
    expect(result.reason).toBe(
      'the agent was not ready, connected and synced within 3 s (ec2led.service is activating); reinstalled 1.0.0',
    );
    expect(readFileSync(join(fake as string, 'running'), 'utf8')).toBe('1.0.0 ok\n');
    expect(readFileSync(join(fake as string, 'calls'), 'utf8')).toContain('dpkg --force-confold -i');
  }, 240_000);
});

const FAKE_COMMANDS = [
  'systemd-sysusers',
  'dtparam',
  'modprobe',
  'useradd',
  'groupadd',
  'usermod',
  'userdel',
  'systemctl',
  'journalctl',
  'udevadm',
  'timedatectl',
];

/**
 * `ec2led setup BUNDLE --root DIR`, run by the arm64 build against an empty tree with the fake account
 * and systemd commands of test/fakes/fake-command.ts on PATH.
 */
async function setupUnderRoot(): Promise<{ status: number; stderr: string; root: string }> {
  const root = join(work, 'install-root');
  mkdirSync(root, { recursive: true, mode: 0o755 });
  const shims = join(work, 'shims');
  mkdirSync(shims, { recursive: true });
  for (const name of FAKE_COMMANDS) {
    const tsx = join(ROOT, 'node_modules/.bin/tsx');
    writeFileSync(
      join(shims, name),
      `#!/bin/sh\nexec ${tsx} ${join(ROOT, 'test/fakes/fake-command.ts')} ${name} "$@"\n`,
      {
        mode: 0o755,
      },
    );
  }
  const bundle = await writeFakeBundle(world, 'terminal');
  try {
    const result = await arm64([bin, 'setup', bundle, '--root', root, '--board', 'none'], {
      PATH: `${shims}:${process.env.PATH}`,
      SUDO_USER: 'pi',
    });
    return { status: result.status, stderr: result.stderr, root };
  } finally {
    rmSync(dirname(bundle), { recursive: true, force: true });
  }
}
