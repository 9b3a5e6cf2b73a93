/**
 * `ec2led wled list`: the WLED devices on this LAN, found by one mDNS question (mdns.ts). Data to
 * stdout, messages to stderr. Sends nothing unless run.
 */
import { parseArgs } from 'node:util';
import { type DiscoverOptions, discoverWled, type FoundWled } from '../../outputs/wled/mdns.ts';
import type { Io } from './io.ts';

export const WLED_USAGE = `ec2led wled list — WLED devices on this LAN, found by mDNS (_wled._tcp)

Examples:
  ec2led wled list
  ec2led wled list --timeout 5
  ec2led wled list --json | jq -r '.[].host'

Sends one mDNS question (224.0.0.251, port 5353) when run; the agent itself never does. Put a
device's host in the config's wled list (docs/wled.md).

Flags:
  --timeout SECONDS  how long to listen for answers, default 2 (0.1-30)
  --json             the devices as JSON
Exit codes: 0 found at least one, 1 none found, 2 bad usage.
`;

export interface WledCliDeps extends Io {
  /** Where to ask (tests: a responder on 127.0.0.1); default the mDNS group. */
  readonly mdns?: Pick<DiscoverOptions, 'address' | 'port'>;
}

function table(devices: readonly FoundWled[]): string {
  const width = Math.max(...devices.map((d) => d.name.length), 4);
  const host = Math.max(...devices.map((d) => d.host.length), 4);
  return devices
    .map((d) => `${d.name.padEnd(width)}  ${d.host.padEnd(host)}  ${d.address ?? '-'}:${d.port}`)
    .join('\n');
}

export async function wledMain(argv: readonly string[], deps: WledCliDeps): Promise<number> {
  let timeoutMs: number;
  let json: boolean;
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        timeout: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (values.help === true) {
      deps.stdout(WLED_USAGE);
      return 0;
    }
    if (positionals.length !== 1 || positionals[0] !== 'list') {
      throw new Error(`expected "list", got ${JSON.stringify(positionals.join(' '))}`);
    }
    const seconds = values.timeout === undefined ? 2 : Number(values.timeout);
    if (!(seconds >= 0.1 && seconds <= 30)) {
      throw new Error(`--timeout ${values.timeout} is not a number of seconds from 0.1 to 30`);
    }
    timeoutMs = Math.round(seconds * 1000);
    json = values.json === true;
  } catch (error) {
    deps.stderr(`ec2led wled: ${(error as Error).message}; see ec2led wled --help\n`);
    return 2;
  }
  let devices: FoundWled[];
  try {
    devices = await discoverWled({ ...deps.mdns, timeoutMs });
  } catch (error) {
    deps.stderr(`ec2led wled list: ${(error as Error).message}\n`);
    return 1;
  }
  if (json) deps.stdout(`${JSON.stringify(devices, null, 2)}\n`);
  else if (devices.length > 0) deps.stdout(`${table(devices)}\n`);
  if (devices.length === 0) {
    deps.stderr(
      `ec2led wled list: no WLED answered within ${timeoutMs / 1000} s; is it on this LAN and on Wi-Fi? ` +
        "(WLED's mDNS name is in its WiFi settings)\n",
    );
    return 1;
  }
  return 0;
}
