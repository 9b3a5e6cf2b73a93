/**
 * Home Assistant's MQTT discovery payloads as its documentation describes them in 2026, as strict zod
 * schemas: every documented key with its type, and no other (an unknown key fails the parse, as
 * `object_id` now does: deprecated in 2025.10, home-assistant/core#151775, ignored since 2026.4,
 * home-assistant/core#164460; `default_entity_id` replaces it and names its domain, "light.foobar").
 *
 * Sources (home-assistant.io, source/_integrations/): light.mqtt.markdown "JSON schema -
 * Configuration" and its state payload, sensor.mqtt.markdown, binary_sensor.mqtt.markdown,
 * button.mqtt.markdown (command_template, command_topic required, device_class identify / restart /
 * update, payload_press default "PRESS", qos, retain; no state topic),
 * update.mqtt.markdown (its configuration variables and the JSON state payload; the keys as in
 * homeassistant/components/mqtt/update.py PLATFORM_SCHEMA and its JSON state handling), and
 * mqtt.markdown "Discovery payload" for the `origin` block; the device and origin keys as in
 * homeassistant/components/mqtt/schemas.py (MQTT_ENTITY_DEVICE_INFO_SCHEMA, MQTT_ORIGIN_INFO_SCHEMA).
 * `platform` is left out: it belongs to device-based discovery messages only.
 */
import { z } from 'zod';

const template = z.string();
const topic = z.string().min(1);
/** cv.configuration_url: http, https or homeassistant:// */
const configurationUrl = z.string().regex(/^(https?:\/\/[^\s/]+(\/\S*)?|homeassistant:\/\/\S+)$/);

const device = z
  .strictObject({
    configuration_url: configurationUrl.optional(),
    connections: z.array(z.tuple([z.string(), z.string()])).optional(),
    hw_version: z.string().optional(),
    identifiers: z.union([z.string(), z.array(z.string()).min(1)]).optional(),
    manufacturer: z.string().optional(),
    model: z.string().optional(),
    model_id: z.string().optional(),
    name: z.string().optional(),
    serial_number: z.string().optional(),
    suggested_area: z.string().optional(),
    sw_version: z.string().optional(),
    via_device: z.string().optional(),
  })
  .refine((d) => d.identifiers !== undefined || d.connections !== undefined, {
    message: 'a device needs identifiers or connections',
  });

const origin = z.strictObject({
  name: z.string().min(1),
  sw_version: z.string().optional(),
  support_url: configurationUrl.optional(),
});

/** Keys every MQTT entity takes (availability, device, origin, naming). */
const entity = {
  availability: z
    .array(
      z.strictObject({
        topic,
        payload_available: z.string().optional(),
        payload_not_available: z.string().optional(),
        value_template: template.optional(),
      }),
    )
    .optional(),
  availability_mode: z.enum(['all', 'any', 'latest']).optional(),
  availability_template: template.optional(),
  availability_topic: topic.optional(),
  payload_available: z.string().optional(),
  payload_not_available: z.string().optional(),
  default_entity_id: z.string().optional(),
  device: device.optional(),
  origin: origin.optional(),
  enabled_by_default: z.boolean().optional(),
  encoding: z.string().optional(),
  entity_category: z.string().optional(),
  entity_picture: z.string().optional(),
  icon: z.string().optional(),
  json_attributes_template: template.optional(),
  json_attributes_topic: topic.optional(),
  name: z.string().nullable().optional(),
  qos: z.union([z.literal(0), z.literal(1), z.literal(2)]).optional(),
  unique_id: z.string().optional(),
};

/** `default_entity_id` is `<domain>.<object id>`; a device needs a unique_id to attach to. */
function entityRules(domain: string) {
  return (config: {
    default_entity_id?: string | undefined;
    unique_id?: string | undefined;
    device?: unknown;
  }) =>
    (config.default_entity_id === undefined ||
      new RegExp(`^${domain}\\.[a-z0-9_]+$`).test(config.default_entity_id)) &&
    (config.device === undefined || config.unique_id !== undefined);
}

const COLOR_MODES = [
  'onoff',
  'brightness',
  'color_temp',
  'hs',
  'xy',
  'rgb',
  'rgbw',
  'rgbww',
  'white',
] as const;

