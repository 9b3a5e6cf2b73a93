/**
 * Acknowledgements and snoozes kept: the stage reconciles them each picture, the attention file
 * follows every change (atomically, read back bounded), an expired snooze is dropped and logged once
 * on a fake clock, and a corrupt or hostile file is refused with a reason, never a crash.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ATTENTION_FILE_NAME, attentionOutput, loadAttention } from '../../device/agent/attention-store.ts';
import { createStage } from '../../device/agent/stage.ts';
import { createLogger } from '../../device/base/log.ts';
import type { Item } from '../../device/fleet/item.ts';
import { initialSyncState, type SyncState } from '../../device/fleet/sync.ts';
import { NO_ATTENTION, snooze } from '../../device/picture/attention.ts';

const HOUR = 3_600_000;
const T0 = 1_800_000_000_000;
const probe: Item = {
  kind: 'probe',
  id: 'probe:www',
  state: 'down',
  timeMs: 0,
  sinceMs: 0,
  region: 'desk',
  account: 'desk',
  name: 'www',
  tags: {},
};
const state: SyncState = {
  ...initialSyncState(),
  connected: true,
  synced: true,
  listedAtMs: 0,
  fleet: new Map([[probe.id, probe]]),
};

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function stateDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ec2led-attention-'));
  dirs.push(dir);
  return dir;
}

describe('the attention file', () => {
  it('follows a snooze, drops it when it expires (fake clock), logs that once, and reads back', async () => {
    const dir = stateDir();
    const lines: string[] = [];
    const log = createLogger({ write: (line) => lines.push(line) });
    const file = attentionOutput(dir, NO_ATTENTION, log);
    const stage = createStage({
      settings: { width: 2, height: 1 },
      slots: new Map([[probe.id, { x: 0, y: 0 }]]),
      outputs: [file],
      log,
    });
    const result = snooze(NO_ATTENTION, state.fleet, { id: 'probe:www' }, HOUR, 'cli', T0);
    if (!result.ok) throw new Error(result.reason);
    stage.setAttention(result.attention);
    const wake = await stage.draw(state, T0 + 1);
    expect(wake).toBe(HOUR - 1); // the picture wakes when the snooze ends: no timer before that
    await file.close();
    expect((await loadAttention(dir, T0 + 2)).attention.items.get('probe:www')?.untilMs).toBe(T0 + HOUR);

    await stage.draw(state, T0 + HOUR);
    await stage.draw(state, T0 + HOUR + 1);
    await file.close();
    expect(stage.attention().items.size).toBe(0);
    const ended = lines.map((line) => JSON.parse(line)).filter((line) => line.msg === 'snooze ended');
    expect(ended.map((line) => line.context)).toEqual([{ id: 'probe:www', reason: 'expired' }]);
    expect(JSON.parse(readFileSync(join(dir, ATTENTION_FILE_NAME), 'utf8')).snoozes).toEqual([]);
  });

  it('starts with none, and a reason naming the path and the fix, from a corrupt or odd file', async () => {
    const dir = stateDir();
    expect(await loadAttention(dir)).toEqual({ attention: NO_ATTENTION, reason: undefined });
    writeFileSync(join(dir, ATTENTION_FILE_NAME), '{"version":1,');
    const corrupt = await loadAttention(dir);
    expect(corrupt.attention).toBe(NO_ATTENTION);
    expect(corrupt.reason).toMatch(/attention\.json: attention file is not JSON/);
    writeFileSync(join(dir, ATTENTION_FILE_NAME), 'x'.repeat(1_048_577));
    expect((await loadAttention(dir)).reason).toMatch(/over the 1048576 such a file can be.*remove it/);
  });
});
