/**
 * The settings shadow end to end on 127.0.0.1: the agent on a real mosquitto (mutual TLS), a fake
 * Device Shadow service on the same broker answering `get` and publishing deltas as AWS does
 * (fakes/fake-shadow-service.ts), FakeEc2, the `none` board. Every wait is bounded.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Agent, startAgent } from '../../device/agent/agent.ts';
import { createLogger } from '../../device/base/log.ts';
import { SHADOW_STATE_LIMIT_BYTES, stateBytes } from '../../device/config/remote-settings.ts';
import type { Output } from '../../device/outputs/outputs.ts';
import type { Legend } from '../../device/picture/legend.ts';
import { type FakeShadowService, startFakeShadowService } from '../fakes/fake-shadow-service.ts';
import { waitFor } from '../fakes/wait.ts';
import { instance, REGION, startWorld, type World } from '../fakes/world.ts';

const WEB = instance(1, 'running', 'web');
const DB = instance(2, 'stopped', 'db');

let world: World;
let shadow: FakeShadowService;
let agent: Agent | undefined;
const logLines: string[] = [];

/** An output that lights nothing but remembers the brightness it was given, in order. */
function brightnessOutput(): Output & { readonly levels: number[] } {
  const levels: number[] = [];
  return {
    name: 'brightness probe',
    levels,
    open: async () => undefined,
    show: async () => undefined,
    close: async () => undefined,
    setBrightness: async (brightness) => void levels.push(brightness),
  };
}

function pixelOf(view: Legend, name: string) {
  return view.pixels.find((pixel) => pixel.entry?.name === name);
}

const reported = () => shadow.document()?.reported ?? {};

async function start(): Promise<{ agent: Agent; probe: ReturnType<typeof brightnessOutput> }> {
  const log = createLogger({ level: 'debug', write: (line) => logLines.push(line) });
  const started = await startAgent({
    config: world.config,
    log,
    shadowTiming: { getTimeoutMs: 500, retry: { minMs: 100, maxMs: 1_000 } },
  });
  agent = started;
  const probe = brightnessOutput();
  await started.attach(probe);
  await waitFor('synced', () => started.legend().synced, 8_000);
  // The first report: the effective settings, which creates the shadow.
  await waitFor('first report', () => reported().resyncMinutes === 15, 5_000);
  return { agent: started, probe };
}

beforeAll(async () => {
  world = await startWorld([WEB, DB]);
});

beforeEach(async () => {
  shadow = await startFakeShadowService(world.broker.port, world.pki, world.pki.thingName);
});

afterEach(async () => {
  await agent?.stop();
  agent = undefined;
  await shadow.close();
  logLines.length = 0;
});

afterAll(async () => {
  await world?.close();
});

