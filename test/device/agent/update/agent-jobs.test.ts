/**
 * Update jobs end to end on 127.0.0.1: the agent on a real mosquitto (mutual TLS), a fake AWS IoT Jobs
 * service on the same broker (fakes/fake-jobs-service.ts), and a loopback https server serving the
 * package (fakes/package-server.ts). The installer is played by the test: it writes the spool's
 * result file as device/commands/update/installer.ts does. Every wait is bounded.
 */
import { createHash, generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Agent, startAgent } from '../../../../device/agent/agent.ts';
import { PACKAGE_FILE, REQUEST_FILE, RESULT_FILE, spoolDir } from '../../../../device/agent/update/spool.ts';
import { keyIdOfKey } from '../../../../device/agent/update/verify.ts';
import { createLogger } from '../../../../device/base/log.ts';
import { signedText, type UpdateDocument } from '../../../../shared/update-job.ts';
import { type FakeJobsService, startFakeJobsService } from '../../../fakes/fake-jobs-service.ts';
import { type PackageServer, startPackageServer } from '../../../fakes/package-server.ts';
import { waitFor } from '../../../fakes/wait.ts';
import { instance, startWorld, type World } from '../../../fakes/world.ts';

const PACKAGE = Buffer.from(`!<arch>\ndebian-binary   ${'x'.repeat(4000)}`);
let world: World;
let jobs: FakeJobsService;
let server: PackageServer;
let agent: Agent | undefined;
let keysDir: string;
let privateKey: KeyObject;
let keyId: string;
const logLines: string[] = [];
let installer = true;

function documentFor(overrides: Partial<UpdateDocument> = {}, body = PACKAGE): UpdateDocument {
  const unsigned = {
    version: '1.1.0',
    arch: 'arm64' as const,
    size: body.length,
    sha256: createHash('sha256').update(body).digest('hex'),
    allowDowngrade: false,
    keyId,
    ...overrides,
  };
  const signature = sign(null, Buffer.from(signedText(unsigned)), privateKey).toString('base64');
  return { operation: 'ec2led-update', ...unsigned, signature, url: server.url, ...overrides };
}

async function start(): Promise<Agent> {
  const started = await startAgent({
    config: world.config,
    log: createLogger({ level: 'debug', write: (line) => logLines.push(line) }),
    updates: {
      running: { version: '1.0.0', arch: 'arm64' },
      keyFolders: [keysDir],
      download: { ca: server.ca, idleMs: 300, totalMs: 5_000 },
      pollMs: 50,
      answerTimeoutMs: 2_000,
      installerPresent: () => installer,
    },
  });
  agent = started;
  return started;
}

const spool = () => spoolDir(world.config.stateDir);
const outcome = (jobId: string) => () => {
  const execution = jobs.execution(jobId);
  return execution !== undefined && ['SUCCEEDED', 'FAILED', 'REJECTED'].includes(execution.status)
    ? execution
    : undefined;
};

beforeAll(async () => {
  world = await startWorld([instance(1, 'running', 'web')]);
  const pair = generateKeyPairSync('ed25519');
  privateKey = pair.privateKey;
  keyId = keyIdOfKey(pair.publicKey);
  keysDir = mkdtempSync(join(tmpdir(), 'ec2led-update-keys-'));
  writeFileSync(join(keysDir, `${keyId}.pem`), pair.publicKey.export({ type: 'spki', format: 'pem' }));
  writeFileSync(join(keysDir, 'junk.pem'), 'not a key');
});

beforeEach(async () => {
  jobs = await startFakeJobsService(world.broker.port, world.pki, world.pki.thingName);
  server = await startPackageServer(world.pki, PACKAGE);
  rmSync(spool(), { recursive: true, force: true });
});

afterEach(async () => {
  installer = true;
  await agent?.stop();
  agent = undefined;
  await jobs.close();
  await server.close();
  logLines.length = 0;
});

afterAll(async () => {
  await world?.close();
  rmSync(keysDir, { recursive: true, force: true });
});

