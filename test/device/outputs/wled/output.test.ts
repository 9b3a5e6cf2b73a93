/**
 * The WLED output against a fake WLED on 127.0.0.1 (test/fakes/fake-wled.ts): DDP frames through a
 * loopback UDP receiver that decodes and reassembles them, the JSON API through an HTTP server shaped
 * like WLED's, timers on a fake clock.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../../../device/base/log.ts';
import { type WledDevice, type WledOutput, wledOutput } from '../../../../device/outputs/wled/output.ts';
import type { Frame } from '../../../../device/picture/frame.ts';
import type { Picture } from '../../../../device/picture/picture.ts';
import { type FakeWled, startFakeWled } from '../../../fakes/fake-wled.ts';
import { TimerClock } from '../../../fakes/timer-clock.ts';
import { waitFor } from '../../../fakes/wait.ts';

/** Only the frame and the brightness reach a WLED: the rest of a picture is not read. */
function picture(frame: Frame, brightness?: number): Picture {
  return { frame, brightness } as Picture;
}

/** A 32x16 frame (512 LEDs: two DDP packets), pixel n coloured from n. */
function frameOf(seed: number, width = 32, height = 16): Frame {
  const rgb = Uint8Array.from({ length: width * height * 3 }, (_, i) => (i * 7 + seed) % 256);
  return { width, height, rgb };
}

const lines: { level: string; msg: string }[] = [];
const log = createLogger({
  level: 'debug',
  write: (line) => void lines.push(JSON.parse(line) as { level: string; msg: string }),
});
const logged = (msg: string) => lines.filter((l) => l.msg === msg).length;

const open: { output?: WledOutput; fake?: FakeWled }[] = [];
afterEach(async () => {
  for (const { output, fake } of open.splice(0)) {
    await output?.close();
    await fake?.stop();
  }
  lines.length = 0;
});

async function setUp(protocol: 'ddp' | 'json', leds = 512, extra: Partial<WledDevice> = {}) {
  const fake = await startFakeWled(leds);
  const clock = new TimerClock();
  const device: WledDevice = {
    host: '127.0.0.1',
    protocol,
    port: protocol === 'ddp' ? fake.ddpPort : fake.httpPort,
    httpPort: fake.httpPort,
    mapping: { layout: 'matrix' },
    ...extra,
  };
  // Gamma and brightness 1: the LED bytes equal the logical frame for JSON, LED_GAMMA'd for DDP.
  const output = wledOutput({ device, brightness: 1, log, clock, random: () => 0.5 });
  open.push({ output, fake });
  await output.open();
  await clock.advance(0);
  await waitFor('the first check', () => output.status().link === 'up');
  return { fake, clock, output };
}

