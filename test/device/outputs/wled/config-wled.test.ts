/** Config `wled`: absent sends nothing; present, defaults filled and every bad value names its fix. */
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../../../device/config/config.ts';

const BASE = {
  mqtt: { endpoint: 'localhost', clientId: 'board-1', tls: false },
  aws: { credentials: 'default', accounts: ['111111111111'], regions: ['eu-west-1'] },
  display: { board: 'none' },
};

function problems(extra: Record<string, unknown>): readonly string[] {
  try {
    parseConfig({ ...BASE, ...extra });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('config: wled', () => {
  it('is absent by default: no device, nothing sent', () => {
    expect('wled' in parseConfig(BASE)).toBe(false);
  });

  it('takes a strip and a 16x16 matrix, DDP by default', () => {
    const config = parseConfig({
      ...BASE,
      wled: [
        { host: 'wled-strip.local', mapping: { layout: 'strip', scale: 2 } },
        {
          host: '192.168.1.50',
          protocol: 'json',
          mapping: {
            layout: 'serpentine',
            width: 16,
            height: 16,
            origin: 'bottom-left',
            rotation: 90,
            scale: 2,
          },
          maxBrightness: 0.4,
        },
      ],
    });
    expect(config.wled?.map((d) => d.protocol)).toEqual(['ddp', 'json']);
    expect(config.wled?.[1]?.mapping).toMatchObject({ origin: 'bottom-left', rotation: 90 });
  });

  it('names the key, the value and the fix of every bad value', () => {
    const found = problems({
      wled: [
        {
          host: 'bad host!',
          port: 70_000,
          protocol: 'e131',
          mapping: { layout: 'spiral', rotation: 45, scale: 0, origin: 'middle' },
          maxBrightness: 2,
          colour: 'red',
        },
      ],
    });
    const text = found.join('\n');
    expect(text).toContain(
      'wled.0.host = "bad host!" is invalid: wrong format; use the WLED device\'s host name',
    );
    expect(text).toContain('wled.0.port = 70000 is invalid');
    expect(text).toContain('use "ddp" (default) or "json"');
    expect(text).toContain('wled.0.mapping.layout = "spiral" is invalid');
    expect(text).toContain('use "strip", "serpentine" (zig-zag matrix) or "matrix"');
    expect(text).toContain('wled.0.mapping.rotation = 45 is invalid');
    expect(text).toContain('use 0, 90, 180 or 270');
    expect(text).toContain('wled.0.mapping.scale = 0 is invalid');
    expect(text).toContain('wled.0.mapping.origin = "middle" is invalid');
    expect(text).toContain('wled.0.maxBrightness = 2 is invalid');
    expect(text).toContain('unknown key wled.0.colour');
  });

  it('refuses matrix keys on a strip, and a device without its mapping', () => {
    expect(
      problems({ wled: [{ host: 'wled.local', mapping: { layout: 'strip', height: 8, rotation: 90 } }] }),
    ).toEqual([
      'wled.0.mapping.height means nothing for a strip: remove it, or use "layout": "matrix" or "serpentine"',
      'wled.0.mapping.rotation means nothing for a strip: remove it, or use "layout": "matrix" or "serpentine"',
    ]);
    expect(problems({ wled: [{ host: 'wled.local' }] }).join('\n')).toContain(
      'wled.0.mapping is missing: expected object, received undefined; use { "layout": "serpentine", "width": 16, "height": 16 }',
    );
    expect(problems({ wled: [] }).join('\n')).toContain('use a list of 1-8 devices');
  });
});
