/**
 * The root installer's journal (device/commands/update/installer.ts) on a fake system (fakes/
 * fake-installer-system.ts): real files in a temp folder, dpkg/systemd/the agent played. The power
 * is cut at every step of a run, the system "reboots", the installer runs again: the update always
 * ends with one outcome in the spool and a working agent, the new one only when it got ready.
 */
import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PACKAGE_FILE, REQUEST_FILE, RESULT_FILE } from '../../../../device/agent/update/spool.ts';
import { keyIdOfKey } from '../../../../device/agent/update/verify.ts';
import { runInstaller } from '../../../../device/commands/update/installer.ts';
import { signedText } from '../../../../shared/update-job.ts';
import {
  type FakeInstallerSystem,
  fakeInstallerSystem,
  PowerLoss,
  packageBytes,
  seedInstalled,
} from '../../../fakes/fake-installer-system.ts';

const pair = generateKeyPairSync('ed25519');
const keyId = keyIdOfKey(pair.publicKey);
const keys = new Map([[keyId, pair.publicKey]]);
const roots: string[] = [];

afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

function documentFor(body: Buffer, version: string) {
  const unsigned = {
    version,
    arch: 'arm64' as const,
    size: body.length,
    sha256: createHash('sha256').update(body).digest('hex'),
    allowDowngrade: false,
    keyId,
  };
  const signature = sign(null, Buffer.from(signedText(unsigned)), pair.privateKey).toString('base64');
  return { operation: 'ec2led-update', ...unsigned, signature, url: 'https://example.com/p.deb' };
}

interface Scenario {
  readonly sick: boolean;
  /** A kept.deb of the running version from an earlier update (else the tree is copied). */
  readonly keptDeb: boolean;
  /** The package in the spool is not the one the document signed. */
  readonly tampered?: boolean;
}

function setUp(scenario: Scenario) {
  const root = mkdtempSync(join(tmpdir(), 'ec2led-installer-'));
  roots.push(root);
  const spool = join(root, 'var/lib/ec2led/update');
  const work = join(root, 'var/lib/ec2led-update');
  mkdirSync(spool, { recursive: true });
  mkdirSync(work, { recursive: true });
  seedInstalled(root, '1.0.0');
  if (scenario.keptDeb) {
    writeFileSync(join(work, 'kept.deb'), packageBytes('1.0.0'));
    writeFileSync(join(work, 'kept.json'), JSON.stringify({ version: '1.0.0' }));
  }
  const body = packageBytes('1.1.0', scenario.sick);
  writeFileSync(join(spool, PACKAGE_FILE), scenario.tampered ? packageBytes('6.6.6') : body);
  writeFileSync(
    join(spool, REQUEST_FILE),
    JSON.stringify({ jobId: 'up-1', document: documentFor(body, '1.1.0') }),
  );
  const run = (system: FakeInstallerSystem) =>
    runInstaller({ spool, work, arch: 'arm64', keys, system, readyTimeoutMs: 10_000, pollMs: 1_000 });
  const result = () =>
    existsSync(join(spool, RESULT_FILE))
      ? JSON.parse(readFileSync(join(spool, RESULT_FILE), 'utf8'))
      : undefined;
  return { root, spool, work, run, result };
}

/** The state the update must end in, whatever happened on the way. */
function expectSettled(
  world: ReturnType<typeof setUp>,
  system: FakeInstallerSystem,
  want: 'SUCCEEDED' | 'FAILED',
) {
  const result = world.result();
  expect(result).toMatchObject({ jobId: 'up-1', status: want, version: '1.1.0', fromVersion: '1.0.0' });
  expect(system.agentHealthy()).toBe(true);
  expect(system.treeVersion()).toBe(want === 'SUCCEEDED' ? '1.1.0' : '1.0.0');
  for (const name of [REQUEST_FILE, PACKAGE_FILE]) expect(existsSync(join(world.spool, name))).toBe(false);
  for (const name of ['journal.json', 'new.deb', 'kept-tree'])
    expect(existsSync(join(world.work, name)), name).toBe(false);
  return result;
}

