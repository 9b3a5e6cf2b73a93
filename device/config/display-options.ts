/**
 * The `display` section of the agent config: one strict zod schema, every field defaulted.
 * Embed it as `display: displayOptionsSchema.prefault({})`. With zod 4, `.default({})` would hand back
 * the bare `{}` without applying the inner defaults; `.prefault({})` parses it.
 */
import { z } from 'zod';
import { MAX_SUN_OFFSET_MINUTES, parseTimeOfDay } from '../brightness/schedule.ts';
import { remote, setting } from './config-table.ts';

/** The boards a config may name (`display.board`); outputs/display/open.ts opens each. */
export type BoardKind =
  | 'unicornhathd'
  | 'unicornhatmini'
  | 'rgbmatrix5x5'
  | 'ledshim'
  | 'unicornhat'
  | 'unicornphat'
  | 'terminal'
  | 'web'
  | 'none';

/** Every kind once; a Record so the compiler flags a kind added to the union but not here. */
const KINDS: Readonly<Record<BoardKind, true>> = {
  unicornhathd: true,
  unicornhatmini: true,
  rgbmatrix5x5: true,
  ledshim: true,
  unicornhat: true,
  unicornphat: true,
  terminal: true,
  web: true,
  none: true,
};

export const BOARD_KINDS = Object.keys(KINDS) as readonly BoardKind[];

const I2C_ADDRESS = /^(0x[0-9a-f]{1,2}|[0-9]{1,3})$/i;

/** A zod error callback naming the field, the bad value and the fix. */
function says(field: string, fix: string) {
  return (issue: { input?: unknown }) => `display.${field} ${JSON.stringify(issue.input)} is invalid: ${fix}`;
}

const AT_FIX = `use "HH:MM" (24-hour, the Pi's time zone), "sunrise" or "sunset", optionally with an offset such as "sunset-30m" (up to ${MAX_SUN_OFFSET_MINUTES}m)`;
const LEVEL_FIX = { error: says('schedule.entries[].brightness', 'use a number from 0 to 1, or "off"') };
const LATITUDE_FIX = 'use degrees from -90 to 90, north positive';
const LONGITUDE_FIX = 'use degrees from -180 to 180, east positive';

function badAddress(issue: { input?: unknown }): string {
  const { input } = issue;
  const shown = typeof input === 'number' ? `0x${input.toString(16)}` : JSON.stringify(input);
  return `display.i2cAddress ${shown} is invalid: use 0x03-0x77 (RGB Matrix 5x5: 0x74 or 0x77; LED SHIM: 0x75)`;
}

