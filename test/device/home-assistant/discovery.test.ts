/**
 * Home Assistant discovery, pure: topics never carry user text, payloads are JSON Home Assistant
 * reads, light commands are parsed without throwing.
 */
import { describe, expect, it } from 'vitest';
import type { Instance } from '../../../device/fleet/instance.ts';
import {
  boardDiscovery,
  haTopics,
  instanceCounts,
  lightState,
  objectId,
  parseLightCommand,
  pixelDiscovery,
  urgentPixels,
} from '../../../device/home-assistant/discovery.ts';
import { emptyLegend, type Legend } from '../../../device/layout/legend.ts';

const topics = haTopics('homeassistant', 'desk_pi');
const info = { nodeId: 'desk_pi', board: 'unicornhatmini' };

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
  it('announces the board as a JSON-schema light with brightness, and a sensor per instance state', () => {
    const messages = boardDiscovery(topics, info);
    const light = messages.find((m) => m.topic === 'homeassistant/light/desk_pi/board/config');
    expect(JSON.parse(light?.payload ?? '{}')).toEqual({
      name: 'Board',
      unique_id: 'desk_pi_board',
      object_id: 'desk_pi_board',
      schema: 'json',
      command_topic: 'ec2led/desk_pi/light/set',
      state_topic: 'ec2led/desk_pi/light/state',
      supported_color_modes: ['brightness'],
      brightness_scale: 255,
      availability_topic: 'ec2led/desk_pi/availability',
      device: {
        identifiers: ['ec2led_desk_pi'],
        name: 'ec2-led desk_pi',
        manufacturer: 'ec2-led',
        model: 'unicornhatmini',
      },
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
    });
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
    const [[id, pixel]] = [...pixels] as [[string, { name: string; urgent: boolean }]];
    expect(id).toMatch(/^[a-z0-9_]+$/);
    expect(pixel).toEqual({ name, urgent: false });
    const message = pixelDiscovery(topics, info, id, pixel.name);
    expect(message.topic).toBe(`homeassistant/binary_sensor/desk_pi/${id}/config`);
    expect(JSON.parse(message.payload)).toMatchObject({ name, state_topic: `ec2led/desk_pi/pixel/${id}` });
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

  it('counts instances per state, every state present', () => {
    const one = (id: string, state: Instance['state']): [string, Instance] => [
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
    expect(parseLightCommand('{"state":"OFF"}', 0.5)).toEqual({ ok: true, level: 'off' });
    expect(parseLightCommand('{"state":"ON"}', 0.3)).toEqual({ ok: true, level: 0.3 });
    expect(parseLightCommand('{"state":"ON","brightness":51}', 0.5)).toEqual({ ok: true, level: 0.2 });
    expect(parseLightCommand('{"state":"ON","brightness":0}', 0.5)).toEqual({ ok: true, level: 'off' });
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
