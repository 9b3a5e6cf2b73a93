/**
 * The Home Assistant output against a real mosquitto on 127.0.0.1 (ephemeral port): the retained
 * discovery configs and states, a light command obeyed, and the last will when the connection dies.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, silentLogger } from '../../../../device/base/log.ts';
import type { Level } from '../../../../device/brightness/schedule.ts';
import { homeAssistantOutput } from '../../../../device/outputs/home-assistant/output.ts';
import { composePicture } from '../../../../device/picture/picture.ts';
import { type Mosquitto, startMosquitto } from '../../../fakes/mosquitto.ts';
import { watch } from '../../../fakes/mqtt-watcher.ts';
import { startStallProxy } from '../../../fakes/stall-proxy.ts';
import { waitFor, waitForAsync } from '../../../fakes/wait.ts';
import { instance } from '../../../kit/builders.ts';
import { lightJsonConfig, sensorConfig, updateConfig } from './ha-schema.ts';

describe('Home Assistant output against mosquitto', () => {
  let broker: Mosquitto;
  beforeAll(async () => {
    broker = await startMosquitto();
  });
  afterAll(async () => {
    await broker.stop();
  });

  it('announces the board, keeps its states, obeys a light command, and leaves a last will', async () => {
    const proxy = await startStallProxy(broker.port, false);
    const watcher = await watch(broker.port);
    const levels: Level[] = [];
    const flashes: number[] = [];
    const output = homeAssistantOutput({
      config: {
        host: '127.0.0.1',
        port: proxy.port,
        tls: false,
        discoveryPrefix: 'homeassistant',
        nodeId: 'desk_pi',
      },
      clientId: 'desk-pi',
      board: 'unicornhatmini',
      brightness: 0.5,
      onLevel: (level) => levels.push(level),
      onFlash: (durationMs) => flashes.push(durationMs),
      log: silentLogger,
    });
    try {
      await output.open();
      const m = watcher.messages;
      await waitFor('online', () => m.get('ec2led/desk_pi/availability') === 'online', 10_000);
      await waitFor('the light config', () => m.get('homeassistant/light/desk_pi/board/config'));
      expect(JSON.parse(m.get('homeassistant/light/desk_pi/board/config') as string)).toMatchObject({
        schema: 'json',
        command_topic: 'ec2led/desk_pi/light/set',
        state_topic: 'ec2led/desk_pi/light/state',
        availability_topic: 'ec2led/desk_pi/availability',
        supported_color_modes: ['brightness'],
      });
      await waitFor(
        'seven sensor configs (six state counts, the notices)',
        () => [...m.keys()].filter((t) => t.startsWith('homeassistant/sensor/desk_pi/')).length === 7,
      );
      // What the broker holds is what Home Assistant's schema takes.
      for (const [t, payload] of m) {
        if (!t.startsWith('homeassistant/')) continue;
        const schema = t.startsWith('homeassistant/light/')
          ? lightJsonConfig
          : t.startsWith('homeassistant/update/')
            ? updateConfig
            : sensorConfig;
        expect(schema.safeParse(JSON.parse(payload)).error?.issues ?? [], t).toEqual([]);
      }

      const fleet = new Map(
        [
          instance(1, 'running', 'web"/#1'),
          instance(2, 'running', 'web"/#2'),
          instance(3, 'stopped', 'web"/#3'),
        ].map((i) => [i.id, i]),
      );
      const picture = composePicture({
        fleet,
        slots: new Map(),
        listed: true,
        settings: { width: 4, height: 2 },
        status: { connected: true, synced: true },
        nowMs: 0,
      });
      await output.show(picture);
      await waitFor('the instance counts', () => m.get('ec2led/desk_pi/instances')?.includes('"running":2'));
      expect(JSON.parse(m.get('ec2led/desk_pi/instances') as string)).toMatchObject({
        running: 2,
        stopped: 1,
      });
      expect(JSON.parse(m.get('ec2led/desk_pi/light/state') as string)).toEqual({
        state: 'ON',
        brightness: 128,
        color_mode: 'brightness',
      });
      // No topic carries an instance's (hostile) Name.
      expect([...m.keys()].some((t) => t.includes('web'))).toBe(false);

      await watcher.publish('ec2led/desk_pi/light/set', '{"state":"ON","brightness":51}');
      await watcher.publish('ec2led/desk_pi/light/set', 'not json');
      await watcher.publish('ec2led/desk_pi/light/set', '{"state":"OFF"}');
      await watcher.publish('ec2led/desk_pi/light/set', '{"state":"ON","flash":10}');
      await waitFor('three commands applied', () => levels.length >= 2 && flashes.length >= 1);
      expect(levels).toEqual([0.2, 'off']);
      expect(flashes).toEqual([10_000]);

      // The agent's connection dies without a goodbye: the broker publishes its last will.
      await proxy.close();
      await waitFor('the last will', () => m.get('ec2led/desk_pi/availability') === 'offline', 10_000);
    } finally {
      await output.close();
      await watcher.close();
      await proxy.close();
    }
  }, 30_000);

  it('10,000 bad commands and 10,001 valid ones through the broker cost a few log lines', async () => {
    const watcher = await watch(broker.port);
    const lines: { msg: string; context?: Record<string, unknown> }[] = [];
    let obeyed = 0;
    const output = homeAssistantOutput({
      config: { host: '127.0.0.1', port: broker.port, tls: false, discoveryPrefix: 'ha', nodeId: 'flood' },
      clientId: 'flood',
      board: 'none',
      brightness: 0.5,
      onLevel: () => {
        obeyed += 1;
      },
      onFlash: () => {
        obeyed += 1;
      },
      log: createLogger({ level: 'debug', write: (line) => lines.push(JSON.parse(line)) }),
    });
    try {
      await output.open();
      await waitFor('online', () => watcher.messages.get('ec2led/flood/availability') === 'online', 10_000);
      // The SUBACK of the command topic follows the CONNACK: a command it would miss is not counted.
      await waitForAsync('subscribed', async () => {
        await watcher.publish('ec2led/flood/light/set', '{"state":"ON"}');
        return obeyed > 0;
      });
      const before = obeyed;
      const send = async (count: number, payload: (i: number) => string): Promise<void> => {
        for (let i = 0; i < count; i += 500) {
          const batch = Array.from({ length: Math.min(500, count - i) }, (_, j) => payload(i + j));
          await Promise.all(batch.map((p) => watcher.publish('ec2led/flood/light/set', p)));
        }
      };
      await send(10_000, (i) => (i % 2 === 0 ? `not json ${i}` : '{"state":"on"}'));
      await send(10_001, (i) =>
        i % 2 === 0 ? '{"state":"OFF"}' : `{"state":"ON","brightness":${1 + (i % 255)}}`,
      );
      await waitFor('every valid command obeyed', () => obeyed - before === 10_001, 30_000);
      const commandLines = lines.filter((line) => line.msg.startsWith('light command'));
      expect(commandLines.map((line) => line.msg)).toEqual(['light commands', 'light commands ignored']);
      expect(lines.length).toBeLessThan(10);
    } finally {
      await output.close();
      await watcher.close();
    }
    const commandLines = lines.filter((line) => line.msg.startsWith('light command'));
    expect(commandLines.at(-1)?.context).toMatchObject({ total: obeyed });
  }, 60_000);

  it('opens while the broker does not answer, says online once it does, and offline on close', async () => {
    const proxy = await startStallProxy(broker.port, true);
    const watcher = await watch(broker.port);
    const output = homeAssistantOutput({
      config: { host: '127.0.0.1', port: proxy.port, tls: false, discoveryPrefix: 'ha', nodeId: 'second' },
      clientId: 'second',
      board: 'none',
      brightness: 0.5,
      onLevel: () => undefined,
      onFlash: () => undefined,
      log: silentLogger,
    });
    try {
      await output.open(); // returns at once, the connect hangs in the stalled proxy
      await waitFor('a connection to the stalled proxy', () => proxy.accepted > 0);
      // Stalled, the proxy passes no byte to the broker: nothing can be published until it heals.
      expect(watcher.messages.has('ec2led/second/availability')).toBe(false);
      proxy.heal();
      await waitFor('online', () => watcher.messages.get('ec2led/second/availability') === 'online', 20_000);
      expect(watcher.messages.has('ha/light/second/board/config')).toBe(true);
      await output.close();
      await waitFor('offline', () => watcher.messages.get('ec2led/second/availability') === 'offline');
    } finally {
      await output.close();
      await watcher.close();
      await proxy.close();
    }
  }, 30_000);
});
