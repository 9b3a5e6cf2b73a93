/**
 * A fake world for the root installer (device/commands/update/installer.ts): real files under a temp folder,
 * with dpkg, the installed tree, systemd and the agent played in memory and on disk. A "package" here
 * is a JSON file `{ "version": "1.1.0", "sick": true }`; a sick package's agent never gets ready.
 *
 * Power loss: every primitive step (a file written, a directory removed, half of a dpkg run) first
 * calls `tick()`; with `cutAt` set, the tick of that number throws `PowerLoss` and the system is
 * dead: every later call throws too. `reboot()` gives a fresh system on the same disk, whose agent
 * runs whatever tree is installed (as systemd would start it at boot).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { cp } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { InstallerSystem } from '../../device/commands/update/installer.ts';

export class PowerLoss extends Error {}

export interface FakeInstallerSystem extends InstallerSystem {
  /** Ticks so far. */
  readonly ticks: () => number;
  /** The version the installed tree holds, undefined while half-installed or missing. */
  treeVersion(): string | undefined;
  /** What dpkg's database says. */
  dpkgVersion(): string | undefined;
  /** Whether the agent now running is ready, connected and synced. */
  agentHealthy(): boolean;
  readonly calls: string[];
}

export function packageBytes(version: string, sick = false): Buffer {
  return Buffer.from(JSON.stringify({ version, sick }));
}

export function fakeInstallerSystem(root: string, cutAt?: number): FakeInstallerSystem {
  const tree = join(root, 'usr/lib/ec2-led');
  const dpkgDb = join(root, 'var/lib/dpkg/ec2-led.json');
  let ticks = 0;
  let dead = false;
  let now = 1_000_000;
  const calls: string[] = [];
  const tick = (what: string): void => {
    if (dead) throw new PowerLoss(`power is off (${what})`);
    ticks += 1;
    calls.push(what);
    if (cutAt !== undefined && ticks === cutAt) {
      dead = true;
      throw new PowerLoss(`power lost at tick ${ticks} (${what})`);
    }
  };
  const readJsonSync = (path: string): Record<string, unknown> | undefined => {
    try {
      return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    } catch {
      return undefined;
    }
  };
  const treeInfo = () =>
    readJsonSync(join(tree, 'package.json')) as { version: string; sick: boolean } | undefined;
  /** The agent systemd runs: started from the tree at boot or on restart. */
  let agent = treeInfo();

  return {
    ticks: () => ticks,
    calls,
    treeVersion: () => treeInfo()?.version,
    dpkgVersion: () => {
      const db = readJsonSync(dpkgDb);
      return db?.status === 'installed' ? String(db.version) : undefined;
    },
    agentHealthy: () => agent !== undefined && !agent.sick,
    async readJson(path) {
      tick(`read ${path.slice(root.length)}`);
      return readJsonSync(path);
    },
    async writeJson(path, value) {
      tick(`write ${path.slice(root.length)}`);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(`${path}.tmp`, JSON.stringify(value));
      renameSync(`${path}.tmp`, path);
    },
    async writeResult(path, value) {
      tick(`result ${value.status}`);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(`${path}.tmp`, JSON.stringify(value));
      renameSync(`${path}.tmp`, path);
    },
    async exists(path) {
      tick(`exists ${path.slice(root.length)}`);
      return existsSync(path);
    },
    async copyFile(from, to) {
      tick(`copy ${from.slice(root.length)}`);
      mkdirSync(dirname(to), { recursive: true });
      writeFileSync(to, readFileSync(from));
    },
    async rename(from, to) {
      tick(`rename ${from.slice(root.length)}`);
      renameSync(from, to);
    },
    async remove(path) {
      tick(`remove ${path.slice(root.length)}`);
      rmSync(path, { recursive: true, force: true });
    },
    async hashFile(path) {
      tick(`hash ${path.slice(root.length)}`);
      const bytes = readFileSync(path);
      return { size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
    },
    async installedVersion() {
      tick('dpkg-query');
      const db = readJsonSync(dpkgDb);
      return db?.status === 'installed' ? String(db.version) : undefined;
    },
    async installPackage(file) {
      tick('dpkg unpack');
      const info = JSON.parse(readFileSync(file, 'utf8')) as { version: string };
      mkdirSync(dirname(dpkgDb), { recursive: true });
      writeFileSync(dpkgDb, JSON.stringify({ status: 'half-installed', version: info.version }));
      rmSync(tree, { recursive: true, force: true });
      tick('dpkg files');
      mkdirSync(tree, { recursive: true });
      writeFileSync(join(tree, 'package.json'), readFileSync(file));
      tick('dpkg configure');
      writeFileSync(dpkgDb, JSON.stringify({ status: 'installed', version: info.version }));
    },
    async saveTree(to) {
      tick('save tree');
      rmSync(`${to}.tmp`, { recursive: true, force: true });
      await cp(tree, `${to}.tmp`, { recursive: true });
      tick('save tree rename');
      renameSync(`${to}.tmp`, to);
    },
    async restoreTree(from) {
      tick('restore tree copy');
      rmSync(`${tree}.restore`, { recursive: true, force: true });
      await cp(from, `${tree}.restore`, { recursive: true });
      tick('restore tree remove');
      rmSync(tree, { recursive: true, force: true });
      tick('restore tree rename');
      renameSync(`${tree}.restore`, tree);
    },
    async restartAgent() {
      tick('systemctl restart');
      agent = treeInfo();
    },
    async agentProblem() {
      tick('status');
      if (agent === undefined) return 'the agent is not active';
      return agent.sick ? 'the agent is not connected' : undefined;
    },
    async sleep(ms) {
      tick('sleep');
      now += ms;
    },
    now: () => now,
    log: () => undefined,
  };
}

/** Installs `version` as the starting point: dpkg's database and the tree. */
export function seedInstalled(root: string, version: string): void {
  const tree = join(root, 'usr/lib/ec2-led');
  mkdirSync(tree, { recursive: true });
  writeFileSync(join(tree, 'package.json'), packageBytes(version));
  mkdirSync(join(root, 'var/lib/dpkg'), { recursive: true });
  writeFileSync(join(root, 'var/lib/dpkg/ec2-led.json'), JSON.stringify({ status: 'installed', version }));
}
