/**
 * The settings shadow's MQTT side on a fake link and a fake clock: what it publishes for each message
 * received, when it retries a lost `get`, and what junk costs in log lines and publishes.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../../device/base/log.ts';
import { type Config, parseConfig } from '../../../device/config/config.ts';
import { createShadowSettings, GET_TIMEOUT_MS } from '../../../device/sources/shadow.ts';
import { shadowTopic } from '../../../shared/topics.ts';
import { TimerClock } from '../../fakes/timer-clock.ts';

const LOCAL: Config = parseConfig(
  {
    mqtt: { endpoint: 'example-ats.iot.eu-west-1.amazonaws.com', clientId: 'desk-pi', tls: false },
    aws: { credentials: 'default', accounts: ['123456789012'], regions: ['eu-west-1'] },
    display: { board: 'none', virtualWidth: 8, virtualHeight: 8 },
  },
  { readable: () => undefined, tls: () => [] },
);

const bytes = (value: unknown): ArrayBuffer =>
  new TextEncoder().encode(typeof value === 'string' ? value : JSON.stringify(value)).buffer as ArrayBuffer;

type Operation = Parameters<typeof shadowTopic>[1];
const closers: (() => void)[] = [];
afterEach(() => {
  for (const close of closers.splice(0)) close();
});

function setUp(options: { failPublish?: boolean } = {}) {
  const link = { down: options.failPublish === true };
  const sent: { operation: string; body: Record<string, unknown> }[] = [];
  const applied: string[][] = [];
  const lines: string[] = [];
  const clock = new TimerClock();
  const shadow = createShadowSettings({
    thingName: 'desk-pi',
    local: LOCAL,
    pinned: new Map(),
    publish: async (topic, payload) => {
      if (link.down) throw new Error('not connected');
      sent.push({ operation: topic.split('/ec2led-settings/')[1] ?? topic, body: JSON.parse(payload) });
    },
    apply: (_config, changed) => void applied.push([...changed]),
    log: createLogger({ level: 'debug', write: (line) => lines.push(line) }),
    clock,
    random: () => 0.5,
  });
  closers.push(() => shadow.close());
  const deliver = (operation: Operation, body: unknown) =>
    shadow.onMessage(shadowTopic('desk-pi', operation), bytes(body));
  const lastToken = (operation: 'get' | 'update') =>
    sent.filter((s) => s.operation === operation).at(-1)?.body.clientToken;
  /** An answer as the service sends it: with the clientToken of our latest request. */
  const answer = (operation: Operation, body: Record<string, unknown>) =>
    deliver(operation, { ...body, clientToken: lastToken(operation.startsWith('get') ? 'get' : 'update') });
  const settle = () => clock.advance(0);
  const gets = () => sent.filter((s) => s.operation === 'get').length;
  const updates = () => sent.filter((s) => s.operation === 'update');
  const messages = () => lines.map((line) => JSON.parse(line).msg as string);
  return { shadow, sent, applied, deliver, answer, settle, gets, updates, messages, lines, link, clock };
}

const REPORTED = { display: { brightness: 0.5 }, resyncMinutes: 15 };

