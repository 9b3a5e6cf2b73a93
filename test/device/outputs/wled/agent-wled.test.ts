/**
 * The agent end to end with a WLED output (config `wled`): the real agent on 127.0.0.1 (mosquitto
 * with mutual TLS, FakeEc2, the `none` board of 4x4) mirrors its picture over DDP to a fake WLED,
 * shows the device in `/metrics` and on the status socket, and hands it back when it stops.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Agent, startAgent } from '../../../../device/agent/agent.ts';
import { createLogger } from '../../../../device/base/log.ts';
import { fetchBoard, serveBoard, socketPath } from '../../../../device/outputs/web/status-socket.ts';
import { wledStatusLines } from '../../../../device/outputs/wled/status.ts';
import { type FakeWled, startFakeWled } from '../../../fakes/fake-wled.ts';
import { waitFor } from '../../../fakes/wait.ts';
import { instance, startWorld, type World } from '../../../fakes/world.ts';

let world: World;
let fake: FakeWled;
let agent: Agent | undefined;

beforeAll(async () => {
  fake = await startFakeWled(64);
  world = await startWorld([instance(1, 'running', 'web'), instance(2, 'stopped', 'db')], {
    wled: [
      {
        host: '127.0.0.1',
        port: fake.ddpPort,
        httpPort: fake.httpPort,
        mapping: { layout: 'serpentine', scale: 2 },
      },
    ],
  });
});

afterAll(async () => {
  await agent?.stop();
  await fake?.stop();
  await world?.close();
});

describe('agent with a WLED output', () => {
  it('mirrors the board to WLED, reports it, and hands WLED back on stop', async () => {
    const log = createLogger({ level: 'warn', write: () => undefined });
    const a = await startAgent({ config: world.config, log });
    agent = a;
    await waitFor('synced', () => a.legend().synced, 8_000);
    // 4x4 board at scale 2, serpentine: 64 LEDs. Running is blue, stopped red (palette.ts): each
    // instance's pixel is a 2x2 block, LEDs 0-1 and 14-15 (row 1 runs back) for pixel (0,0).
    const led = (n: number) => [...(fake.frames.at(-1)?.subarray(n * 3, n * 3 + 3) ?? [])];
    const lit = (n: number) => led(n).some((c) => c > 0);
    await waitFor('both instances lit', () => [0, 1, 14, 15, 2, 3, 12, 13].every(lit), 8_000);
    expect(led(0)).toEqual(led(15));
    expect(led(2)).toEqual(led(13));
    expect(led(0)).not.toEqual(led(2));
    expect(fake.frames.at(-1)).toHaveLength(64 * 3);

    expect(a.wled()).toMatchObject([{ host: '127.0.0.1', protocol: 'ddp', link: 'up', leds: 64 }]);
    expect(a.metrics()).toContain('ec2led_wled_up{host="127.0.0.1",protocol="ddp"} 1');
    expect(a.metrics()).toMatch(/ec2led_wled_frames_sent_total\{host="127.0.0.1",protocol="ddp"\} [1-9]/);

    const socket = await serveBoard(socketPath(world.stateDir), a.legend(), () => ({ wled: a.wled() }));
    try {
      const view = await fetchBoard(socket.path);
      const lines = wledStatusLines((view as { wled?: unknown }).wled, Date.now());
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^wled 127\.0\.0\.1:\d+ \(ddp, 64 LEDs\): mirroring, \d+ frames sent$/);
    } finally {
      await socket.close();
    }

    await a.stop();
    expect(JSON.parse(fake.posts.at(-1) as string)).toMatchObject({ live: false });
    expect(fake.state.live).toBe(false);
  });
});
