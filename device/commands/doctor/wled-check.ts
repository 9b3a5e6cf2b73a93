/**
 * `ec2led doctor`'s `wled` check, run only when the config lists WLED devices: each must answer its
 * JSON API (`GET /json/si`). When one does not, one mDNS question (mdns.ts) names the WLED devices
 * that do answer on this LAN, so the fix can say which host to use. A WLED that is away is a
 * warning, not a failure: the agent runs without it (output.ts fails soft).
 */

import { parseStateInfo, wledHttp } from '../../outputs/wled/json-api.ts';
import { discoverWled, type FoundWled } from '../../outputs/wled/mdns.ts';
import type { WledDevice } from '../../outputs/wled/output.ts';
import { type CheckResult, ok, warn } from './check.ts';

export async function checkWled(
  devices: readonly WledDevice[],
  options: { readonly timeoutMs: number; readonly discover?: () => Promise<FoundWled[]> },
): Promise<CheckResult> {
  const answers = await Promise.all(
    devices.map(async (device) => {
      const port = device.protocol === 'json' ? (device.port ?? 80) : (device.httpPort ?? 80);
      try {
        const text = await wledHttp(
          { host: device.host, port },
          'GET',
          '/json/si',
          undefined,
          options.timeoutMs,
        );
        const info = parseStateInfo(text);
        if (info === undefined) return { device, problem: `${device.host}:${port} is not WLED's JSON API` };
        return { device, seen: `${device.host} (${info.ledCount ?? '?'} LEDs, ${device.protocol})` };
      } catch (error) {
        return { device, problem: (error as Error).message.replace(/; check wled.host.*$/, '') };
      }
    }),
  );
  const problems = answers.flatMap((a) => (a.problem === undefined ? [] : [a.problem]));
  const seen = answers.flatMap((a) => (a.seen === undefined ? [] : [a.seen]));
  if (problems.length === 0) return ok('wled', `answering: ${seen.join(', ')}`);
  const found = await (options.discover ?? (() => discoverWled({ timeoutMs: 2_000 })))().catch(() => []);
  const lan =
    found.length === 0
      ? 'no WLED answered mDNS on this LAN either'
      : `on this LAN: ${found.map((d) => `${d.host} (${d.address ?? '?'})`).join(', ')}`;
  return warn(
    'wled',
    `${problems.join('; ')}${seen.length === 0 ? '' : `; answering: ${seen.join(', ')}`}`,
    `check that the device is on and wled.host is right (${lan}); the board runs without it`,
  );
}
