/**
 * `ec2led status` with no config: it finds the service's socket by itself, and anyone in the socket's
 * group may read it (a real child process under another uid and gid; the suite runs as root).
 */
import { execFile } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../../device/base/log.ts';
import { statusMain } from '../../../../device/commands/cli/status.ts';
import { startPipeline } from '../../../../device/demo/pipeline.ts';
import { type BoardSocket, serveBoard } from '../../../../device/outputs/web/status-socket.ts';
import type { Legend } from '../../../../device/picture/legend.ts';
import { ROOT } from '../../../../scripts/lambda-bundle.ts';
import { waitForAsync } from '../../../fakes/wait.ts';

const VIEW: Legend = {
  width: 2,
  height: 1,
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
        id: 'i-0000000000000000a',
        name: 'web-1',
        state: 'running',
        region: 'eu-west-1',
        account: '123456789012',
        sinceMs: 0,
      },
    },
  ],
};
const GROUP = 4243;

let parent: string;
let stateDir: string;
let socket: BoardSocket;

beforeAll(async () => {
  parent = mkdtempSync(join(tmpdir(), 'ec2led-status-'));
  chmodSync(parent, 0o755);
  stateDir = join(parent, 'state');
  const { mkdirSync } = await import('node:fs');
  mkdirSync(stateDir);
  socket = await serveBoard(join(stateDir, 'agent.sock'), VIEW);
  // As systemd leaves it: StateDirectoryMode=0750, the agent's socket 0660, both of the service group.
  chownSync(stateDir, 0, GROUP);
  chmodSync(stateDir, 0o750);
  chownSync(socket.path, 0, GROUP);
});

afterAll(async () => {
  await socket.close();
  rmSync(parent, { recursive: true, force: true });
});

async function status(env: Record<string, string>) {
  let out = '';
  let err = '';
  const code = await statusMain([], {
    stdout: (t) => (out += t),
    stderr: (t) => (err += t),
    env,
    isTty: false,
    canReadDefaultConfig: () => false,
  });
  return { code, out, err };
}

function statusAs(uid: number, gid: number): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(ROOT, 'bin/ec2led.js'), 'status'],
      {
        uid,
        gid,
        env: { PATH: process.env.PATH, EC2LED_STATE_DIR: stateDir },
        encoding: 'utf8',
        timeout: 60_000,
      },
      (error, out, err) => resolve({ code: error === null ? 0 : Number(error.code), out, err }),
    );
  });
}

describe('ec2led status without a config', () => {
  it("shows the legend from $EC2LED_STATE_DIR's socket", async () => {
    const run = await status({ EC2LED_STATE_DIR: stateDir });
    expect(run.err).toBe('');
    expect(run.out).toContain('connected · synced');
    expect(run.out).toContain('web-1');
  });

  it("looks for the service's socket in /var/lib/ec2led by default", async () => {
    const run = await status({});
    expect(run.code).toBe(1);
    expect(run.err).toContain('cannot reach the agent on /var/lib/ec2led/agent.sock');
  });

  it("works for a member of the service's group, and names the fix for anyone else", async () => {
    const member = await statusAs(4242, GROUP);
    expect(member.err).toBe('');
    expect(member.out).toContain('web-1');
    const stranger = await statusAs(4242, 4244);
    expect(stranger.code).toBe(1);
    expect(stranger.err).toContain('(EACCES); run it with sudo, or add yourself to the ec2led group');
  }, 60_000);
});

describe('ec2led status against the demo', () => {
  it('prints the demo legend with the command the demo prints', async () => {
    const pipeline = await startPipeline({
      instances: [
        {
          instanceId: 'i-0000000000000000b',
          region: 'eu-west-1',
          account: '123456789012',
          name: 'demo-web',
          initial: 'running',
          tags: { Name: 'demo-web' },
        },
      ],
      accounts: ['123456789012'],
      regions: ['eu-west-1'],
      board: 'none',
      width: 4,
      height: 4,
      log: silentLogger,
    });
    try {
      const match = /^EC2LED_STATE_DIR=(\S+) npx ec2led status$/.exec(pipeline.statusCommand);
      expect(match).not.toBeNull();
      const run = await waitForAsync('the demo synced', async () => {
        const result = await status({ EC2LED_STATE_DIR: match?.[1] as string });
        return result.out.includes('demo-web') ? result : undefined;
      });
      expect(run.out).toContain('connected · synced');
    } finally {
      await pipeline.stop();
    }
  });
});
