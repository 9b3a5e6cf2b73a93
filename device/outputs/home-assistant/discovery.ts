/**
 * Home Assistant's MQTT discovery for the board (pure): the topics, the retained discovery configs,
 * the state payloads, and the light commands Home Assistant sends.
 *
 * Contract:
 * - Every topic is built from the discovery prefix, the node id and sanitized object ids
 *   (`objectId`: lower-case letters, digits and "_" only): nothing user-controlled (a Name tag, an
 *   alarm name) is ever a topic level; names travel only inside JSON, which JSON.stringify escapes.
 * - Entities: one `light` (the board: on/off, brightness and flash), one `sensor` per instance state
 *   (how many instances are in it), one `update` (the running version, an update job in progress and
 *   the last one's outcome, agent/update/jobs.ts; no install button: updates come by AWS IoT Jobs),
 *   one `binary_sensor` per pixel of an urgent-capable kind (kinds.ts `urgent`), whose attributes
 *   say whether it is acknowledged and until when it is snoozed (picture/attention.ts), and two
 *   `button`s: acknowledge every urgent pixel, snooze them for an hour. All share one device and one
 *   availability topic ("online"/"offline", retained; the broker publishes "offline" as the
 *   connection's last will).
 * - Each config follows Home Assistant's MQTT discovery schema as of 2026: `unique_id` and
 *   `default_entity_id` ("light.desk_pi_board"; `object_id` is ignored since Home Assistant 2026.4),
 *   an `origin` block, and a device with `sw_version` (and `configuration_url` when the web board is
 *   reachable from the network).
 * - `parseLightCommand` never throws: a payload it cannot read gives a reason, and nothing changes.
 *   A `flash` (Home Assistant sends flash_time_short or flash_time_long, in seconds) is an identify
 *   of the whole board and only that: the state and brightness of the same command are not applied.
 */

import { INSTANCE_STATES } from '../../../shared/instance-state.ts';
import type { Level } from '../../brightness/schedule.ts';
import type { Config } from '../../config/config.ts';
import type { Fleet } from '../../fleet/store.ts';
import { INSTANCE_KIND, KINDS } from '../../kinds/kinds.ts';
import type { ItemAttention } from '../../picture/attention.ts';
import type { Legend, LegendBrightness, LegendUpdate } from '../../picture/legend.ts';

export interface HaTopics {
  readonly availability: string;
  readonly lightState: string;
  readonly lightCommand: string;
  readonly instances: string;
  /** Instance notices: {"count":1,"notices":{"i-…":"spot-interruption (terminate) due …"}}. */
  readonly notices: string;
  /** The update entity's state (JSON: installed and latest version, in progress, summary). */
  readonly update: string;
  /** The state topic of the binary sensor of one pixel's entry (by its sanitized object id). */
  pixel(objectId: string): string;
  /** Its attributes (JSON): acknowledged, by whom, snoozed until. */
  pixelAttributes(objectId: string): string;
  /** The command topic of one of BUTTONS. */
  button(objectId: HaButton): string;
  /** The discovery config topic of one entity. */
  config(component: 'light' | 'sensor' | 'binary_sensor' | 'button' | 'update', objectId: string): string;
}

/** Home Assistant's buttons: acknowledge every urgent pixel; snooze every urgent pixel for an hour. */
export const BUTTONS = ['acknowledge_all', 'snooze_all'] as const;
export type HaButton = (typeof BUTTONS)[number];
/** What Home Assistant sends when a button is pressed (its default `payload_press`). */
export const PAYLOAD_PRESS = 'PRESS';

export interface DiscoveryMessage {
  readonly topic: string;
  /** JSON; "" removes the entity (an empty retained config). */
  readonly payload: string;
}

/** Largest object id we make: Home Assistant takes more, but entity ids this long are unreadable. */
const MAX_OBJECT_ID = 64;

/** 32-bit FNV-1a, as 7 base-36 digits: tells apart two ids that sanitize alike. */
function shortHash(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(36).padStart(7, '0');
}

/**
 * A Home Assistant object id (also a topic level) for any text: lower-case [a-z0-9_]. An id that
 * changes when sanitized, or is long, gets a hash of the original, so two ids never collide.
 */
export function objectId(text: string): string {
  const clean = text
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, '_')
    .replace(/^_+|_+$/g, '');
  if (clean === text && clean.length > 0 && clean.length <= MAX_OBJECT_ID) return clean;
  return `${clean.slice(0, MAX_OBJECT_ID - 8)}_${shortHash(text)}`.replace(/^_/, '');
}

