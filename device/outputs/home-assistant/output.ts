/**
 * Home Assistant, as one of the agent's outputs: an MQTT 3.1.1 connection (aws-crt, as the feed) to
 * the user's local broker that announces the board with MQTT discovery and keeps its states current.
 *
 * Contract:
 * - `open` starts connecting and returns at once: a broker that is down never holds the agent up. Until
 *   the first CONNACK it retries with backoff (1 s doubling to 60 s); after it, aws-crt reconnects.
 * - On every CONNACK: "online" (retained) on the availability topic, whose last will is "offline"
 *   (retained); every discovery config (retained); the current states (retained); the light's
 *   command topic subscribed.
 * - `show` publishes a state only when it changed (the light, the instance counts, each urgent pixel),
 *   and gives a pixel that appears its discovery config, one that goes an empty one (removed).
 * - A button press ("PRESS" on a button's command topic) becomes `onButton(button)`: acknowledge
 *   every urgent pixel, or snooze them (the agent's AttentionControl, as `home-assistant`).
 * - A light command becomes `onLevel(level)` (agent.setBrightness: it holds until the schedule's next
 *   transition), a flash `onFlash(ms)` (agent.identify of the whole board); a bad one changes nothing.
 *   Commands are logged at a bounded cost (commands.ts). Nothing received can throw into aws-crt.
 * - `close` publishes "offline", disconnects (at most 2 s) and is idempotent.
 */
import { io, mqtt } from 'aws-iot-device-sdk-v2';
import type { Logger } from '../../base/log.ts';
import { VERSION } from '../../base/version.ts';
import type { Level } from '../../brightness/schedule.ts';
import type { Config } from '../../config/config.ts';
import type { Legend } from '../../picture/legend.ts';
import { backoffMs, sleep } from '../../sources/retry.ts';
import type { Output } from '../outputs.ts';
import { lightCommands } from './commands.ts';
import {
  BUTTONS,
  boardDiscovery,
  buttonDiscovery,
  type DeviceInfo,
  type HaButton,
  haTopics,
  instanceCounts,
  lightState,
  noticeDiscovery,
  noticeSummary,
  objectId,
  PAYLOAD_PRESS,
  pixelDiscovery,
  type UrgentPixel,
  updateState,
  urgentPixels,
} from './discovery.ts';

export type HomeAssistantConfig = NonNullable<Config['homeAssistant']>;

export interface HomeAssistantOptions {
  readonly config: HomeAssistantConfig;
  /** mqtt.clientId: the default node id, and (with a suffix) this connection's client id. */
  readonly clientId: string;
  readonly board: string;
  /** display.brightness: the level "ON" without a brightness goes back to when the board is off. */
  readonly brightness: number;
  readonly onLevel: (level: Level) => void;
  /** A flash from Home Assistant: blink the whole board for `durationMs` (agent.identify). */
  readonly onFlash: (durationMs: number) => void;
  /** A button pressed in Home Assistant: acknowledge every urgent pixel, or snooze them; default none. */
  readonly onButton?: (button: HaButton) => void;
  /** The device's configuration_url (discovery.ts webBoardUrl); none: left out. */
  readonly configurationUrl?: string | undefined;
  readonly log: Logger;
}

function connectionConfig(options: HomeAssistantOptions, availability: string): mqtt.MqttConnectionConfig {
  const c = options.config;
  let tls: io.ClientTlsContext | undefined;
  if (c.tls) {
    const tlsOptions =
      c.cert !== undefined && c.key !== undefined
        ? io.TlsContextOptions.create_client_with_mtls_from_path(c.cert, c.key)
        : new io.TlsContextOptions();
    if (c.ca !== undefined) tlsOptions.override_default_trust_store_from_path(undefined, c.ca);
    tls = new io.ClientTlsContext(tlsOptions);
  }
  return {
    client_id: `${options.clientId}-ha`,
    host_name: c.host,
    port: c.port,
    clean_session: true,
    keep_alive: 60,
    reconnect_min_sec: 1,
    reconnect_max_sec: 60,
    socket_options: new io.SocketOptions(),
    will: new mqtt.MqttWill(availability, mqtt.QoS.AtLeastOnce, 'offline', true),
    ...(c.username === undefined ? {} : { username: c.username }),
    ...(c.password === undefined ? {} : { password: c.password }),
    ...(tls === undefined ? {} : { tls_ctx: tls }),
  };
}

