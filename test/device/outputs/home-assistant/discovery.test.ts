/**
 * Home Assistant discovery, pure: topics never carry user text, payloads are JSON Home Assistant
 * reads, light commands are parsed without throwing.
 */
import { describe, expect, it } from 'vitest';
import { VERSION } from '../../../../device/base/version.ts';
import type { Item } from '../../../../device/fleet/item.ts';
import { brightnessLevel } from '../../../../device/outputs/display/mapping.ts';
import {
  boardDiscovery,
  buttonDiscovery,
  FLASH_LONG_S,
  FLASH_SHORT_S,
  haTopics,
  instanceCounts,
  lightState,
  MIN_LIT_LEVEL,
  noticeDiscovery,
  noticeSummary,
  objectId,
  parseLightCommand,
  pixelAttributes,
  pixelDiscovery,
  type UrgentPixel,
  updateState,
  urgentPixels,
  webBoardUrl,
} from '../../../../device/outputs/home-assistant/discovery.ts';
import { emptyLegend, type Legend } from '../../../../device/picture/legend.ts';
import packageJson from '../../../../package.json' with { type: 'json' };
import {
  binarySensorConfig,
  buttonConfig,
  lightJsonConfig,
  lightJsonState,
  sensorConfig,
  updateConfig,
  updateState as updateStateSchema,
} from './ha-schema.ts';

const topics = haTopics('homeassistant', 'desk_pi');
const info = {
  nodeId: 'desk_pi',
  board: 'unicornhatmini',
  swVersion: '1.2.3',
  configurationUrl: 'http://desk-pi.local:8080/',
};

describe('objectId', () => {
  it('keeps a safe id and makes anything else safe, with a hash so two ids never collide', () => {
    expect(objectId('desk_pi')).toBe('desk_pi');
    const hostile = ['a/b/#', 'a/b/+', 'A B', '../..', '\u202e\u0000evil', '', 'x'.repeat(200)];
    const ids = hostile.map(objectId);
    for (const id of ids) expect(id).toMatch(/^[a-z0-9_]{1,64}$/);
    expect(new Set(ids).size).toBe(hostile.length);
    expect(objectId('desk-pi')).not.toBe(objectId('desk_pi'));
  });
});