export const lightJsonConfig = z
  .strictObject({
    ...entity,
    brightness: z.boolean().optional(),
    brightness_scale: z.int().min(1).optional(),
    color_temp_kelvin: z.boolean().optional(),
    command_topic: topic,
    effect: z.boolean().optional(),
    effect_list: z.union([z.string(), z.array(z.string())]).optional(),
    flash: z.boolean().optional(),
    flash_time_long: z.int().min(1).optional(),
    flash_time_short: z.int().min(1).optional(),
    max_kelvin: z.int().optional(),
    max_mireds: z.int().optional(),
    min_kelvin: z.int().optional(),
    min_mireds: z.int().optional(),
    optimistic: z.boolean().optional(),
    retain: z.boolean().optional(),
    schema: z.literal('json'),
    state_topic: topic.optional(),
    supported_color_modes: z
      .array(z.enum(COLOR_MODES))
      .refine((modes) => !(modes.includes('onoff') || modes.includes('brightness')) || modes.length === 1, {
        message: 'onoff or brightness must be the only color mode',
      })
      .optional(),
    transition: z.boolean().optional(),
    white_scale: z.int().min(1).optional(),
  })
  .refine(entityRules('light'), {
    message: 'default_entity_id must be light.<id>; a device needs a unique_id',
  });

export const sensorConfig = z
  .strictObject({
    ...entity,
    device_class: z.string().nullable().optional(),
    expire_after: z.int().min(0).optional(),
    force_update: z.boolean().optional(),
    last_reset_value_template: template.optional(),
    options: z.array(z.string()).min(1).optional(),
    state_class: z.enum(['measurement', 'measurement_angle', 'total', 'total_increasing']).optional(),
    state_topic: topic,
    suggested_display_precision: z.int().min(0).optional(),
    unit_of_measurement: z.string().nullable().optional(),
    value_template: template.optional(),
  })
  .refine(entityRules('sensor'), {
    message: 'default_entity_id must be sensor.<id>; a device needs a unique_id',
  });

export const binarySensorConfig = z
  .strictObject({
    ...entity,
    device_class: z.string().nullable().optional(),
    expire_after: z.int().min(0).optional(),
    force_update: z.boolean().optional(),
    off_delay: z.int().min(0).optional(),
    payload_off: z.string().optional(),
    payload_on: z.string().optional(),
    state_topic: topic,
    value_template: template.optional(),
  })
  .refine(entityRules('binary_sensor'), {
    message: 'default_entity_id must be binary_sensor.<id>; a device needs a unique_id',
  });

export const buttonConfig = z
  .strictObject({
    ...entity,
    command_template: template.optional(),
    command_topic: topic,
    device_class: z.enum(['identify', 'restart', 'update']).nullable().optional(),
    payload_press: z.string().optional(),
    retain: z.boolean().optional(),
  })
  .refine(entityRules('button'), {
    message: 'default_entity_id must be button.<id>; a device needs a unique_id',
  });

export const updateConfig = z
  .strictObject({
    ...entity,
    command_topic: topic.optional(),
    device_class: z.enum(['firmware']).nullable().optional(),
    display_precision: z.int().min(0).optional(),
    latest_version_template: template.optional(),
    latest_version_topic: topic.optional(),
    payload_install: z.string().optional(),
    release_summary: z.string().max(255).optional(),
    release_url: z.string().optional(),
    retain: z.boolean().optional(),
    state_topic: topic.optional(),
    title: z.string().optional(),
    value_template: template.optional(),
  })
  .refine(entityRules('update'), {
    message: 'default_entity_id must be update.<id>; a device needs a unique_id',
  });

/** The update entity's JSON state payload (installed_version is required for a known state). */
export const updateState = z.strictObject({
  installed_version: z.string().min(1),
  latest_version: z.string().min(1).optional(),
  title: z.string().optional(),
  release_summary: z.string().max(255).optional(),
  release_url: z.string().optional(),
  entity_picture: z.string().optional(),
  in_progress: z.boolean().optional(),
  update_percentage: z.number().min(0).max(100).nullable().optional(),
});

/** The JSON light's state payload, for a light whose only color mode is brightness (scale 255). */
export const lightJsonState = z.union([
  z.strictObject({ state: z.literal('OFF') }),
  z.strictObject({
    state: z.literal('ON'),
    brightness: z.int().min(1).max(255),
    color_mode: z.literal('brightness'),
  }),
]);
