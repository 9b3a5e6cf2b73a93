import { describe, expect, it } from 'vitest';
import { type Config, parseConfig } from '../../../device/config.ts';
import { createLogger } from '../../../device/log.ts';
import { createShadowSettings } from '../../../device/sources/shadow.ts';
import { shadowTopic } from '../../../shared/topics.ts';

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

function setUp(options: { failPublish?: boolean } = {}) {
  const link = { down: options.failPublish === true };
  const sent: { operation: string; body: unknown }[] = [];
  const applied: string[][] = [];
  const lines: string[] = [];
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
  });
  const deliver = (operation: Parameters<typeof shadowTopic>[1], body: unknown) =>
    shadow.onMessage(shadowTopic('desk-pi', operation), bytes(body));
  const settle = () => new Promise((resolve) => setImmediate(resolve));
  const gets = () => sent.filter((s) => s.operation === 'get').length;
  const messages = () => lines.map((line) => JSON.parse(line).msg as string);
  return { shadow, sent, applied, deliver, settle, gets, messages, link };
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
    t.deliver('get/accepted', { state: { desired: { resyncMinutes: 5 }, reported: REPORTED }, version: 3 });
    await t.settle();
    expect(t.gets()).toBe(2);
    t.deliver('get/accepted', { state: { desired: { resyncMinutes: 6 }, reported: REPORTED }, version: 3 });
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
    t.deliver('get/accepted', { state: { reported: REPORTED }, version: 1 });
    await t.settle();
    expect(t.sent).toEqual([]);
    expect(t.applied).toEqual([]);
  });

  it('reports only what differs, as a merge patch', async () => {
    const t = setUp();
    t.deliver('get/accepted', {
      state: {
        desired: { display: { brightness: 0.2 } },
        reported: { ...REPORTED, errors: { mqtt: 'old' } },
      },
    });
    await t.settle();
    expect(t.sent).toEqual([
      { operation: 'update', body: { state: { reported: { display: { brightness: 0.2 }, errors: null } } } },
    ]);
  });

  it('drops what is not a shadow document, without throwing and without changing anything', async () => {
    const t = setUp();
    t.shadow.onMessage(shadowTopic('desk-pi', 'get/accepted'), new Uint8Array([0xff, 0xfe]).buffer);
    t.deliver('get/accepted', 'not json');
    t.deliver('get/accepted', [1, 2]);
    t.deliver('get/accepted', { state: 'nonsense' });
    await t.settle();
    expect(t.applied).toEqual([]);
    expect(t.messages().filter((m) => m === 'shadow message dropped: not a JSON object')).toHaveLength(3);
  });

  it('logs a refused update and a refused get other than 404, and reports nothing for them', async () => {
    const t = setUp();
    t.deliver('update/rejected', { code: 413, message: 'The payload exceeds the maximum size allowed' });
    t.deliver('get/rejected', { code: 500, message: 'Internal' });
    await t.settle();
    expect(t.sent).toEqual([]);
    expect(t.messages()).toEqual(['shadow update refused', 'shadow get refused']);
  });

  it('a get that could not be sent does not block the next one', async () => {
    const t = setUp({ failPublish: true });
    t.shadow.onReady();
    await t.settle();
    expect(t.messages()).toContain('shadow get not sent');
    t.link.down = false;
    t.deliver('update/delta', { state: { resyncMinutes: 5 } });
    await t.settle();
    expect(t.gets()).toBe(1);
  });
});