describe('discovery configs', () => {
  it('announces the software as a firmware update entity, without an install button', () => {
    const update = boardDiscovery(topics, info).find(
      (m) => m.topic === 'homeassistant/update/desk_pi/software/config',
    );
    expect(JSON.parse(update?.payload ?? '{}')).toMatchObject({
      name: 'Software',
      unique_id: 'desk_pi_software',
      default_entity_id: 'update.desk_pi_software',
      device_class: 'firmware',
      state_topic: 'ec2led/desk_pi/update',
    });
    expect(JSON.parse(update?.payload ?? '{}').command_topic).toBeUndefined();
  });

  it("states the running version, a job in progress and the last outcome in the update entity's schema", () => {
    const idle = JSON.parse(updateState({ version: '1.0.0', phase: 'idle' }));
    expect(idle).toEqual({
      installed_version: '1.0.0',
      latest_version: '1.0.0',
      in_progress: false,
      title: 'ec2-led',
    });
    const busy = JSON.parse(updateState({ version: '1.0.0', phase: 'installing', target: '1.1.0' }));
    expect(busy).toMatchObject({ latest_version: '1.1.0', in_progress: true });
    const failed = JSON.parse(
      updateState({
        version: '1.0.0',
        phase: 'idle',
        last: { jobId: 'j', status: 'FAILED', version: '1.1.0', reason: 'x'.repeat(400), atMs: 0 },
      }),
    );
    expect(failed.release_summary).toMatch(/^Last update 1\.1\.0 FAILED: x+$/);
    for (const state of [idle, busy, failed])
      expect(updateStateSchema.safeParse(state).error?.issues ?? []).toEqual([]);
  });

  it('announces the board as a JSON-schema light with brightness and flash, and a sensor per instance state', () => {
    const messages = boardDiscovery(topics, info);
    const light = messages.find((m) => m.topic === 'homeassistant/light/desk_pi/board/config');
    expect(JSON.parse(light?.payload ?? '{}')).toEqual({
      name: 'Board',
      unique_id: 'desk_pi_board',
      default_entity_id: 'light.desk_pi_board',
      schema: 'json',
      command_topic: 'ec2led/desk_pi/light/set',
      state_topic: 'ec2led/desk_pi/light/state',
      supported_color_modes: ['brightness'],
      brightness_scale: 255,
      flash: true,
      flash_time_short: 2,
      flash_time_long: 10,
      availability_topic: 'ec2led/desk_pi/availability',
      device: {
        identifiers: ['ec2led_desk_pi'],
        name: 'ec2-led desk_pi',
        manufacturer: 'ec2-led',
        model: 'unicornhatmini',
        sw_version: '1.2.3',
        configuration_url: 'http://desk-pi.local:8080/',
      },
      origin: { name: 'ec2-led', sw_version: '1.2.3' },
    });
    const sensors = messages.filter((m) => m.topic.startsWith('homeassistant/sensor/'));
    expect(sensors.map((m) => m.topic)).toEqual([
      'homeassistant/sensor/desk_pi/instances_pending/config',
      'homeassistant/sensor/desk_pi/instances_running/config',
      'homeassistant/sensor/desk_pi/instances_stopping/config',
      'homeassistant/sensor/desk_pi/instances_stopped/config',
      expect.stringMatching(/^homeassistant\/sensor\/desk_pi\/instances_shutting_down_[0-9a-z]{7}\/config$/),
      'homeassistant/sensor/desk_pi/instances_terminated/config',
    ]);
    expect(JSON.parse(sensors[4]?.payload ?? '{}')).toMatchObject({
      state_topic: 'ec2led/desk_pi/instances',
      value_template: '{{ value_json["shutting-down"] }}',
      default_entity_id: expect.stringMatching(/^sensor\.desk_pi_instances_shutting_down_[0-9a-z]{7}$/),
    });
  });

  it("holds every config to Home Assistant's documented schema: known keys, their types, no object_id", () => {
    for (const configurationUrl of ['http://desk-pi.local:8080/', undefined]) {
      const messages = boardDiscovery(topics, { ...info, configurationUrl });
      for (const message of messages) {
        const schema = message.topic.startsWith('homeassistant/light/')
          ? lightJsonConfig
          : message.topic.startsWith('homeassistant/update/')
            ? updateConfig
            : sensorConfig;
        const parsed = schema.safeParse(JSON.parse(message.payload));
        expect(parsed.error?.issues ?? [], message.topic).toEqual([]);
      }
      const pixel = pixelDiscovery(topics, { ...info, configurationUrl }, 'alarm_x', 'Disk full');
      expect(binarySensorConfig.safeParse(JSON.parse(pixel.payload)).error?.issues ?? []).toEqual([]);
      for (const button of buttonDiscovery(topics, { ...info, configurationUrl })) {
        expect(button.topic).toMatch(/^homeassistant\/button\/desk_pi\/[a-z_]+\/config$/);
        expect(buttonConfig.safeParse(JSON.parse(button.payload)).error?.issues ?? [], button.topic).toEqual(
          [],
        );
      }
    }
    const button = JSON.parse(buttonDiscovery(topics, info)[0]?.payload ?? '{}');
    expect(button).toMatchObject({
      name: 'Acknowledge all',
      command_topic: 'ec2led/desk_pi/button/acknowledge_all/press',
      payload_press: 'PRESS',
      default_entity_id: 'button.desk_pi_acknowledge_all',
    });
    expect(buttonConfig.safeParse({ ...button, state_topic: 'x' }).success).toBe(false); // a button has no state
    expect(buttonConfig.safeParse({ ...button, default_entity_id: 'switch.desk_pi_x' }).success).toBe(false);
    // The schema does refuse what Home Assistant 2026.4 ignores, and a foreign domain.
    const light = JSON.parse(boardDiscovery(topics, info)[0]?.payload ?? '{}');
    expect(lightJsonConfig.safeParse({ ...light, object_id: 'desk_pi_board' }).success).toBe(false);
    expect(lightJsonConfig.safeParse({ ...light, default_entity_id: 'sensor.desk_pi_board' }).success).toBe(
      false,
    );
    expect(
      lightJsonConfig.safeParse({ ...light, supported_color_modes: ['brightness', 'rgb'] }).success,
    ).toBe(false);
  });

  it('says the version of the package, as package.json does', () => {
    expect(VERSION).toBe(packageJson.version);
  });

  it('links the device to the web board only where Home Assistant can reach it', () => {
    const config = (web: { enabled?: boolean; host?: string; port?: number }, board = 'unicornhatmini') => ({
      web: { enabled: true, host: '0.0.0.0', port: 8080, metrics: false, ...web },
      display: { board: board as 'unicornhatmini' },
    });
    expect(webBoardUrl(config({}), 'desk-pi')).toBe('http://desk-pi.local:8080/');
    expect(webBoardUrl(config({ host: '::' }), 'desk-pi.lan')).toBe('http://desk-pi.lan:8080/');
    expect(webBoardUrl(config({ host: '192.168.1.20', port: 80 }), 'desk-pi')).toBe(
      'http://192.168.1.20:80/',
    );
    expect(webBoardUrl(config({ host: 'fd00::20' }), 'desk-pi')).toBe('http://[fd00::20]:8080/');
    expect(webBoardUrl(config({ enabled: false, host: '0.0.0.0' }, 'web'), 'desk-pi')).toBe(
      'http://desk-pi.local:8080/',
    );
    for (const web of [
      { enabled: false },
      { host: '127.0.0.1' },
      { host: '::1' },
      { host: 'localhost' },
      { port: 0 },
    ])
      expect(webBoardUrl(config(web), 'desk-pi'), JSON.stringify(web)).toBeUndefined();
    expect(webBoardUrl(config({}), 'bad host/name')).toBeUndefined();
  });

  it('gives a pixel of an urgent-capable kind a binary sensor whose name stays inside the JSON', () => {
    const name = 'evil"}/#\n<script>';
    const legend: Legend = {
      ...emptyLegend(2, 1),
      pixels: [
        {
          x: 0,
          y: 0,
          color: '#ff0000',
          entry: {
            kind: 'instance',
            id: 'i-1/#',
            name,
            state: 'stopped',
            region: 'r',
            account: 'a',
            sinceMs: 0,
          },
        },
        { x: 1, y: 0, color: '#000000', entry: null },
      ],
    };
    expect(urgentPixels(legend).size).toBe(0); // no kind is urgent-capable today
    const pixels = urgentPixels(legend, (kind) => kind === 'instance');
    const [[id, pixel]] = [...pixels] as [[string, UrgentPixel]];
    expect(id).toMatch(/^[a-z0-9_]+$/);
    expect(pixel).toEqual({ name, urgent: false, attributes: '{"acknowledged":false}' });
    const message = pixelDiscovery(topics, info, id, pixel.name);
    expect(message.topic).toBe(`homeassistant/binary_sensor/desk_pi/${id}/config`);
    expect(JSON.parse(message.payload)).toMatchObject({
      name,
      state_topic: `ec2led/desk_pi/pixel/${id}`,
      default_entity_id: `binary_sensor.desk_pi_${id}`,
    });
  });
});