export function haTopics(discoveryPrefix: string, nodeId: string): HaTopics {
  const base = `ec2led/${nodeId}`;
  return {
    availability: `${base}/availability`,
    lightState: `${base}/light/state`,
    lightCommand: `${base}/light/set`,
    instances: `${base}/instances`,
    notices: `${base}/notices`,
    update: `${base}/update`,
    pixel: (id) => `${base}/pixel/${id}`,
    pixelAttributes: (id) => `${base}/pixel/${id}/attributes`,
    button: (id) => `${base}/button/${id}/press`,
    config: (component, id) => `${discoveryPrefix}/${component}/${nodeId}/${id}/config`,
  };
}

export interface DeviceInfo {
  readonly nodeId: string;
  /** The board kind, for the device's model ("unicornhatmini"). */
  readonly board: string;
  /** The agent's version (version.ts), the device's sw_version and the origin's. */
  readonly swVersion: string;
  /** The web board, when Home Assistant can reach it (webBoardUrl); none: left out. */
  readonly configurationUrl?: string | undefined;
}

/** Home Assistant's flash durations, in seconds: what it sends as `flash` (the short one is its default). */
export const FLASH_SHORT_S = 2;
export const FLASH_LONG_S = 10;
/** The longest flash obeyed, in seconds. */
const MAX_FLASH_S = 60;

function device(info: DeviceInfo) {
  return {
    identifiers: [`ec2led_${info.nodeId}`],
    name: `ec2-led ${info.nodeId}`,
    manufacturer: 'ec2-led',
    model: info.board,
    sw_version: info.swVersion,
    ...(info.configurationUrl === undefined ? {} : { configuration_url: info.configurationUrl }),
  };
}

/** What published the discovery configs (Home Assistant logs it with each entity). */
function origin(info: DeviceInfo) {
  return { name: 'ec2-led', sw_version: info.swVersion };
}

const LOOPBACK = /^(127\.|::1$|localhost$)/i;
const ANY_ADDRESS = new Set(['0.0.0.0', '::', '']);

/**
 * The web board's address as Home Assistant, on another machine, can open it; undefined when the
 * board is off, on an ephemeral port or on loopback only (the default 127.0.0.1). Listening on every
 * address, the board is named by the Pi's host name (`desk-pi.local`, mDNS, as Raspberry Pi OS has).
 */
export function webBoardUrl(
  config: Pick<Config, 'web'> & { readonly display: Pick<Config['display'], 'board'> },
  hostname: string,
): string | undefined {
  const { web } = config;
  if (!(web.enabled || config.display.board === 'web') || web.port === 0 || LOOPBACK.test(web.host))
    return undefined;
  let host = web.host;
  if (ANY_ADDRESS.has(host)) {
    if (!/^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*$/.test(hostname)) return undefined;
    host = hostname.includes('.') ? hostname : `${hostname}.local`;
  } else if (host.includes(':')) host = `[${host}]`;
  return `http://${host}:${web.port}/`;
}

/** One urgent-capable pixel: its binary sensor's name, state, and attributes (JSON). */
export interface UrgentPixel {
  readonly name: string;
  readonly urgent: boolean;
  readonly attributes: string;
}

/**
 * The binary sensor's attributes: `{"acknowledged": false}`, or with who acknowledged it and when,
 * and `snoozed_until` (ISO 8601) while snoozed.
 */
export function pixelAttributes(attention: ItemAttention | undefined): string {
  const a = attention?.acknowledged;
  const z = attention?.snoozed;
  return JSON.stringify({
    acknowledged: a !== undefined,
    ...(a === undefined ? {} : { acknowledged_by: a.by, acknowledged_at: new Date(a.atMs).toISOString() }),
    ...(z === undefined ? {} : { snoozed_by: z.by, snoozed_until: new Date(z.untilMs).toISOString() }),
  });
}

/** The pixels of an urgent-capable kind (one binary sensor each), by object id. */
export function urgentPixels(
  legend: Legend,
  capable: (kind: string) => boolean = urgentCapable,
): Map<string, UrgentPixel> {
  const out = new Map<string, UrgentPixel>();
  for (const { entry } of legend.pixels) {
    if (entry === null || !capable(entry.kind)) continue;
    const rules = KINDS[entry.kind] as { readonly urgent?: ReadonlySet<string> };
    out.set(objectId(`${entry.kind}_${entry.id}`), {
      name: entry.name === '' ? entry.id : entry.name,
      urgent: rules.urgent?.has(entry.state) === true,
      attributes: pixelAttributes(entry.attention),
    });
  }
  return out;
}

