/**
 * The systemd watchdog against a real AF_UNIX datagram socket standing in for systemd's, on a fake
 * clock: READY=1 when the first listing settled (or after READY_WAIT_MS), WATCHDOG=1 every half of
 * WATCHDOG_USEC only while healthy, STOPPING=1 on stop, nothing at all without NOTIFY_SOCKET.
 * What was sent is also recorded as it is sent (`sent`), so "nothing more was sent" is checked
 * right after the fake clock's advance, not by waiting for datagrams that might still be on their way.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { openNotifier } from '../../../../device/agent/watchdog/notify.ts';
import {
  openWatchdog,
  pingIntervalMs,
  READY_WAIT_MS,
  type Watchdog,
} from '../../../../device/agent/watchdog/watchdog.ts';
import { createLogger } from '../../../../device/base/log.ts';
import { type FakeNotifySocket, startFakeNotifySocket } from '../../../fakes/notify-socket.ts';
import { TimerClock } from '../../../fakes/timer-clock.ts';

const open: (Watchdog | FakeNotifySocket)[] = [];
afterEach(() => {
  for (const item of open.splice(0)) 'stop' in item ? item.stop() : item.close();
});

function setUp(env: Record<string, string> = {}) {
  const socket = startFakeNotifySocket();
  open.push(socket);
  const clock = new TimerClock();
  const lines: string[] = [];
  const log = createLogger({ level: 'debug', write: (line) => lines.push(line) });
  const world = { settled: false, health: undefined as string | undefined };
  const checks = { settled: () => world.settled, health: () => world.health };
  const sent: string[] = [];
  const start = async () => {
    const watchdog = await openWatchdog({
      env: { NOTIFY_SOCKET: socket.path, WATCHDOG_USEC: '60000000', ...env },
      log,
      clock,
      open: async (path, onError) => {
        const notifier = await openNotifier(path, onError);
        return {
          send: (message) => {
            sent.push(message);
            notifier.send(message);
          },
          close: () => notifier.close(),
        };
      },
    });
    open.push(watchdog);
    watchdog.start(checks);
    return watchdog;
  };
  return { socket, clock, lines, world, start, sent };
}

describe('systemd watchdog', () => {
  it('says READY=1 once the first listing settled, pings every 30 s of a 60 s WatchdogSec, and STOPPING=1 on stop', async () => {
    const { socket, clock, world, start, sent } = setUp();
    const watchdog = await start();
    expect(watchdog.active).toBe(true);
    await clock.advance(5_000);
    expect(sent).toEqual([]); // not ready: no listing has settled yet
    world.settled = true;
    await clock.advance(250);
    expect(await socket.received(2)).toEqual(['READY=1', 'WATCHDOG=1']);
    await clock.advance(29_000);
    expect(sent).toHaveLength(2);
    await clock.advance(1_000);
    expect(await socket.received(3)).toEqual(['READY=1', 'WATCHDOG=1', 'WATCHDOG=1']);
    watchdog.stop();
    expect(await socket.received(4)).toEqual(['READY=1', 'WATCHDOG=1', 'WATCHDOG=1', 'STOPPING=1']);
    await clock.advance(120_000);
    expect(sent).toHaveLength(4);
    expect(socket.messages).toEqual(sent);
    watchdog.stop();
    expect(clock.timers.size).toBe(0);
  });

  it('says READY=1 after READY_WAIT_MS without any listing: a Pi booting offline still starts', async () => {
    const { socket, clock, lines, start, sent } = setUp();
    await start();
    await clock.advance(READY_WAIT_MS - 250);
    expect(sent).toEqual([]);
    await clock.advance(250);
    expect(await socket.received(2)).toEqual(['READY=1', 'WATCHDOG=1']);
    expect(lines.join('')).toContain('first listing not settled yet');
  });

  it('stops pinging while unhealthy, says why once, and pings again once healthy', async () => {
    const { socket, clock, lines, world, start, sent } = setUp();
    world.settled = true;
    await start();
    await socket.received(2);
    world.health = 'a frame has waited 25 s to be drawn';
    await clock.advance(90_000); // three ping times
    expect(sent).toEqual(['READY=1', 'WATCHDOG=1']);
    const unhealthy = lines.filter((line) => line.includes('watchdog: unhealthy'));
    expect(unhealthy).toHaveLength(1);
    expect(unhealthy[0]).toContain('a frame has waited 25 s to be drawn');
    world.health = undefined;
    await clock.advance(30_000);
    expect(await socket.received(3)).toEqual(['READY=1', 'WATCHDOG=1', 'WATCHDOG=1']);
    expect(lines.join('')).toContain('watchdog: healthy again');
  });

  it('sends READY=1 but no pings when WATCHDOG_USEC is unset or WATCHDOG_PID names another process', async () => {
    const envs: Record<string, string>[] = [{ WATCHDOG_USEC: '' }, { WATCHDOG_PID: String(process.pid + 1) }];
    for (const env of envs) {
      const { socket, clock, world, start, sent } = setUp(env);
      world.settled = true;
      const watchdog = await start();
      expect(await socket.received(1)).toEqual(['READY=1']);
      await clock.advance(300_000);
      expect(sent).toEqual(['READY=1']);
      watchdog.stop();
      expect(await socket.received(2)).toEqual(['READY=1', 'STOPPING=1']);
    }
  });

  it('opens nothing and sends nothing without NOTIFY_SOCKET', async () => {
    const clock = new TimerClock();
    const watchdog = await openWatchdog({
      env: { WATCHDOG_USEC: '60000000' },
      log: createLogger({ write: () => undefined }),
      clock,
      open: () => Promise.reject(new Error('must not open a socket')),
    });
    expect(watchdog.active).toBe(false);
    watchdog.start({ settled: () => true, health: () => undefined });
    await clock.advance(120_000);
    expect(clock.timers.size).toBe(0);
    watchdog.stop();
  });

  it('refuses an abstract socket, naming the fix', async () => {
    await expect(
      openWatchdog({
        env: { NOTIFY_SOCKET: '@/org/freedesktop/systemd1/notify' },
        log: createLogger({ write: () => undefined }),
        clock: new TimerClock(),
      }),
    ).rejects.toThrow(/not a socket path; the watchdog needs a path like \/run\/systemd\/notify/);
  });

  it('logs a failed send once instead of throwing (systemd gone: nobody reads the socket)', async () => {
    const { socket, clock, lines, world, start } = setUp();
    world.settled = true;
    await start();
    await socket.received(2);
    socket.close();
    await clock.advance(60_000);
    const failed = lines.filter((line) => line.includes('watchdog: notify failed'));
    expect(failed).toHaveLength(1);
  });
});

describe('pingIntervalMs', () => {
  it('is half of WATCHDOG_USEC, and undefined when unset, zero, malformed or for another process', () => {
    expect(pingIntervalMs({ WATCHDOG_USEC: '60000000' }, 7)).toBe(30_000);
    expect(pingIntervalMs({ WATCHDOG_USEC: '60000000', WATCHDOG_PID: '7' }, 7)).toBe(30_000);
    expect(pingIntervalMs({ WATCHDOG_USEC: '60000000', WATCHDOG_PID: '8' }, 7)).toBeUndefined();
    expect(pingIntervalMs({}, 7)).toBeUndefined();
    expect(pingIntervalMs({ WATCHDOG_USEC: '0' }, 7)).toBeUndefined();
    expect(pingIntervalMs({ WATCHDOG_USEC: '60s' }, 7)).toBeUndefined();
  });
});