describe('attention attributes', () => {
  it('say whether a pixel is acknowledged, by whom and when, and until when it is snoozed', () => {
    expect(JSON.parse(pixelAttributes(undefined))).toEqual({ acknowledged: false });
    const both = pixelAttributes({
      acknowledged: { by: 'web', atMs: Date.UTC(2026, 11, 7, 16) },
      snoozed: { by: 'home-assistant', atMs: 0, untilMs: Date.UTC(2026, 11, 7, 17) },
    });
    expect(JSON.parse(both)).toEqual({
      acknowledged: true,
      acknowledged_by: 'web',
      acknowledged_at: '2026-12-07T16:00:00.000Z',
      snoozed_by: 'home-assistant',
      snoozed_until: '2026-12-07T17:00:00.000Z',
    });
  });
});

describe('states', () => {
  it('reports the light from the legend level, and the configured brightness without a schedule', () => {
    expect(JSON.parse(lightState({ level: 0.2 }, 0.5))).toEqual({
      state: 'ON',
      brightness: 51,
      color_mode: 'brightness',
    });
    expect(JSON.parse(lightState({ level: 'off' }, 0.5))).toEqual({ state: 'OFF' });
    expect(JSON.parse(lightState(undefined, 0.5))).toMatchObject({ state: 'ON', brightness: 128 });
  });

  it('says brightness 1, never 0, for a lit level that rounds to 0, and fits the state schema', () => {
    expect(JSON.parse(lightState({ level: 0.001 }, 0.5))).toEqual({
      state: 'ON',
      brightness: 1,
      color_mode: 'brightness',
    });
    for (const level of [0.001, MIN_LIT_LEVEL, 0.2, 1, 'off' as const, 0]) {
      expect(lightJsonState.safeParse(JSON.parse(lightState({ level }, 0.5))).success, String(level)).toBe(
        true,
      );
    }
  });

  it('counts instances per state, every state present', () => {
    const one = (id: string, state: Item['state']): [string, Item] => [
      id,
      {
        kind: 'instance',
        id,
        state,
        timeMs: 0,
        sinceMs: 0,
        region: 'r',
        account: 'a',
        name: undefined,
        tags: {},
      },
    ];
    expect(
      JSON.parse(
        instanceCounts(new Map([one('i-1', 'running'), one('i-2', 'running'), one('i-3', 'stopped')])),
      ),
    ).toEqual({
      pending: 0,
      running: 2,
      stopping: 0,
      stopped: 1,
      'shutting-down': 0,
      terminated: 0,
    });
  });
});