function urgentCapable(kind: string): boolean {
  const rules = KINDS[kind as keyof typeof KINDS] as { readonly urgent?: ReadonlySet<string> } | undefined;
  return (rules?.urgent?.size ?? 0) > 0;
}

/** The retained discovery configs of the light and the instance sensors. */
export function boardDiscovery(topics: HaTopics, info: DeviceInfo): DiscoveryMessage[] {
  const common = { availability_topic: topics.availability, device: device(info), origin: origin(info) };
  const light = {
    name: 'Board',
    unique_id: `${info.nodeId}_board`,
    default_entity_id: `light.${info.nodeId}_board`,
    schema: 'json',
    command_topic: topics.lightCommand,
    state_topic: topics.lightState,
    supported_color_modes: ['brightness'],
    brightness_scale: 255,
    flash: true,
    flash_time_short: FLASH_SHORT_S,
    flash_time_long: FLASH_LONG_S,
    ...common,
  };
  const sensors = INSTANCE_STATES.map((state) => {
    const id = objectId(`instances_${state}`);
    return {
      topic: topics.config('sensor', id),
      payload: JSON.stringify({
        name: `Instances ${state}`,
        unique_id: `${info.nodeId}_${id}`,
        default_entity_id: `sensor.${info.nodeId}_${id}`,
        state_topic: topics.instances,
        value_template: `{{ value_json[${JSON.stringify(state)}] }}`,
        unit_of_measurement: 'instances',
        state_class: 'measurement',
        icon: 'mdi:server',
        ...common,
      }),
    };
  });
  const update = {
    name: 'Software',
    unique_id: `${info.nodeId}_software`,
    default_entity_id: `update.${info.nodeId}_software`,
    device_class: 'firmware',
    state_topic: topics.update,
    ...common,
  };
  return [
    { topic: topics.config('light', 'board'), payload: JSON.stringify(light) },
    ...sensors,
    { topic: topics.config('update', 'software'), payload: JSON.stringify(update) },
  ];
}

/**
 * The update entity's state: the running version; while a job downloads or installs, the version it
 * brings as the latest and `in_progress`; the last outcome as the summary (at most 255 characters).
 */
export function updateState(update: LegendUpdate): string {
  const busy = update.phase !== 'idle';
  const last = update.last;
  const summary =
    last === undefined
      ? undefined
      : `Last update ${last.version} ${last.status}${last.status === 'SUCCEEDED' ? '' : `: ${last.reason}`}`.slice(
          0,
          255,
        );
  return JSON.stringify({
    installed_version: update.version,
    latest_version: busy ? (update.target ?? update.version) : update.version,
    in_progress: busy,
    title: 'ec2-led',
    ...(summary === undefined ? {} : { release_summary: summary }),
  });
}

const BUTTON_LOOKS: Readonly<Record<HaButton, { readonly name: string; readonly icon: string }>> = {
  acknowledge_all: { name: 'Acknowledge all', icon: 'mdi:check-all' },
  snooze_all: { name: 'Snooze all for 1 h', icon: 'mdi:alarm-snooze' },
};

/** The retained discovery configs of the two buttons (acknowledge all, snooze all). */
export function buttonDiscovery(topics: HaTopics, info: DeviceInfo): DiscoveryMessage[] {
  return BUTTONS.map((id) => ({
    topic: topics.config('button', id),
    payload: JSON.stringify({
      name: BUTTON_LOOKS[id].name,
      unique_id: `${info.nodeId}_${id}`,
      default_entity_id: `button.${info.nodeId}_${id}`,
      command_topic: topics.button(id),
      payload_press: PAYLOAD_PRESS,
      icon: BUTTON_LOOKS[id].icon,
      availability_topic: topics.availability,
      device: device(info),
      origin: origin(info),
    }),
  }));
}

/**
 * The instance notices sensor: how many instances have a notice showing, with each notice as an
 * attribute (instance id -> "code (action) due …, until …"), so an automation can act on a Spot
 * warning. Published beside boardDiscovery's.
 */
export function noticeDiscovery(topics: HaTopics, info: DeviceInfo): DiscoveryMessage {
  const id = objectId('instance_notices');
  return {
    topic: topics.config('sensor', id),
    payload: JSON.stringify({
      name: 'Instance notices',
      unique_id: `${info.nodeId}_${id}`,
      default_entity_id: `sensor.${info.nodeId}_${id}`,
      state_topic: topics.notices,
      value_template: '{{ value_json.count }}',
      json_attributes_topic: topics.notices,
      json_attributes_template: '{{ value_json.notices | tojson }}',
      unit_of_measurement: 'instances',
      icon: 'mdi:alert-circle-outline',
      availability_topic: topics.availability,
      device: device(info),
      origin: origin(info),
    }),
  };
}