describe('the settings shadow over MQTT', () => {
  it('subscribes to the five response topics of its own named shadow', () => {
    expect(setUp().shadow.filters).toEqual([
      '$aws/things/desk-pi/shadow/name/ec2led-settings/get/accepted',
      '$aws/things/desk-pi/shadow/name/ec2led-settings/get/rejected',
      '$aws/things/desk-pi/shadow/name/ec2led-settings/update/accepted',
      '$aws/things/desk-pi/shadow/name/ec2led-settings/update/rejected',
      '$aws/things/desk-pi/shadow/name/ec2led-settings/update/delta',
    ]);
  });

  it('gets the document on a connection, and coalesces deltas while a get is in flight into one more', async () => {
    const t = setUp();
    t.shadow.onReady();
    t.deliver('update/delta', { state: { resyncMinutes: 5 }, version: 2 });
    t.deliver('update/delta', { state: { resyncMinutes: 6 }, version: 3 });
    await t.settle();
    expect(t.gets()).toBe(1);
    expect(t.sent[0]?.body).toEqual({ clientToken: expect.stringMatching(/^ec2led-[0-9a-f]{8}-get-1$/) });
    t.answer('get/accepted', { state: { desired: { resyncMinutes: 5 }, reported: REPORTED }, version: 3 });
    await t.settle();
    expect(t.gets()).toBe(2);
    t.answer('get/accepted', { state: { desired: { resyncMinutes: 6 }, reported: REPORTED }, version: 3 });
    await t.settle();
    expect(t.gets()).toBe(2);
    expect(t.applied).toEqual([['resyncMinutes'], ['resyncMinutes']]);
    expect(t.shadow.current().resyncMinutes).toBe(6);
  });

  it('refetches on an accepted desired change, not on the acceptance of its own report', async () => {
    const t = setUp();
    t.deliver('update/accepted', { state: { reported: REPORTED }, version: 4 });
    await t.settle();
    expect(t.gets()).toBe(0);
    t.deliver('update/accepted', { state: { desired: { pins: null } }, version: 5 });
    await t.settle();
    expect(t.gets()).toBe(1);
  });

  it('sends no report and applies nothing when the shadow already says what is in effect', async () => {
    const t = setUp();
    t.shadow.onReady();
    t.answer('get/accepted', { state: { reported: REPORTED }, version: 1 });
    await t.settle();
    expect(t.updates()).toEqual([]);
    expect(t.applied).toEqual([]);
  });

  it('reports only what differs, as a merge patch with its own clientToken', async () => {
    const t = setUp();
    t.shadow.onReady();
    t.answer('get/accepted', {
      state: {
        desired: { display: { brightness: 0.2 } },
        reported: { ...REPORTED, errors: { mqtt: 'old' } },
      },
    });
    await t.settle();
    expect(t.updates()).toEqual([
      {
        operation: 'update',
        body: {
          state: { reported: { display: { brightness: 0.2 }, errors: null } },
          clientToken: expect.stringMatching(/-update-2$/),
        },
      },
    ]);
  });

  it('drops what is not a shadow document or not an answer to its own get, without changing anything', async () => {
    const t = setUp();
    t.shadow.onReady();
    t.shadow.onMessage(shadowTopic('desk-pi', 'get/accepted'), new Uint8Array([0xff, 0xfe]).buffer);
    t.deliver('get/accepted', 'not json');
    t.deliver('get/accepted', [1, 2]);
    t.deliver('get/accepted', { state: { desired: { resyncMinutes: 5 } }, clientToken: 'someone-else' });
    t.deliver('get/accepted', { state: { desired: { resyncMinutes: 5 } } });
    t.deliver('update/delta', { version: 3 });
    t.shadow.onMessage(shadowTopic('desk-pi', 'update/delta'), new Uint8Array(200 * 1024).buffer);
    await t.settle();
    expect(t.applied).toEqual([]);
    expect(t.gets()).toBe(1);
    t.shadow.close();
    expect(t.messages()).toEqual(['dropped shadow messages', 'dropped shadow messages']);
    expect(JSON.parse(t.lines[1] as string).context).toMatchObject({
      dropped: 6,
      total: 7,
      counts: {
        'get/accepted: not a JSON object of at most 128 KB': 2,
        'get/accepted: not an answer to our get': 2,
        'update/delta: no state': 1,
        'update/delta: not a JSON object of at most 128 KB': 1,
      },
    });
  });

  it('logs a refused update of its own, and retries a refused get other than 404', async () => {
    const t = setUp();
    t.shadow.onReady();
    t.answer('get/accepted', { state: { desired: { resyncMinutes: 5 } } });
    await t.settle();
    t.answer('update/rejected', { code: 413, message: 'The payload exceeds the maximum size allowed' });
    t.deliver('update/delta', { state: { resyncMinutes: 6 } });
    t.answer('get/rejected', { code: 500, message: 'Internal' });
    await t.settle();
    expect(t.messages()).toEqual([
      'settings from the shadow',
      'shadow update refused',
      'shadow get failed; retrying',
    ]);
    expect(t.gets()).toBe(2);
    await t.clock.advance(1_000);
    expect(t.gets()).toBe(3);
  });

  it('retries a get that could not be sent, with backoff, and a hint meanwhile adds nothing', async () => {
    const t = setUp({ failPublish: true });
    t.shadow.onReady();
    await t.settle();
    expect(t.messages()).toContain('shadow get failed; retrying');
    t.link.down = false;
    t.deliver('update/delta', { state: { resyncMinutes: 5 } });
    await t.settle();
    expect(t.gets()).toBe(0);
    await t.clock.advance(500); // full jitter at 0.5 of the first 1 s
    expect(t.gets()).toBe(1);
  });
});