export const displayOptionsSchema = z
  .strictObject({
    /**
     * Which board to drive. Default 'terminal': runs anywhere (laptop, SSH) without native modules.
     * The agent's config loader picks 'none' instead when stdout is not a terminal (a service).
     * Set it explicitly on the Pi; HAT auto-detection needs the EEPROM at boot and the pHAT and
     * breakouts have none (docs/reference/users.md #9).
     */
    board: z
      .enum(BOARD_KINDS, { error: says('board', `use one of ${BOARD_KINDS.join(', ')}`) })
      .default('terminal')
      .meta(setting(undefined, 'EC2LED_DISPLAY_BOARD')),
    /**
     * Clockwise rotation of the picture on the board, in degrees. Default 0. 90 and 270 swap the
     * logical width and height, which changes the layout's slot grid.
     */
    rotation: z
      .literal([0, 90, 180, 270], { error: says('rotation', 'use 0, 90, 180 or 270') })
      .default(0)
      .meta(setting(undefined, 'EC2LED_DISPLAY_ROTATION', 'number')),
    /** Mirror left-right as seen on the board, after rotation. Default false; for boards wired mirrored. */
    flipX: z.boolean().default(false),
    /** Mirror top-bottom as seen on the board, after rotation. Default false. */
    flipY: z.boolean().default(false),
    /**
     * 0..1, default 0.5. Clamped to the board's safe cap (Unicorn HAT and pHAT: 0.5, docs/reference/hardware.md §2.2).
     * Lower is kinder at night and to the power supply; with gamma on, lit pixels never go fully dark
     * above 0 (see gamma.ts), but colours lose distinction at the bottom of the range.
     */
    brightness: z
      .number({ error: says('brightness', 'use a number from 0 (off) to 1 (full, capped per board)') })
      .min(0, { error: says('brightness', 'use a number from 0 (off) to 1 (full, capped per board)') })
      .max(1, { error: says('brightness', 'use a number from 0 (off) to 1 (full, capped per board)') })
      .default(0.5)
      .meta(remote(setting(undefined, 'EC2LED_DISPLAY_BRIGHTNESS', 'number'))),
    /**
     * Apply the LED gamma curve (docs/reference/hardware.md §7.1). Default true: perceived steps look even and
     * colours look as intended. False sends linear values: brighter mid-tones, washed-out colours.
     */
    gamma: z.boolean().default(true),
    /** I2C bus number, /dev/i2c-N. Default 1, the bus on the 40-pin header (docs/reference/hardware.md §1). */
    i2cBus: z
      .int({ error: says('i2cBus', 'use 1, the bus on the Pi header') })
      .min(0)
      .default(1),
    /**
     * 7-bit I2C address, a number or a "0x74" string. Default: the board's own (RGB Matrix 5x5 0x74,
     * its alternate 0x77; LED SHIM 0x75; docs/reference/hardware.md §5.1). Set it only when the address jumper is cut.
     */
    i2cAddress: z
      .union([z.int(), z.string().regex(I2C_ADDRESS, { error: badAddress })], { error: badAddress })
      .transform((value) => (typeof value === 'number' ? value : Number(value)))
      .pipe(z.int().min(0x03, { error: badAddress }).max(0x77, { error: badAddress }))
      .optional(),
    /** SPI bus number, /dev/spidevN.CE. Default 0, the bus on the header (docs/reference/hardware.md §1). */
    spiBus: z
      .int({ error: says('spiBus', 'use 0, the bus on the Pi header') })
      .min(0)
      .default(0),
    /**
     * WS2812 driver for the Unicorn HAT and pHAT. Default 'auto': 'leds0' on a Pi 5 (the ws2812-pio
     * kernel driver; no root, no native module), 'rpi-ws281x' on older Pis (native module, root,
     * DMA). Force one when model detection is wrong, e.g. in a container without /proc/device-tree.
     */
    ws2812Backend: z
      .enum(['auto', 'leds0', 'rpi-ws281x'], {
        error: says('ws2812Backend', "use 'auto', 'leds0' or 'rpi-ws281x'"),
      })
      .default('auto'),
    /** The ws2812-pio character device on a Pi 5. Default '/dev/leds0' (instance 0, docs/reference/hardware.md §2.4). */
    ledsDevice: z
      .string()
      .startsWith('/', { error: says('ledsDevice', 'use an absolute path such as /dev/leds0') })
      .default('/dev/leds0'),
    /**
     * DMA channel for rpi-ws281x on Pi <= 4. Default 10 (Pimoroni's choice): channel 5, the module's
     * own code default, is documented to corrupt SD cards on a Pi 3 (docs/reference/hardware.md §2.1, §6.1).
     */
    dmaChannel: z
      .int({ error: says('dmaChannel', 'use 10') })
      .min(0, { error: says('dmaChannel', 'use 10 (0-14 exist)') })
      .max(14, { error: says('dmaChannel', 'use 10 (0-14 exist)') })
      .default(10),
    /**
     * Size of the virtual boards (terminal, web, none), which have no size of their own; physical
     * boards ignore it. Default 16x16, the largest physical board, so the layout matches a HAT HD.
     */
    virtualWidth: z
      .int({ error: says('virtualWidth', 'use 1-64') })
      .min(1, { error: says('virtualWidth', 'use 1-64') })
      .max(64, { error: says('virtualWidth', 'use 1-64') })
      .default(16),
    virtualHeight: z
      .int({ error: says('virtualHeight', 'use 1-64') })
      .min(1, { error: says('virtualHeight', 'use 1-64') })
      .max(64, { error: says('virtualHeight', 'use 1-64') })
      .default(16),
    // Night mode (brightness/schedule.ts, docs/pi.md): one block, every message beside its key.
    /**
     * The brightness schedule. Absent (default): `brightness` all day. Each entry is a time of day on
     * the Pi's clock (its time zone, TZ) or the local sunrise/sunset, with a brightness or "off".
     */
    schedule: z
      .strictObject(
        {
          entries: z
            .array(
              z.strictObject({
                at: z
                  .string({ error: says('schedule.entries[].at', AT_FIX) })
                  .refine((text) => parseTimeOfDay(text) !== undefined, {
                    error: says('schedule.entries[].at', AT_FIX),
                  }),
                brightness: z.union(
                  [z.number().min(0, LEVEL_FIX).max(1, LEVEL_FIX), z.literal('off')],
                  LEVEL_FIX,
                ),
              }),
              { error: says('schedule.entries', 'use a list of { "at": "22:00", "brightness": 0.1 }') },
            )
            .min(1, {
              error: says('schedule.entries', 'list at least one { "at": "22:00", "brightness": "off" }'),
            }),
          /** Seconds each change fades over. Default 5; 0 switches at once. */
          fadeSeconds: z
            .number({ error: says('schedule.fadeSeconds', 'use a number of seconds from 0 to 600') })
            .min(0, { error: says('schedule.fadeSeconds', 'use a number of seconds from 0 to 600') })
            .max(600, { error: says('schedule.fadeSeconds', 'use a number of seconds from 0 to 600') })
            .default(5),
          /** Default false. True: an urgent pixel (an alarm in ALARM) lights, alone, while the schedule says "off". */
          urgentOverridesOff: z
            .boolean({ error: says('schedule.urgentOverridesOff', 'use true or false') })
            .default(false),
        },
        { error: says('schedule', 'use { "entries": [{ "at": "22:00", "brightness": "off" }] }') },
      )
      .optional()
      .meta(remote(setting(undefined))),
    /** Where the board is, for sunrise and sunset entries (computed locally, no network). */
    location: z
      .strictObject(
        {
          latitude: z
            .number({ error: says('location.latitude', LATITUDE_FIX) })
            .min(-90, { error: says('location.latitude', LATITUDE_FIX) })
            .max(90, { error: says('location.latitude', LATITUDE_FIX) }),
          longitude: z
            .number({ error: says('location.longitude', LONGITUDE_FIX) })
            .min(-180, { error: says('location.longitude', LONGITUDE_FIX) })
            .max(180, { error: says('location.longitude', LONGITUDE_FIX) }),
        },
        { error: says('location', 'use { "latitude": 52.52, "longitude": 13.40 }') },
      )
      .optional(),
  })
  .superRefine((display, context) => {
    const sunEntry = display.schedule?.entries.find((entry) => {
      const kind = parseTimeOfDay(entry.at)?.kind;
      return kind === 'sunrise' || kind === 'sunset';
    });
    if (sunEntry !== undefined && display.location === undefined) {
      context.addIssue({
        code: 'custom',
        path: ['location'],
        message: `display.schedule entry at ${JSON.stringify(sunEntry.at)} needs display.location: add { "latitude": ..., "longitude": ... } (degrees, north and east positive)`,
      });
    }
  });

export type DisplayOptions = z.infer<typeof displayOptionsSchema>;

/** Every default, for callers and tests that want a full options object. */
export const DEFAULT_DISPLAY_OPTIONS: DisplayOptions = displayOptionsSchema.parse({});