describe('agent: settings from the shadow', () => {
  it('creates the shadow with the effective settings when none exists', async () => {
    await start();
    expect(shadow.answers[0]).toMatchObject({ operation: 'get/rejected', body: { code: 404 } });
    expect(reported()).toEqual({ display: { brightness: 0.5 }, resyncMinutes: 15 });
  });

  it('applies an accepted delta live (brightness, colours, pins) and reports it', async () => {
    const { agent: a, probe } = await start();
    await shadow.setDesired({
      display: { brightness: 0.2 },
      colors: { running: '#0000ff' },
      pins: { web: '3,3' },
    });
    await waitFor('pinned web', () => {
      const web = pixelOf(a.legend(), 'web');
      return web?.x === 3 && web.y === 3 && web.color === '#0000ff';
    });
    await waitFor(
      'reported',
      () => reported().pins !== undefined && Object.keys(reported().pins as object).length > 0,
    );
    expect(probe.levels).toEqual([0.2]);
    expect(reported()).toEqual({
      display: { brightness: 0.2 },
      colors: { running: '#0000ff' },
      pins: { web: '3,3' },
      resyncMinutes: 15,
    });
    // Reported now matches desired: no delta is left.
    expect(shadow.document()?.desired).toEqual({
      display: { brightness: 0.2 },
      colors: { running: '#0000ff' },
      pins: { web: '3,3' },
    });
  });

  it('refuses a bad value: nothing changes, the reason is reported', async () => {
    const { agent: a, probe } = await start();
    const before = pixelOf(a.legend(), 'web');
    await shadow.setDesired({ display: { brightness: 7 }, pins: { web: '9,9' }, mqtt: { endpoint: 'x' } });
    await waitFor('errors reported', () => reported().errors !== undefined);
    const errors = reported().errors as Record<string, string>;
    expect(Object.keys(errors).sort()).toEqual(['display.brightness', 'mqtt', 'pins']);
    expect(errors['display.brightness']).toMatch(/display\.brightness 7 is invalid: use a number from 0/);
    expect(errors.pins).toMatch(/pins\.web = "9,9" is outside the 4x4 none board/);
    expect(errors.mqtt).toMatch(/cannot be set from the shadow/);
    expect(reported()).toEqual({ display: { brightness: 0.5 }, resyncMinutes: 15, errors });
    expect(probe.levels).toEqual([]);
    expect(pixelOf(a.legend(), 'web')).toEqual(before);
    // Fixing the value clears the error and applies it.
    await shadow.setDesired({ display: { brightness: 0.4 }, pins: null, mqtt: null });
    await waitFor('errors cleared', () => reported().errors === undefined);
    expect(probe.levels).toEqual([0.4]);
  });

  it('relists with a new tag filter, and shows only what it selects', async () => {
    const { agent: a } = await start();
    const listings = world.ec2.calls[REGION] ?? 0;
    await shadow.setDesired({ tagFilter: { key: 'Name', value: 'web' } });
    await waitFor('only web', () => a.legend().pixels.every((pixel) => pixel.entry?.name !== 'db'), 8_000);
    expect(pixelOf(a.legend(), 'web')).toBeDefined();
    expect(world.ec2.calls[REGION]).toBeGreaterThan(listings);
    await waitFor('reported filter', () => reported().tagFilter !== undefined);
    expect(reported().tagFilter).toEqual({ key: 'Name', value: 'web' });
    // Removing the desired key goes back to the config file's: no filter, both instances.
    await shadow.setDesired({ tagFilter: null });
    await waitFor('db back', () => pixelOf(a.legend(), 'db') !== undefined, 8_000);
    await waitFor('filter no longer reported', () => reported().tagFilter === undefined);
  });

  it('gets the document again after a reconnection, and applies what changed meanwhile', async () => {
    const { agent: a, probe } = await start();
    const gets = () => shadow.requests.filter((request) => request.operation === 'get').length;
    expect(gets()).toBe(1);
    await shadow.close();
    await world.broker.kill();
    await waitFor('disconnected', () => !a.legend().connected, 5_000);
    await world.broker.start();
    // The desired state changed while the device was away; the shadow service kept it.
    shadow = await startFakeShadowService(world.broker.port, world.pki, world.pki.thingName, {
      initial: { desired: { display: { brightness: 0.3 } }, reported: reported(), version: 7 },
    });
    await waitFor('brightness from the shadow', () => probe.levels.includes(0.3), 10_000);
    expect(gets()).toBe(1);
    await waitFor('reported', () => (reported().display as { brightness?: number }).brightness === 0.3);
  });

  it('gets the document again when the answer to a get is lost, and applies the deltas after it', async () => {
    // The first answer is lost (QoS 0 on IoT Core): before, nothing was reported or applied until
    // the next reconnection.
    shadow.loseGetAnswers(1);
    const { probe } = await start();
    expect(logLines.some((line) => line.includes('shadow get failed; retrying'))).toBe(true);
    // Lost again, on a delta; the next delta comes while that get waits for its answer.
    shadow.loseGetAnswers(1);
    await shadow.setDesired({ display: { brightness: 0.2 } });
    await shadow.setDesired({ display: { brightness: 0.3 } });
    await waitFor('brightness 0.3 applied', () => probe.levels.at(-1) === 0.3, 8_000);
    await waitFor('reported', () => (reported().display as { brightness?: number }).brightness === 0.3);
    const gets = shadow.requests.filter((request) => request.operation === 'get');
    expect(gets.length).toBeGreaterThanOrEqual(4);
    expect(gets.every((request) => typeof request.body.clientToken === 'string')).toBe(true);
  });

  it('pays a bounded cost for junk on the shadow topics: a log line or two, no report published', async () => {
    const { agent: a, probe } = await start();
    const updates = () => shadow.requests.filter((request) => request.operation === 'update').length;
    const before = updates();
    const refused = JSON.stringify({
      state: { desired: { mqtt: { endpoint: 'evil.example.com' } }, reported: {} },
    });
    const junk = ['not json', '[1]', '{"no":"state"}'];
    const operations = ['get/accepted', 'get/rejected', 'update/rejected', 'update/delta'];
    for (let i = 0; i < 7_000; i += 500) {
      await Promise.all(
        Array.from({ length: 500 }, (_, j) => {
          const n = i + j;
          // 5,000 that are not shadow messages, then 2,000 refused documents no get asked for.
          return n < 5_000
            ? shadow.forge(operations[n % 4] as string, junk[n % 3] as string)
            : shadow.forge('get/accepted', refused);
        }),
      );
    }
    // A real delta after the junk, on the same connection: once it is applied, all junk has arrived.
    await shadow.setDesired({ display: { brightness: 0.2 } });
    await waitFor('brightness 0.2 applied', () => probe.levels.includes(0.2), 10_000);
    await waitFor('its report', () => updates() === before + 1);
    await a.stop(); // logs what the drop counter still holds
    const dropped = logLines.filter((line) => line.includes('dropped shadow messages'));
    expect(dropped).toHaveLength(2);
    expect(JSON.parse(dropped[1] as string).context).toMatchObject({ total: 7_000 });
    expect(logLines.filter((line) => line.includes('shadow settings refused'))).toEqual([]);
  });

  it('keeps desired and reported within the 8 KB a shadow holds, trimming the report', async () => {
    await start();
    const pins = Object.fromEntries(Array.from({ length: 170 }, (_, i) => [`instance-name-${i}`, '0,0']));
    await shadow.setDesired({ pins });
    await waitFor('trimmed report', () => Array.isArray(reported().omitted));
    const doc = shadow.document();
    expect(doc && stateBytes(doc.desired, doc.reported)).toBeLessThanOrEqual(SHADOW_STATE_LIMIT_BYTES);
    expect(reported()).toEqual({
      display: { brightness: 0.5 },
      resyncMinutes: 15,
      omitted: ['pins'],
    });
    expect(shadow.answers.filter((answer) => answer.operation === 'update/rejected')).toEqual([]);
  });
});