describe('wled output over DDP', () => {
  it('sends every frame, reassembled whole by the receiver, and the last one again as a keep-alive', async () => {
    const { fake, clock, output } = await setUp('ddp');
    const first = frameOf(1);
    await output.show(picture(first, 1));
    await waitFor('frame 1', () => fake.frames.length === 1);
    expect(fake.frames[0]).toHaveLength(512 * 3);
    const second = frameOf(2);
    await output.show(picture(second, 1));
    await waitFor('frame 2', () => fake.frames.length === 2);
    expect(fake.frames[1]).not.toEqual(fake.frames[0]);

    await clock.advance(999);
    await clock.advance(1); // 1 s without a frame: the keep-alive
    await waitFor('the keep-alive', () => fake.frames.length === 3);
    expect(fake.frames[2]).toEqual(fake.frames[1]);
    await clock.advance(1_000);
    await waitFor('another keep-alive', () => fake.frames.length === 4);
    expect(output.status()).toMatchObject({ link: 'up', leds: 512, frames: 4, protocol: 'ddp' });
  });

  it('sends to the address a host name resolves to', async () => {
    const { fake, output } = await setUp('ddp', 512, { host: 'localhost' });
    await output.show(picture(frameOf(1), 1));
    await waitFor('frame', () => fake.frames.length === 1);
    expect(output.status().host).toBe('localhost');
  });

  it('applies the picture brightness (night mode) capped at maxBrightness, with gamma', async () => {
    const { fake, output } = await setUp('ddp', 512, { maxBrightness: 0.5 });
    const white: Frame = { width: 32, height: 16, rgb: new Uint8Array(512 * 3).fill(255) };
    await output.show(picture(white, 1));
    await waitFor('capped frame', () => fake.frames.length === 1);
    // 255 at level 128 is 128, through LED_GAMMA floor(255 * (128/255)^(1/0.45)) = 55.
    expect(fake.frames[0]?.[0]).toBe(55);
    await output.show(picture(white, 0));
    await waitFor('night frame', () => fake.frames.length === 2);
    expect(fake.frames[1]?.every((b) => b === 0)).toBe(true);
  });

  it('hands WLED back on close: live off, with the state read at start', async () => {
    const { fake, output } = await setUp('ddp');
    await output.show(picture(frameOf(1), 1));
    await waitFor('frame', () => fake.frames.length === 1);
    expect(fake.state.live).toBe(true);
    await output.close();
    expect(JSON.parse(fake.posts.at(-1) as string)).toEqual({
      live: false,
      on: false,
      bri: 77,
      seg: [{ id: 0, frz: false }],
    });
    expect(fake.state.live).toBe(false);
    expect(logged('wled handed back')).toBe(1);
  });

  it('logs an outage once, sends nothing while WLED is away, and sends the current frame when it is back', async () => {
    const { fake, clock, output } = await setUp('ddp');
    const current = frameOf(3);
    await output.show(picture(current, 1));
    await waitFor('frame', () => fake.frames.length === 1);
    const sent = fake.frames[0];

    await fake.stop();
    await clock.advance(10_000); // the next check fails
    await waitFor('the outage', () => output.status().link === 'down');
    for (let failures = 2; failures <= 5; failures++) {
      await clock.advance(30_000); // the backoff never exceeds 30 s
      await waitFor(`failed check ${failures}`, () => output.status().failures === failures);
    }
    expect(logged('wled unreachable')).toBe(1);
    expect(output.status()).toMatchObject({ link: 'down', outages: 1 });
    expect(output.status().reason).toContain('ECONNREFUSED');

    const newer = frameOf(4);
    await output.show(picture(newer, 1)); // shown while WLED is away: kept, not sent
    await fake.restart(); // back, with its LEDs forgotten
    expect(fake.frames).toHaveLength(1);
    await clock.advance(30_000);
    await waitFor('reachable again', () => output.status().link === 'up');
    await waitFor('the current frame', () => fake.frames.length === 2);
    expect(fake.frames[1]).not.toEqual(sent);
    expect(fake.frames[1]).toHaveLength(512 * 3);
    await output.show(picture(newer, 1));
    await waitFor('the same frame shown again', () => fake.frames.length === 3);
    expect(fake.frames[2]).toEqual(fake.frames[1]);
    expect(logged('wled unreachable')).toBe(1);
    expect(logged('wled reachable')).toBe(1);
  });

  it('never holds up show or open when WLED accepts and never answers', async () => {
    const fake = await startFakeWled(16, { hang: true });
    const clock = new TimerClock();
    const output = wledOutput({
      device: { host: '127.0.0.1', protocol: 'json', port: fake.httpPort, mapping: { layout: 'strip' } },
      brightness: 1,
      log,
      clock,
      httpTimeoutMs: 200,
    });
    open.push({ output, fake });
    const started = Date.now();
    await output.open();
    await clock.advance(0);
    await output.show(picture(frameOf(1, 4, 4), 1));
    expect(Date.now() - started).toBeLessThan(100);
    await waitFor('the timeout', () => output.status().link === 'down');
    expect(output.status().reason).toContain('no answer within 200 ms');
  });
});

describe('wled output over the JSON API', () => {
  it('paints WLED with seg.i, then only what changed', async () => {
    const { fake, output } = await setUp('json', 64);
    const frame = frameOf(5, 8, 8);
    await output.show(picture(frame, 1));
    await waitFor(
      'the LEDs',
      () => fake.posts.length >= 1 && Buffer.from(fake.leds).equals(Buffer.from(frame.rgb)),
    );
    expect(fake.state.seg[0]?.frz).toBe(true);
    const posts = fake.posts.length;

    const next = { ...frame, rgb: Uint8Array.from(frame.rgb) };
    next.rgb.set([1, 2, 3], 9 * 3);
    await output.show(picture(next, 1));
    await waitFor('the change', () => fake.posts.length === posts + 1);
    expect(JSON.parse(fake.posts.at(-1) as string).seg.i).toEqual([9, '010203']);
    expect(Buffer.from(fake.leds)).toEqual(Buffer.from(next.rgb));
  });

  it('sends the whole frame again to a WLED that restarted between two checks', async () => {
    const { fake, clock, output } = await setUp('json', 64);
    const frame = frameOf(6, 8, 8);
    await output.show(picture(frame, 1));
    await waitFor('the LEDs', () => Buffer.from(fake.leds).equals(Buffer.from(frame.rgb)));
    await fake.restart();
    expect(fake.leds.every((b) => b === 0)).toBe(true);
    await clock.advance(10_000);
    await waitFor('the frame again', () => Buffer.from(fake.leds).equals(Buffer.from(frame.rgb)));
    expect(logged('wled restarted')).toBe(1);
    await output.close();
    expect(JSON.parse(fake.posts.at(-1) as string)).toMatchObject({
      live: false,
      seg: [{ id: 0, frz: false }],
    });
  });

  it('warns once when the mapping drives more LEDs than WLED has', async () => {
    const { clock, output } = await setUp('json', 10);
    await output.show(picture(frameOf(1, 4, 4), 1));
    expect(output.status().leds).toBe(16);
    // The count is compared at each check once the mapping is known: the next one, and only once.
    await clock.advance(10_000);
    await waitFor('the warning', () => logged('wled has fewer LEDs than the mapping drives') === 1);
    await clock.advance(10_000);
    await waitFor('a third check', () => output.status().frames >= 1 && clock.timers.size === 1);
    expect(logged('wled has fewer LEDs than the mapping drives')).toBe(1);
  });
});