/** The notices sensor's state: every pixel's notice, by instance id, in legend order (bounded by the board). */
export function noticeSummary(legend: Legend): string {
  const notices: Record<string, string> = {};
  for (const { entry } of legend.pixels) {
    const n = entry?.notice;
    if (entry === null || entry === undefined || n === undefined) continue;
    const at = (ms: number) => new Date(ms).toISOString();
    notices[entry.id] =
      `${n.code}${n.action === undefined ? '' : ` (${n.action})`}${n.urgent ? ' urgent' : ''} due ${at(n.startMs)}, until ${at(n.endMs)}`;
  }
  return JSON.stringify({ count: Object.keys(notices).length, notices });
}

/** The discovery config of one pixel's binary sensor. */
export function pixelDiscovery(
  topics: HaTopics,
  info: DeviceInfo,
  id: string,
  name: string,
): DiscoveryMessage {
  return {
    topic: topics.config('binary_sensor', id),
    payload: JSON.stringify({
      name,
      unique_id: `${info.nodeId}_${id}`,
      default_entity_id: `binary_sensor.${info.nodeId}_${id}`,
      state_topic: topics.pixel(id),
      json_attributes_topic: topics.pixelAttributes(id),
      device_class: 'problem',
      availability_topic: topics.availability,
      device: device(info),
      origin: origin(info),
    }),
  };
}

/**
 * The light's state, Home Assistant's JSON schema: {"state":"ON","brightness":128,"color_mode":"brightness"}.
 * A lit level too low for 1/255 still says brightness 1: "ON" at 0 reads as off in Home Assistant.
 */
export function lightState(brightness: LegendBrightness | undefined, configured: number): string {
  const level = brightness?.level ?? configured;
  if (level === 'off' || level === 0) return JSON.stringify({ state: 'OFF' });
  return JSON.stringify({
    state: 'ON',
    brightness: Math.max(1, Math.round(level * 255)),
    color_mode: 'brightness',
  });
}

/** How many instances are in each state: {"pending":0,"running":3,...}, every state present. */
export function instanceCounts(fleet: Fleet): string {
  const counts: Record<string, number> = Object.fromEntries(INSTANCE_STATES.map((state) => [state, 0]));
  for (const instance of fleet.values()) {
    if (instance.kind === INSTANCE_KIND) counts[instance.state] = (counts[instance.state] ?? 0) + 1;
  }
  return JSON.stringify(counts);
}

export type LightCommand =
  | { readonly ok: true; readonly action: 'level'; readonly level: Level }
  | { readonly ok: true; readonly action: 'flash'; readonly durationMs: number }
  | { readonly ok: false; readonly reason: string };

/** The lowest lit level: 1/255 rounded up, so the display's 0-255 level is at least 1. */
export const MIN_LIT_LEVEL = 0.004;

/**
 * A command on the light's command topic: {"state":"OFF"}, {"state":"ON"} (back to `onLevel`: the
 * level now if lit, else display.brightness), {"state":"ON","brightness":0-255} (0 is off; any other
 * is at least MIN_LIT_LEVEL), {"state":"ON","flash":2} (blink the whole board for 2 s, nothing else).
 * Other keys Home Assistant may send (transition) are ignored.
 */
export function parseLightCommand(payload: string, onLevel: number): LightCommand {
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload);
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return { ok: false, reason: 'not a JSON object' };
  }
  const { state, brightness, flash } = parsed as { state?: unknown; brightness?: unknown; flash?: unknown };
  if (state !== 'ON' && state !== 'OFF') return { ok: false, reason: 'state is not "ON" or "OFF"' };
  if (flash !== undefined) {
    if (typeof flash !== 'number' || !(flash > 0 && flash <= MAX_FLASH_S)) {
      return { ok: false, reason: `flash is not a number of seconds above 0, at most ${MAX_FLASH_S}` };
    }
    return { ok: true, action: 'flash', durationMs: Math.round(flash * 1000) };
  }
  if (state === 'OFF') return { ok: true, action: 'level', level: 'off' };
  if (brightness === undefined) return { ok: true, action: 'level', level: onLevel };
  if (typeof brightness !== 'number' || !(brightness >= 0 && brightness <= 255)) {
    return { ok: false, reason: 'brightness is not a number from 0 to 255' };
  }
  if (brightness === 0) return { ok: true, action: 'level', level: 'off' };
  const level = Math.max(MIN_LIT_LEVEL, Math.round((brightness / 255) * 1000) / 1000);
  return { ok: true, action: 'level', level };
}