describe('a lost answer never stalls settings', () => {
  it('gets again when the answer does not come, and a delta during the fetch still collapses into one more', async () => {
    const t = setUp();
    t.shadow.onReady();
    await t.settle();
    expect(t.gets()).toBe(1);
    // The answer to that get is lost. A delta arrives: before, every delta was ignored from here on.
    t.deliver('update/delta', { state: { resyncMinutes: 5 } });
    await t.clock.advance(GET_TIMEOUT_MS - 1);
    expect(t.gets()).toBe(1);
    await t.clock.advance(1);
    expect(t.messages()).toContain('shadow get failed; retrying');
    await t.clock.advance(500);
    expect(t.gets()).toBe(2);
    // Two deltas while the retry is in flight: one more fetch after its answer, not two.
    t.deliver('update/delta', { state: { resyncMinutes: 5 } });
    t.deliver('update/delta', { state: { resyncMinutes: 6 } });
    t.answer('get/accepted', { state: { desired: { resyncMinutes: 5 }, reported: REPORTED } });
    await t.settle();
    expect(t.gets()).toBe(3);
    t.answer('get/accepted', { state: { desired: { resyncMinutes: 6 }, reported: REPORTED } });
    await t.clock.advance(GET_TIMEOUT_MS * 10);
    expect(t.gets()).toBe(3);
    expect(t.shadow.current().resyncMinutes).toBe(6);
  });

  it('takes a late answer to a get it already retried', async () => {
    const t = setUp();
    t.shadow.onReady();
    await t.settle();
    const first = t.sent[0]?.body.clientToken;
    await t.clock.advance(GET_TIMEOUT_MS + 500);
    expect(t.gets()).toBe(2);
    t.deliver('get/accepted', { state: { desired: { resyncMinutes: 7 } }, clientToken: first });
    await t.settle();
    expect(t.shadow.current().resyncMinutes).toBe(7);
    await t.clock.advance(GET_TIMEOUT_MS * 2);
    expect(t.gets()).toBe(2);
  });

  it('backs off to one get every few minutes at most while nothing answers, and logs less and less', async () => {
    const t = setUp();
    t.shadow.onReady();
    await t.clock.advance(3_600_000);
    // Full jitter at 0.5: waits of 0.5, 1, 2, ... s up to 150 s, plus the 10 s timeout each.
    expect(t.gets()).toBeGreaterThan(10);
    expect(t.gets()).toBeLessThan(40);
    expect(t.messages().length).toBeLessThanOrEqual(6); // attempts 1, 2, 4, 8, 16, 32
    t.shadow.close();
    expect(t.clock.timers.size).toBe(0);
  });

  it('starts over on a new connection', async () => {
    const t = setUp();
    t.shadow.onReady();
    await t.clock.advance(GET_TIMEOUT_MS * 5);
    const before = t.gets();
    t.shadow.onReady();
    await t.settle();
    expect(t.gets()).toBe(before + 1);
    t.answer('get/accepted', { state: { desired: { resyncMinutes: 9 } } });
    await t.settle();
    expect(t.shadow.current().resyncMinutes).toBe(9);
  });
});

describe('junk costs a bounded amount', () => {
  it('5,000 bad messages on the shadow topics give one log line, then one a minute', async () => {
    const t = setUp();
    t.shadow.onReady();
    const operations: Operation[] = [
      'get/accepted',
      'get/rejected',
      'update/accepted',
      'update/rejected',
      'update/delta',
    ];
    for (let i = 0; i < 5_000; i++)
      t.deliver(operations[i % 5] as Operation, i % 2 === 0 ? `junk ${i}` : [i]);
    await t.settle();
    expect(t.lines).toHaveLength(1);
    t.shadow.close();
    expect(t.lines).toHaveLength(2);
    expect(JSON.parse(t.lines[1] as string).context).toMatchObject({ dropped: 4_999, total: 5_000 });
    expect(t.gets()).toBe(1);
  });

  it('2,000 refused documents give one report and one warning, not 2,000', async () => {
    const t = setUp();
    t.shadow.onReady();
    await t.settle();
    // A desired section with a refused key; the service keeps refusing our report (an IoT policy
    // that denies update, say), so every document still shows the old reported section.
    const desired = { mqtt: { endpoint: 'evil.example.com' }, resyncMinutes: 5 };
    for (let i = 0; i < 2_000; i++) {
      t.answer('get/accepted', { state: { desired, reported: {} }, version: i + 1 });
      t.answer('update/rejected', { code: 403, message: 'Forbidden' });
      t.deliver('update/delta', { state: desired });
      await t.settle();
    }
    expect(t.gets()).toBe(2_001);
    expect(t.updates()).toHaveLength(1);
    expect(t.messages().filter((m) => m === 'shadow settings refused')).toHaveLength(1);
    expect(t.messages().filter((m) => m === 'shadow update refused')).toHaveLength(1);
    // The same documents, not asked for (a forged answer): counted, never reported back.
    for (let i = 0; i < 2_000; i++)
      t.deliver('get/accepted', { state: { desired: { colors: { running: `#${i}` } } } });
    expect(t.updates()).toHaveLength(1);
    // A new connection may send the same report once more.
    t.shadow.onReady();
    t.answer('get/accepted', { state: { desired, reported: {} } });
    await t.settle();
    expect(t.updates()).toHaveLength(2);
  });
});
