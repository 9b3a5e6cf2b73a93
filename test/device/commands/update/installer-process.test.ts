/**
 * `ec2led update-install` as the root unit runs it: a real process with the real installer system
 * (device/commands/update/installer-system.ts), and dpkg, dpkg-query and systemctl as shell fakes on PATH that
 * act on files (the installed package, its state, the running agent). The agent's status socket is
 * served by the test (synced). Each fake counts the commands run; at the count given, it SIGKILLs
 * the installer (its parent) mid-command, as a power cut would. The installer then runs again and
 * must finish: one outcome in the spool, and the agent running the new package only when it got
 * ready, else the kept one.
 */
import { spawn } from 'node:child_process';
import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PACKAGE_FILE, REQUEST_FILE, RESULT_FILE, spoolDir } from '../../../../device/agent/update/spool.ts';
import { debianArch, keyIdOfKey } from '../../../../device/agent/update/verify.ts';
import { type BoardSocket, serveBoard, socketPath } from '../../../../device/outputs/web/status-socket.ts';
import { signedText } from '../../../../shared/update-job.ts';
import { seedInstalled, writeInstallerFakes } from '../../../fakes/installer-commands.ts';

const ROOT = join(import.meta.dirname, '../../../..');
const pair = generateKeyPairSync('ed25519');
const keyId = keyIdOfKey(pair.publicKey);
const arch = debianArch() ?? 'amd64';
let base: string;
let board: BoardSocket;
const stateDir = () => join(base, 'state');

function scene(sick: boolean) {
  const fake = join(base, 'fake');
  const work = join(base, 'work');
  rmSync(fake, { recursive: true, force: true });
  rmSync(work, { recursive: true, force: true });
  rmSync(spoolDir(stateDir()), { recursive: true, force: true });
  mkdirSync(fake, { recursive: true });
  mkdirSync(work, { recursive: true });
  mkdirSync(spoolDir(stateDir()), { recursive: true });
  seedInstalled(fake, work, '1.0.0');
  const body = Buffer.from(`1.1.0 ${sick ? 'sick' : 'ok'}\n`);
  const unsigned = {
    version: '1.1.0',
    arch,
    size: body.length,
    sha256: createHash('sha256').update(body).digest('hex'),
    allowDowngrade: false,
    keyId,
  };
  const signature = sign(null, Buffer.from(signedText(unsigned)), pair.privateKey).toString('base64');
  const document = { operation: 'ec2led-update', ...unsigned, signature, url: 'https://example.com/p.deb' };
  writeFileSync(join(spoolDir(stateDir()), PACKAGE_FILE), body);
  writeFileSync(join(spoolDir(stateDir()), REQUEST_FILE), JSON.stringify({ jobId: 'up-1', document }));
  return { fake, work };
}

/** Runs the installer in its own process; async, so this process still serves the status socket. */
async function install(work: string, fake: string, killAt?: number) {
  writeFileSync(join(fake, 'kill-at'), killAt === undefined ? '' : String(killAt));
  writeFileSync(join(fake, 'count'), '0');
  const child = spawn(
    process.execPath,
    [
      join(ROOT, 'bin/ec2led.js'),
      'update-install',
      ...['--state-dir', stateDir(), '--work', work, '--keys', join(base, 'keys'), '--ready-timeout', '1'],
    ],
    { env: { ...process.env, PATH: `${join(base, 'bin')}:${process.env.PATH}`, FAKE_DIR: fake } },
  );
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    if (stderr.length < 20_000) stderr += chunk.toString();
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const [status, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
    child.once('close', (code, sig) => resolve([code, sig])),
  );
  clearTimeout(timer);
  return { status, signal, stderr, count: Number(readFileSync(join(fake, 'count'), 'utf8')) };
}

beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), 'ec2led-upd-'));
  mkdirSync(join(base, 'bin'));
  mkdirSync(join(base, 'keys'));
  mkdirSync(stateDir());
  writeFileSync(join(base, 'keys', `${keyId}.pem`), pair.publicKey.export({ type: 'spki', format: 'pem' }));
  writeInstallerFakes(join(base, 'bin'));
  board = await serveBoard(socketPath(stateDir()), {
    width: 1,
    height: 1,
    connected: true,
    synced: true,
    overflow: 0,
    pixels: [],
  });
  await board.open();
});

afterAll(async () => {
  await board?.close();
  rmSync(base, { recursive: true, force: true });
});

function settled(fake: string, work: string, want: 'SUCCEEDED' | 'FAILED') {
  const spool = spoolDir(stateDir());
  const result = JSON.parse(readFileSync(join(spool, RESULT_FILE), 'utf8'));
  expect(result, result.reason).toMatchObject({ jobId: 'up-1', status: want });
  const running = want === 'SUCCEEDED' ? '1.1.0 ok\n' : '1.0.0 ok\n';
  expect(readFileSync(join(fake, 'running'), 'utf8')).toBe(running);
  expect(readFileSync(join(fake, 'state'), 'utf8')).toBe('ok\n');
  for (const name of [REQUEST_FILE, PACKAGE_FILE]) expect(existsSync(join(spool, name)), name).toBe(false);
  expect(existsSync(join(work, 'journal.json'))).toBe(false);
}

describe('ec2led update-install, killed at every command', () => {
  it.each([
    [false, 'SUCCEEDED' as const],
    [true, 'FAILED' as const],
  ])(
    'sick package %s: ends %s after a SIGKILL at any command and a second run',
    async (sick, want) => {
      const clean = scene(sick);
      const undisturbed = await install(clean.work, clean.fake);
      expect(undisturbed.status, undisturbed.stderr).toBe(0);
      settled(clean.fake, clean.work, want);
      expect(undisturbed.count).toBeGreaterThan(4);
      for (let killAt = 1; killAt <= undisturbed.count; killAt += 1) {
        const { fake, work } = scene(sick);
        const killed = await install(work, fake, killAt);
        expect(killed.signal, `kill at ${killAt}: ${killed.stderr}`).toBe('SIGKILL');
        const again = await install(work, fake);
        expect(again.status, `after kill at ${killAt}: ${again.stderr}`).toBe(0);
        settled(fake, work, want);
      }
      if (sick)
        expect(JSON.parse(readFileSync(join(spoolDir(stateDir()), RESULT_FILE), 'utf8')).reason).toBe(
          'the agent was not ready, connected and synced within 1 s (ec2led.service is activating); reinstalled 1.0.0',
        );
    },
    240_000,
  );
});