describe('agent: update jobs', () => {
  it('takes a signed job, hands the verified package to the installer, then reports its outcome', async () => {
    const started = await start();
    await jobs.addJob('up-1', documentFor());
    await waitFor('request file', () => existsSync(join(spool(), REQUEST_FILE)), 8_000);
    expect(readFileSync(join(spool(), PACKAGE_FILE))).toEqual(PACKAGE);
    const request = JSON.parse(readFileSync(join(spool(), REQUEST_FILE), 'utf8'));
    expect(request.jobId).toBe('up-1');
    expect(request.document.version).toBe('1.1.0');
    await waitFor('in progress reported', () => jobs.execution('up-1')?.history.length === 1, 5_000);
    expect(jobs.execution('up-1')?.history[0]).toEqual({
      status: 'IN_PROGRESS',
      statusDetails: { step: 'installing', version: '1.1.0' },
    });
    expect(started.update()).toMatchObject({ phase: 'installing', target: '1.1.0', version: '1.0.0' });
    // The board shows it: the legend (web board, ec2led status) and the blinking status pixel.
    await waitFor('legend says installing', () => started.legend().update?.phase === 'installing', 2_000);
    // The installer's part: its result, then the request is gone.
    writeFileSync(
      join(spool(), RESULT_FILE),
      JSON.stringify({
        jobId: 'up-1',
        status: 'SUCCEEDED',
        reason: 'installed 1.1.0; the agent is ready, connected and synced',
        version: '1.1.0',
        fromVersion: '1.0.0',
        atMs: Date.now(),
      }),
    );
    rmSync(join(spool(), REQUEST_FILE));
    const done = await waitFor('succeeded', outcome('up-1'), 5_000);
    expect(done.status).toBe('SUCCEEDED');
    expect(done.statusDetails).toEqual({
      reason: 'installed 1.1.0; the agent is ready, connected and synced',
      version: '1.1.0',
      fromVersion: '1.0.0',
    });
    await waitFor('result cleared', () => !existsSync(join(spool(), RESULT_FILE)), 5_000);
    expect(started.update()).toMatchObject({ phase: 'idle', last: { jobId: 'up-1', status: 'SUCCEEDED' } });
    await waitFor(
      'legend says succeeded',
      () => started.legend().update?.last?.status === 'SUCCEEDED',
      2_000,
    );
    // The pre-signed URL's query is a credential: never in the log.
    expect(logLines.join('\n')).not.toContain('X-Amz-Signature');
  });

  it('asks again after a refused start-next and takes the job', async () => {
    jobs.rejectStartNext(1);
    await start();
    await waitFor('refused', () => logLines.some((line) => line.includes('start-next refused')), 8_000);
    await jobs.addJob('up-2', documentFor());
    await waitFor('request file', () => existsSync(join(spool(), REQUEST_FILE)), 8_000);
    expect(jobs.execution('up-2')?.status).toBe('IN_PROGRESS');
  });

  it.each([
    [
      'a bad signature',
      () => ({ ...documentFor(), signature: documentFor({ version: '1.2.0' }).signature }),
      'REJECTED',
      'the signature does not verify',
    ],
    ['an older version', () => documentFor({ version: '0.9.0' }), 'REJECTED', 'older than the running 1.0.0'],
    ['the wrong architecture', () => documentFor({ arch: 'amd64' }), 'REJECTED', 'not this device'],
    [
      'a wrong hash',
      () => documentFor({ sha256: createHash('sha256').update('other').digest('hex') }),
      'FAILED',
      'is not the signed',
    ],
  ])('refuses %s and says why in the execution', async (_what, make, status, reason) => {
    await start();
    await jobs.addJob('up-3', make());
    const done = await waitFor('refused', outcome('up-3'), 8_000);
    expect(done.status).toBe(status);
    expect(String(done.statusDetails.reason)).toContain(reason);
    expect(existsSync(join(spool(), REQUEST_FILE))).toBe(false);
    expect(existsSync(join(spool(), PACKAGE_FILE))).toBe(false);
  });

  it('takes an older version when the downgrade is signed', async () => {
    await start();
    await jobs.addJob('up-4', documentFor({ version: '0.9.0', allowDowngrade: true }));
    await waitFor('request file', () => existsSync(join(spool(), REQUEST_FILE)), 8_000);
  });

  it('refuses a job where no root installer is installed (a tarball install), downloading nothing', async () => {
    installer = false;
    await start();
    await jobs.addJob('up-7', documentFor());
    const done = await waitFor('rejected', outcome('up-7'), 8_000);
    expect(done.status).toBe('REJECTED');
    expect(String(done.statusDetails.reason)).toContain('no root installer');
    expect(server.requests()).toBe(0);
  });

  it('fails a download that stalls, within its idle timeout', async () => {
    server.mode = 'stall';
    await start();
    await jobs.addJob('up-5', documentFor());
    const done = await waitFor('failed', outcome('up-5'), 8_000);
    expect(done.status).toBe('FAILED');
    expect(String(done.statusDetails.reason)).toContain('no byte for 300 ms');
    expect(existsSync(join(spool(), PACKAGE_FILE))).toBe(false);
  });

  it('after a restart mid-install, reports the result the installer left', async () => {
    await jobs.addJob('up-6', documentFor());
    const first = await start();
    await waitFor('request file', () => existsSync(join(spool(), REQUEST_FILE)), 8_000);
    await first.stop();
    agent = undefined;
    mkdirSync(spool(), { recursive: true });
    writeFileSync(
      join(spool(), RESULT_FILE),
      JSON.stringify({
        jobId: 'up-6',
        status: 'FAILED',
        reason: 'the new agent was not ready within 120 s; reinstalled 1.0.0',
        version: '1.1.0',
        fromVersion: '1.0.0',
        atMs: Date.now(),
      }),
    );
    rmSync(join(spool(), REQUEST_FILE));
    await start();
    const done = await waitFor('failed', outcome('up-6'), 8_000);
    expect(done.status).toBe('FAILED');
    expect(done.statusDetails.reason).toContain('reinstalled 1.0.0');
    expect(server.requests()).toBe(1);
  });
});