export function homeAssistantOutput(options: HomeAssistantOptions): Output {
  const { config, log: parentLog } = options;
  const log = parentLog.child({ output: 'home assistant' });
  const nodeId = config.nodeId ?? objectId(options.clientId);
  const topics = haTopics(config.discoveryPrefix, nodeId);
  const info: DeviceInfo = {
    nodeId,
    board: options.board,
    swVersion: VERSION,
    configurationUrl: options.configurationUrl,
  };
  /** What the broker holds (retained) per topic, as we last published it. */
  const published = new Map<string, string>();
  /** What it should hold: the states of the last picture. */
  const wanted = new Map<string, string>();
  let pixels = new Map<string, UrgentPixel>();
  let legend: Legend | undefined;
  let onLevelNow = options.brightness;
  let connection: mqtt.MqttClientConnection | undefined;
  let online = false;
  let closed = false;
  const stop = new AbortController();

  const publish = (topic: string, payload: string): void => {
    const current = connection;
    if (current === undefined || !online) return;
    published.set(topic, payload);
    current.publish(topic, payload, mqtt.QoS.AtLeastOnce, true).catch((error: unknown) => {
      published.delete(topic);
      log.warn('publish failed', { topic, error: (error as Error).message });
    });
  };
  const sync = (): void => {
    for (const [topic, payload] of wanted) if (published.get(topic) !== payload) publish(topic, payload);
  };

  const commands = lightCommands({
    log,
    onLevelNow: () => onLevelNow,
    onLevel: options.onLevel,
    onFlash: options.onFlash,
  });
  const onCommand = (_topic: string, payload: ArrayBuffer): void => commands.receive(payload);
  const onPress =
    (button: HaButton) =>
    (_topic: string, payload: ArrayBuffer): void => {
      try {
        // "PRESS" is 5 bytes: anything longer is not a press, and is not decoded.
        const text = payload.byteLength <= 64 ? new TextDecoder().decode(payload) : '';
        if (text !== PAYLOAD_PRESS) {
          log.warn('button payload ignored', {
            button,
            bytes: payload.byteLength,
            fix: `send "${PAYLOAD_PRESS}"`,
          });
          return;
        }
        log.info('button pressed', { button });
        options.onButton?.(button);
      } catch (error) {
        log.error('button failed', { button, error: (error as Error).message });
      }
    };

  const announce = (current: mqtt.MqttClientConnection): void => {
    online = true;
    published.clear();
    log.info('connected', { host: config.host, port: config.port, nodeId });
    publish(topics.availability, 'online');
    for (const message of [...boardDiscovery(topics, info), noticeDiscovery(topics, info)])
      publish(message.topic, message.payload);
    if (options.onButton !== undefined)
      for (const message of buttonDiscovery(topics, info)) publish(message.topic, message.payload);
    for (const [id, pixel] of pixels) {
      const message = pixelDiscovery(topics, info, id, pixel.name);
      publish(message.topic, message.payload);
    }
    sync();
    current.subscribe(topics.lightCommand, mqtt.QoS.AtLeastOnce, onCommand).catch((error: unknown) => {
      log.warn('subscribe failed', { topic: topics.lightCommand, error: (error as Error).message });
    });
    if (options.onButton === undefined) return;
    for (const button of BUTTONS)
      current
        .subscribe(topics.button(button), mqtt.QoS.AtLeastOnce, onPress(button))
        .catch((error: unknown) => {
          log.warn('subscribe failed', { topic: topics.button(button), error: (error as Error).message });
        });
  };

  const run = async (): Promise<void> => {
    for (let attempt = 1; !closed; attempt += 1) {
      const current = new mqtt.MqttClient().new_connection(connectionConfig(options, topics.availability));
      current.on('error', () => undefined);
      current.on('connection_success', () => {
        if (!closed) announce(current);
      });
      current.on('interrupt', (error) => {
        online = false;
        log.warn('disconnected', { error: (error as Error).message });
      });
      connection = current;
      try {
        await current.connect();
        // A close during the connect: it could not disconnect what was not yet connected.
        if (closed) await goodbye(current);
        return;
      } catch (error) {
        connection = undefined;
        // A failed connection cannot connect again and disconnect() refuses it: aws-crt's own
        // (TS-private) close frees its native half (as sources/mqtt.ts does).
        try {
          (current as unknown as { close(): void }).close();
        } catch {}
        if (closed) return;
        const retryMs = backoffMs(attempt, 1_000, 60_000);
        log.warn('cannot connect', {
          host: config.host,
          port: config.port,
          error: (error as Error).message,
          retryMs,
        });
        await sleep(retryMs, stop.signal);
      }
    }
  };

  /** "offline" (a clean goodbye sends no will), then DISCONNECT. */
  const goodbye = async (current: mqtt.MqttClientConnection): Promise<void> => {
    try {
      await current.publish(topics.availability, 'offline', mqtt.QoS.AtLeastOnce, true);
    } catch {}
    await current.disconnect().catch(() => undefined);
    online = false;
  };

  let running: Promise<void> | undefined;
  let closing: Promise<void> | undefined;
  return {
    name: 'home assistant',
    open: async () => {
      running ??= run();
    },
    async show(picture) {
      if (picture.legend === legend) return;
      legend = picture.legend;
      const level = legend.brightness?.level;
      if (typeof level === 'number' && level > 0) onLevelNow = level;
      else if (level === 'off') onLevelNow = options.brightness;
      wanted.set(topics.lightState, lightState(legend.brightness, options.brightness));
      wanted.set(topics.instances, instanceCounts(picture.fleet));
      wanted.set(topics.notices, noticeSummary(legend));
      if (legend.update !== undefined) wanted.set(topics.update, updateState(legend.update));
      const next = urgentPixels(legend);
      for (const [id, pixel] of next) {
        if (!pixels.has(id)) {
          const message = pixelDiscovery(topics, info, id, pixel.name);
          publish(message.topic, message.payload);
        }
        wanted.set(topics.pixel(id), pixel.urgent ? 'ON' : 'OFF');
        wanted.set(topics.pixelAttributes(id), pixel.attributes);
      }
      for (const id of pixels.keys()) {
        if (next.has(id)) continue;
        publish(topics.config('binary_sensor', id), '');
        wanted.delete(topics.pixel(id));
        wanted.delete(topics.pixelAttributes(id));
      }
      pixels = next;
      sync();
    },
    close() {
      closing ??= (async () => {
        closed = true;
        stop.abort();
        commands.close();
        const current = connection;
        const done = current !== undefined && online ? goodbye(current) : (running ?? Promise.resolve());
        await Promise.race([done, new Promise((resolve) => setTimeout(resolve, 2_000).unref())]);
      })();
      return closing;
    },
  };
}
