/** `ec2led status` says the running version and the last update's outcome, from the agent's socket. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { statusMain } from '../../../../device/commands/cli/status.ts';
import { serveBoard } from '../../../../device/outputs/web/status-socket.ts';

const dir = mkdtempSync(join(tmpdir(), 'ec2led-status-update-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('ec2led status', () => {
  it('prints the version line under the status line, and the update in --json', async () => {
    const socket = await serveBoard(join(dir, 'agent.sock'), {
      width: 1,
      height: 1,
      connected: true,
      synced: true,
      overflow: 0,
      pixels: [],
      update: {
        version: '1.1.0',
        phase: 'idle',
        last: { jobId: 'up-1', status: 'SUCCEEDED', version: '1.1.0', reason: 'installed', atMs: 0 },
      },
    });
    try {
      for (const json of [false, true]) {
        let out = '';
        const code = await statusMain(json ? ['--json'] : [], {
          stdout: (t) => (out += t),
          stderr: () => undefined,
          env: { EC2LED_STATE_DIR: dir },
          isTty: false,
          canReadDefaultConfig: () => false,
        });
        expect(code).toBe(0);
        if (json)
          expect(JSON.parse(out).update).toMatchObject({ version: '1.1.0', last: { status: 'SUCCEEDED' } });
        else
          expect(out.split('\n').slice(0, 2)).toEqual([
            'ec2-led · connected · synced',
            'version 1.1.0, last update 1.1.0 SUCCEEDED',
          ]);
      }
    } finally {
      await socket.close();
    }
  });
});
