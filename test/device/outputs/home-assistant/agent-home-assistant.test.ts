/**
 * Home Assistant end to end: a running agent (fake EC2, mosquitto feed) with the Home Assistant output
 * on a second, plain broker. A light command from Home Assistant dims the board through the agent,
 * and the board's state comes back on the state topics.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Agent, startAgent } from '../../../../device/agent/agent.ts';
import { silentLogger } from '../../../../device/base/log.ts';
import { homeAssistantOutput } from '../../../../device/outputs/home-assistant/output.ts';
import { type Mosquitto, startMosquitto } from '../../../fakes/mosquitto.ts';
import { type Watcher, watch } from '../../../fakes/mqtt-watcher.ts';
import { waitFor } from '../../../fakes/wait.ts';
import { instance, startWorld, type World } from '../../../fakes/world.ts';

let home: Mosquitto;
let world: World;
let agent: Agent | undefined;
let watcher: Watcher | undefined;

beforeAll(async () => {
  home = await startMosquitto();
  world = await startWorld([instance(1, 'running', 'web'), instance(2, 'stopped', 'db')], {
    homeAssistant: { host: '127.0.0.1', port: home.port, nodeId: 'desk_pi' },
  });
});

afterAll(async () => {
  await agent?.stop();
  await watcher?.close();
  await world?.close();
  await home?.stop();
});

it('turns the board off and on again from Home Assistant, and reports it back', async () => {
  const { config } = world;
  const ha = config.homeAssistant;
  if (ha === undefined) throw new Error('the world config has no homeAssistant block');
  agent = await startAgent({ config, log: silentLogger });
  const a = agent;
  watcher = await watch(home.port);
  const m = watcher.messages;
  await a.attach(
    homeAssistantOutput({
      config: ha,
      clientId: config.mqtt.clientId,
      board: config.display.board,
      brightness: config.display.brightness,
      onLevel: (level) => a.setBrightness(level),
      onFlash: (durationMs) => a.identify({ board: true }, durationMs),
      log: silentLogger,
    }),
  );
  /** What the board shows: how many pixels are white, and at which brightness. */
  const shown: { white: number; brightness: number | undefined }[] = [];
  await a.attach({
    name: 'frame probe',
    open: async () => undefined,
    close: async () => undefined,
    show: async (picture) => {
      let white = 0;
      for (let i = 0; i < picture.frame.rgb.length; i += 3)
        if (
          picture.frame.rgb[i] === 255 &&
          picture.frame.rgb[i + 1] === 255 &&
          picture.frame.rgb[i + 2] === 255
        )
          white += 1;
      shown.push({ white, brightness: picture.brightness });
    },
  });
  await waitFor('synced', () => a.legend().synced, 8_000);
  await waitFor('the counts', () => m.get('ec2led/desk_pi/instances')?.includes('"running":1'), 8_000);
  expect(JSON.parse(m.get('ec2led/desk_pi/instances') as string)).toMatchObject({ running: 1, stopped: 1 });
  // No schedule: the configured brightness, and no next change.
  expect(a.legend().brightness).toEqual({ level: 0.5 });
  await waitFor('the light on', () => m.get('ec2led/desk_pi/light/state')?.includes('"ON"'));

  await watcher.publish('ec2led/desk_pi/light/set', '{"state":"OFF"}');
  await waitFor('the board off', () => a.legend().brightness?.level === 'off', 5_000);
  expect(a.legend().brightness).toEqual({ level: 'off', manual: true });
  await waitFor('the light off', () => m.get('ec2led/desk_pi/light/state') === '{"state":"OFF"}');

  // Flash (Home Assistant's identify): the dark board blinks white for 2 s, then is dark again;
  // its level, its legend and the light's state never change.
  await waitFor('the fade to off done', () => shown.at(-1)?.brightness === 0, 8_000);
  const before = shown.length;
  await watcher.publish('ec2led/desk_pi/light/set', '{"state":"ON","flash":2}');
  await waitFor(
    'the board blinking',
    () => shown.slice(before).some((s) => s.white === 16 && (s.brightness ?? 0) > 0),
    3_000,
  );
  await waitFor('blinking off and on', () =>
    shown.slice(before).some((s) => s.white === 0 && (s.brightness ?? 0) > 0),
  );
  expect(a.legend().brightness).toEqual({ level: 'off', manual: true });
  await waitFor(
    'dark again after 2 s',
    () => shown.at(-1)?.brightness === 0 && shown.at(-1)?.white === 0,
    4_000,
  );
  expect(a.legend().brightness).toEqual({ level: 'off', manual: true });
  expect(m.get('ec2led/desk_pi/light/state')).toBe('{"state":"OFF"}');

  await watcher.publish('ec2led/desk_pi/light/set', '{"state":"ON"}');
  await waitFor('the board back at 0.5', () => a.legend().brightness?.level === 0.5, 5_000);
  await waitFor('the light on again', () =>
    m.get('ec2led/desk_pi/light/state')?.includes('"brightness":128'),
  );

  await a.stop();
  await waitFor('offline after stop', () => m.get('ec2led/desk_pi/availability') === 'offline');
}, 30_000);
