/** The clock check: systemd-timesyncd's marker file read from a temp tree, polled on a fake clock. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CLOCK_POLL_MS, readClockSynced, watchClockSync } from '../../device/agent/clock-sync.ts';
import { createLogger } from '../../device/base/log.ts';
import { TimerClock } from '../fakes/timer-clock.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('readClockSynced', () => {
  it('is true with /run/systemd/timesync/synchronized, false with the directory alone, unknown without timesyncd', async () => {
    const root = mkdtempSync(join(tmpdir(), 'ec2led-timesync-'));
    dirs.push(root);
    const dir = join(root, 'timesync');
    expect(await readClockSynced(dir)).toBeUndefined();
    mkdirSync(dir);
    expect(await readClockSynced(dir)).toBe(false);
    writeFileSync(join(dir, 'synchronized'), '');
    expect(await readClockSynced(dir)).toBe(true);
  });
});

describe('watchClockSync', () => {
  it('reads at once and every CLOCK_POLL_MS, and reports each change once with a log line', async () => {
    const clock = new TimerClock();
    const lines: string[] = [];
    let reading: boolean | undefined = false;
    let changes = 0;
    const watch = watchClockSync({
      changed: () => changes++,
      log: createLogger({ write: (line) => lines.push(JSON.parse(line).msg) }),
      clock,
      read: async () => reading,
    });
    await clock.advance(0);
    expect(watch.synced).toBe(false);
    expect(changes).toBe(1);
    await clock.advance(CLOCK_POLL_MS * 3);
    expect(changes).toBe(1);
    reading = true;
    await clock.advance(CLOCK_POLL_MS);
    expect(watch.synced).toBe(true);
    expect(changes).toBe(2);
    expect(lines).toEqual([
      'clock not synchronized (NTP): AWS requests may fail; check timedatectl',
      'clock synchronized',
    ]);
    watch.stop();
    expect(clock.timers.size).toBe(0);
  });

  it('treats a failing read as unknown, not as a crash', async () => {
    const clock = new TimerClock();
    const watch = watchClockSync({
      changed: () => undefined,
      log: createLogger({ write: () => undefined }),
      clock,
      read: () => Promise.reject(new Error('EACCES')),
    });
    await clock.advance(CLOCK_POLL_MS);
    expect(watch.synced).toBeUndefined();
    watch.stop();
  });
});
