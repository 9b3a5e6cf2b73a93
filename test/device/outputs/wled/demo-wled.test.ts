/** `npm start -- --wled HOST[:PORT][,LAYOUT[,SCALE]]`: the flag, and the demo pipeline mirroring to a fake WLED. */
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../../device/base/log.ts';
import { parseConfig } from '../../../../device/config/config.ts';
import { parseDemoArgs } from '../../../../device/demo/main.ts';
import { startPipeline } from '../../../../device/demo/pipeline.ts';
import { parseWledTarget } from '../../../../device/outputs/wled/target.ts';
import { startFakeWled } from '../../../fakes/fake-wled.ts';
import { waitFor } from '../../../fakes/wait.ts';

describe('--wled', () => {
  it('reads HOST, an optional port, layout and scale, as a config entry', () => {
    expect(parseWledTarget('wled-desk.local')).toEqual({
      host: 'wled-desk.local',
      mapping: { layout: 'strip' },
    });
    expect(parseWledTarget('192.168.1.50:4049,serpentine,2')).toEqual({
      host: '192.168.1.50',
      port: 4049,
      mapping: { layout: 'serpentine', scale: 2 },
    });
    expect(parseDemoArgs(['--wled', 'a.local', '--wled', 'b.local,matrix'])).toMatchObject({
      wled: [{ host: 'a.local' }, { host: 'b.local', mapping: { layout: 'matrix' } }],
    });
    expect(parseDemoArgs([])).not.toHaveProperty('wled');
  });

  it('names the form on a bad value', () => {
    expect(() => parseWledTarget('http://wled')).toThrow('use HOST[:PORT][,LAYOUT[,SCALE]]');
    expect(() => parseWledTarget('wled,spiral')).toThrow('the layout is strip, serpentine or matrix');
    expect(() => parseWledTarget('wled,strip,0')).toThrow('the scale is a whole number from 1 to 16');
  });

  it('gives entries the config schema takes', () => {
    const wled = [parseWledTarget('wled.local:4048,serpentine,2')];
    const config = parseConfig({
      mqtt: { endpoint: 'localhost', clientId: 'demo', tls: false },
      aws: { credentials: 'default', accounts: ['123456789012'], regions: ['eu-west-1'] },
      display: { board: 'none' },
      wled,
    });
    expect(config.wled?.[0]).toMatchObject({ host: 'wled.local', port: 4048, protocol: 'ddp' });
  });

  it('mirrors the demo pipeline to a WLED', async () => {
    const fake = await startFakeWled(16);
    const pipeline = await startPipeline({
      instances: [
        {
          instanceId: 'i-0000000000000000b',
          region: 'eu-west-1',
          account: '123456789012',
          name: 'demo-web',
          initial: 'running',
          tags: { Name: 'demo-web' },
        },
      ],
      accounts: ['123456789012'],
      regions: ['eu-west-1'],
      board: 'none',
      width: 4,
      height: 4,
      log: silentLogger,
      wled: [
        { host: '127.0.0.1', port: fake.ddpPort, httpPort: fake.httpPort, mapping: { layout: 'strip' } },
      ],
    });
    try {
      await waitFor('a lit LED', () => fake.frames.at(-1)?.some((c) => c > 0), 8_000);
      expect(fake.frames.at(-1)).toHaveLength(16 * 3);
    } finally {
      await pipeline.stop();
      await fake.stop();
    }
    expect(JSON.parse(fake.posts.at(-1) as string)).toMatchObject({ live: false });
  });
});