describe('installer', () => {
  it('installs, waits for the agent, keeps the new package for next time and reports SUCCEEDED', async () => {
    const world = setUp({ sick: false, keptDeb: false });
    const system = fakeInstallerSystem(world.root);
    expect(await world.run(system)).toBe('SUCCEEDED');
    const result = expectSettled(world, system, 'SUCCEEDED');
    expect(result.reason).toBe('installed 1.1.0; the agent is ready, connected and synced');
    expect(system.dpkgVersion()).toBe('1.1.0');
    expect(JSON.parse(readFileSync(join(world.work, 'kept.json'), 'utf8'))).toEqual({ version: '1.1.0' });
    expect(readFileSync(join(world.work, 'kept.deb'))).toEqual(packageBytes('1.1.0'));
  });

  it.each([false, true])(
    'rolls back a package whose agent never gets ready (kept .deb: %s) and reports FAILED',
    async (keptDeb) => {
      const world = setUp({ sick: true, keptDeb });
      const system = fakeInstallerSystem(world.root);
      expect(await world.run(system)).toBe('FAILED');
      const result = expectSettled(world, system, 'FAILED');
      expect(result.reason).toBe(
        'the agent was not ready, connected and synced within 10 s (the agent is not connected); reinstalled 1.0.0',
      );
      if (keptDeb) expect(system.dpkgVersion()).toBe('1.0.0');
      expect(system.calls.filter((call) => call === 'systemctl restart')).toHaveLength(2);
    },
  );

  it('checks the package again as root: one changed after the agent checked it is never installed', async () => {
    const world = setUp({ sick: false, keptDeb: true, tampered: true });
    const system = fakeInstallerSystem(world.root);
    expect(await world.run(system)).toBe('FAILED');
    expect(world.result().reason).toContain("installer: the package's SHA-256");
    expect(system.calls).not.toContain('dpkg unpack');
    expect(system.treeVersion()).toBe('1.0.0');
  });

  it('does nothing without a request', async () => {
    const world = setUp({ sick: false, keptDeb: false });
    rmSync(join(world.spool, REQUEST_FILE));
    const system = fakeInstallerSystem(world.root);
    expect(await world.run(system)).toBeUndefined();
    expect(system.calls).not.toContain('dpkg unpack');
  });

  describe.each([
    { sick: false, keptDeb: false, want: 'SUCCEEDED' as const },
    { sick: false, keptDeb: true, want: 'SUCCEEDED' as const },
    { sick: true, keptDeb: false, want: 'FAILED' as const },
    { sick: true, keptDeb: true, want: 'FAILED' as const },
  ])('power cut at every step (sick: $sick, kept .deb: $keptDeb)', ({ sick, keptDeb, want }) => {
    it(`ends ${want} with a working agent, resumed from the journal`, async () => {
      const clean = setUp({ sick, keptDeb });
      const undisturbed = fakeInstallerSystem(clean.root);
      await clean.run(undisturbed);
      const steps = undisturbed.ticks();
      expect(steps).toBeGreaterThan(20);
      for (let cut = 1; cut <= steps; cut += 1) {
        const world = setUp({ sick, keptDeb });
        await expect(world.run(fakeInstallerSystem(world.root, cut)), `cut at ${cut}`).rejects.toBeInstanceOf(
          PowerLoss,
        );
        // Boot: systemd starts the agent from whatever is installed, and the path unit the installer.
        const rebooted = fakeInstallerSystem(world.root);
        const outcome = await world.run(rebooted);
        // A cut after the last write leaves nothing to do; the outcome is in the spool either way.
        expect([want, undefined], `cut at ${cut} (${undisturbed.calls[cut - 1]})`).toContain(outcome);
        expectSettled(world, rebooted, want);
      }
    });
  });
});
