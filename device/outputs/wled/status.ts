/**
 * The WLED devices in `ec2led status`: the agent's status socket adds `wled` (output.ts
 * `WledStatus`, one per configured device) beside the board; this reads it back, through one
 * schema, as one line per device. Host names and reasons come from the config and the network:
 * every cell is cut to length and stripped of control characters.
 */
import { z } from 'zod';

const statusSchema = z.array(
  z.looseObject({
    host: z.string().max(253),
    port: z.int(),
    protocol: z.enum(['ddp', 'json']),
    link: z.enum(['unknown', 'up', 'down']),
    leds: z.int().min(0),
    frames: z.int().min(0),
    outages: z.int().min(0),
    downSinceMs: z.number().optional(),
    reason: z.string().optional(),
  }),
);

function clean(text: string, max: number): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping them is the point
  const plain = text.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ');
  return plain.length > max ? `${plain.slice(0, max - 3)}...` : plain;
}

/** One line per WLED device in `wled` (the socket's field), none when absent or not that shape. */
export function wledStatusLines(wled: unknown, nowMs: number): string[] {
  const parsed = statusSchema.safeParse(wled);
  if (!parsed.success) return [];
  return parsed.data.map((d) => {
    const where = `wled ${clean(d.host, 64)}:${d.port} (${d.protocol}, ${d.leds} LEDs)`;
    if (d.link === 'up') return `${where}: mirroring, ${d.frames} frames sent`;
    if (d.link === 'unknown') return `${where}: not checked yet`;
    const since =
      d.downSinceMs === undefined ? '' : ` for ${Math.max(0, Math.round((nowMs - d.downSinceMs) / 1000))} s`;
    return `${where}: UNREACHABLE${since}, retrying: ${clean(d.reason ?? 'no answer', 160)}`;
  });
}
