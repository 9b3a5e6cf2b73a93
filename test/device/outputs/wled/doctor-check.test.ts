/** Doctor's `wled` check against fake WLEDs on 127.0.0.1; the mDNS step is injected (no multicast). */
import { afterEach, describe, expect, it } from 'vitest';
import { checkWled } from '../../../../device/commands/doctor/wled-check.ts';
import { type FakeWled, startFakeWled } from '../../../fakes/fake-wled.ts';

const fakes: FakeWled[] = [];
afterEach(async () => {
  for (const fake of fakes.splice(0)) await fake.stop();
});

describe('doctor: wled', () => {
  it('is ok when every device answers, naming its LED count', async () => {
    const fake = await startFakeWled(256);
    fakes.push(fake);
    const result = await checkWled(
      [{ host: '127.0.0.1', httpPort: fake.httpPort, protocol: 'ddp', mapping: { layout: 'matrix' } }],
      { timeoutMs: 1_000, discover: async () => [] },
    );
    expect(result).toEqual({ name: 'wled', status: 'ok', detail: 'answering: 127.0.0.1 (256 LEDs, ddp)' });
  });

  it('warns when one does not answer, naming the devices mDNS found', async () => {
    const fake = await startFakeWled(16);
    fakes.push(fake);
    const port = fake.httpPort;
    await fake.stop();
    const result = await checkWled(
      [{ host: '127.0.0.1', port, protocol: 'json', mapping: { layout: 'strip' } }],
      {
        timeoutMs: 1_000,
        discover: async () => [{ name: 'desk', host: 'wled-desk.local', address: '192.168.1.50', port: 80 }],
      },
    );
    expect(result.status).toBe('warn');
    expect(result.detail).toContain(`GET http://127.0.0.1:${port}/json/si failed (ECONNREFUSED)`);
    expect(result.fix).toBe(
      'check that the device is on and wled.host is right (on this LAN: wled-desk.local (192.168.1.50)); the board runs without it',
    );
  });
});