describe('parseLightCommand', () => {
  it('reads on, off and a brightness', () => {
    const level = (value: number | 'off') => ({ ok: true, action: 'level', level: value });
    expect(parseLightCommand('{"state":"OFF"}', 0.5)).toEqual(level('off'));
    expect(parseLightCommand('{"state":"ON"}', 0.3)).toEqual(level(0.3));
    expect(parseLightCommand('{"state":"ON","brightness":51}', 0.5)).toEqual(level(0.2));
    expect(parseLightCommand('{"state":"ON","brightness":0}', 0.5)).toEqual(level('off'));
    expect(parseLightCommand('{"state":"ON","brightness":128,"transition":2}', 0.5)).toEqual(level(0.502));
  });

  it('keeps an ON whose brightness rounds to 0 lit: the board gets a level of at least 1 in 255', () => {
    for (const brightness of [0.1, 0.5, 1]) {
      const command = parseLightCommand(`{"state":"ON","brightness":${brightness}}`, 0.5);
      expect(command).toEqual({ ok: true, action: 'level', level: MIN_LIT_LEVEL });
      expect(brightnessLevel(MIN_LIT_LEVEL, 255)).toBe(1);
    }
  });

  it('reads a flash, short or long, as a blink of the whole board and nothing else', () => {
    const flash = (durationMs: number) => ({ ok: true, action: 'flash', durationMs });
    expect(parseLightCommand(`{"state":"ON","flash":${FLASH_SHORT_S}}`, 0.5)).toEqual(flash(2_000));
    expect(parseLightCommand(`{"state":"ON","flash":${FLASH_LONG_S}}`, 0.5)).toEqual(flash(10_000));
    // Home Assistant's light.turn_off takes a flash too; a brightness beside it is not applied.
    expect(parseLightCommand('{"state":"OFF","flash":2}', 0.5)).toEqual(flash(2_000));
    expect(parseLightCommand('{"state":"ON","flash":2,"brightness":255}', 0.5)).toEqual(flash(2_000));
    for (const bad of ['0', '-1', '"short"', '61', 'null'])
      expect(parseLightCommand(`{"state":"ON","flash":${bad}}`, 0.5).ok, bad).toBe(false);
  });

  it('refuses anything else with a reason, never throwing', () => {
    for (const payload of [
      '',
      'ON',
      '[]',
      'null',
      '{"state":"on"}',
      '{"state":"ON","brightness":300}',
      '{"state":"ON","brightness":"9"}',
    ]) {
      const command = parseLightCommand(payload, 0.5);
      expect(command.ok, payload).toBe(false);
    }
  });
});

describe('Home Assistant: instance notices', () => {
  const topics = haTopics('homeassistant', 'desk_pi');
  it('announces one sensor whose attributes name each notice, valid for Home Assistant', () => {
    const message = noticeDiscovery(topics, { nodeId: 'desk_pi', board: 'ledshim', swVersion: VERSION });
    expect(message.topic).toBe('homeassistant/sensor/desk_pi/instance_notices/config');
    const config = JSON.parse(message.payload);
    expect(sensorConfig.safeParse(config).error?.issues ?? []).toEqual([]);
    expect(config).toMatchObject({
      state_topic: 'ec2led/desk_pi/notices',
      json_attributes_topic: 'ec2led/desk_pi/notices',
    });
  });

  it('counts the instances with a notice and names each', () => {
    const legend: Legend = {
      ...emptyLegend(2, 1),
      pixels: [
        {
          x: 0,
          y: 0,
          color: '#0000ff',
          entry: {
            kind: 'instance',
            id: 'i-0123456789abcdef0',
            name: 'web',
            state: 'running',
            region: 'eu-west-1',
            account: '123456789012',
            sinceMs: 0,
            notice: {
              code: 'spot-interruption',
              action: 'terminate',
              startMs: 120_000,
              endMs: 180_000,
              urgent: true,
            },
          },
        },
        { x: 1, y: 0, color: '#000000', entry: null },
      ],
    };
    expect(JSON.parse(noticeSummary(legend))).toEqual({
      count: 1,
      notices: {
        'i-0123456789abcdef0':
          'spot-interruption (terminate) urgent due 1970-01-01T00:02:00.000Z, until 1970-01-01T00:03:00.000Z',
      },
    });
    expect(JSON.parse(noticeSummary(emptyLegend(2, 1)))).toEqual({ count: 0, notices: {} });
  });
});
