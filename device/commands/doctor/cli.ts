/**
 * `ec2led doctor`: checks this Pi one step at a time, one line per check naming the fix, and exits 1
 * when any check fails. Every check has its own time limit (--timeout). Checks that need an earlier
 * one (a valid config, credentials) are skipped when it failed, saying which.
 */
import { parseArgs } from 'node:util';
import type { AwsCredentials } from '../../sources/credentials.ts';
import { RECOMMENDED_NODE } from '../cli/node-version.ts';
import { account, realSystem, type System } from '../service/system.ts';
import { SERVICE_USER } from '../service/unit.ts';
import { type CheckResult, fail, formatResults, ok, skip, withLimit } from './check.ts';
import {
  checkArch,
  checkBoard,
  checkCa,
  checkCertificateAndKey,
  checkConfig,
  checkNode,
  checkWatchdogModule,
} from './local-checks.ts';
import {
  checkClock,
  checkCredentialsEndpoint,
  checkDescribeInstances,
  checkMqttEndpoint,
  fetchCredentials,
} from './network-checks.ts';

export const DOCTOR_USAGE = `ec2led doctor — check this Pi, one line per check with its fix

Examples:
  sudo ec2led doctor                          # /etc/ec2led/config.json, as the service sees it
  ec2led doctor --config ./ec2led-desk-pi/config.json
  sudo ec2led doctor --json | jq '.checks[] | select(.status == "fail")'

Checks: arch (arm64 or x86-64), node (${RECOMMENDED_NODE} recommended, 22 supported, 20 works), watchdog
(unix-dgram loads), config, certificate (readable by the ec2led user, parseable, key matches), ca,
board (bus present and open to ec2led, its groups), mqtt and credentials-tls (resolve, TLS with the
device certificate), credentials (the IoT credentials provider), ec2 (DescribeInstances in every
region), clock (NTP, the time-sync wait, within 60 s of the credentials endpoint's Date header);
with a wled list in the config, wled (each device answers; if not, mDNS names those on the LAN).

Flags:
  --config FILE     default /etc/ec2led/config.json or $EC2LED_CONFIG
  --json            the results as JSON
  --timeout SECONDS the limit per check, default 10
  --root DIR        read /etc/passwd, /etc/group, /dev and /proc under DIR (tests and images)
Exit codes: 0 nothing failed (warnings allowed), 1 a check failed, 2 bad usage.
`;

export interface DoctorDeps {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly arch?: string;
  readonly nodeVersion?: string;
  readonly system?: System;
  readonly now?: () => number;
}

export interface DoctorOptions {
  readonly configPath: string | undefined;
  readonly root: string;
  readonly timeoutMs: number;
}

/** Runs every check in order; never throws. */
export async function runChecks(options: DoctorOptions, deps: DoctorDeps): Promise<CheckResult[]> {
  const env = deps.env ?? process.env;
  const system = deps.system ?? realSystem('/', options.timeoutMs);
  const now = deps.now ?? Date.now;
  const limit = options.timeoutMs;
  const results: CheckResult[] = [
    checkArch(deps.arch ?? process.arch),
    checkNode(deps.nodeVersion ?? process.version),
    await checkWatchdogModule(),
  ];
  const { result, loaded } = checkConfig(options.configPath, env);
  results.push(result);
  const later = ['certificate', 'ca', 'board', 'mqtt', 'credentials-tls', 'credentials', 'ec2', 'clock'];
  if (loaded === undefined) {
    for (const name of later) results.push(skip(name, 'needs a valid config'));
    return results;
  }
  const { config } = loaded;
  const user = await account(options.root, SERVICE_USER);
  const local = (name: string, check: () => Promise<CheckResult>) =>
    withLimit(name, limit, 'check the file system (a hung mount?)', () => check());
  results.push(await local('certificate', () => checkCertificateAndKey(config, user)));
  results.push(await local('ca', () => checkCa(config, user)));
  results.push(await local('board', () => checkBoard(config, user, options.root)));
  results.push(
    await withLimit('mqtt', limit, 'check mqtt.endpoint, mqtt.port and the network', (signal) =>
      checkMqttEndpoint(config, signal),
    ),
  );
  let credentials: AwsCredentials | undefined;
  if (config.aws.credentials === 'iot') {
    results.push(
      await withLimit('credentials-tls', limit, 'check aws.credentialsEndpoint and the network', (signal) =>
        checkCredentialsEndpoint(config, signal),
      ),
    );
    results.push(
      await withLimit('credentials', limit, 'check aws.credentialsEndpoint and the network', async () => {
        try {
          credentials = await fetchCredentials(config, limit);
          return ok(
            'credentials',
            `role alias ${config.aws.roleAlias} gave credentials until ${credentials.expiration?.toISOString()}`,
          );
        } catch (error) {
          const [what, fix] = splitFix((error as Error).message);
          return fail('credentials', what, fix);
        }
      }),
    );
  } else {
    results.push(skip('credentials-tls', 'aws.credentials is "default": the AWS SDK chain'));
    results.push(skip('credentials', 'aws.credentials is "default": the AWS SDK chain'));
  }
  if (config.aws.credentials === 'iot' && credentials === undefined) {
    results.push(skip('ec2', 'needs credentials from the IoT credentials provider'));
  } else {
    const sdk = await import('@aws-sdk/client-ec2');
    results.push(
      await withLimit('ec2', limit, 'check aws.regions, aws.ec2Endpoint and the network', (signal) =>
        checkDescribeInstances(config, credentials, signal, sdk),
      ),
    );
  }
  results.push(
    await withLimit('clock', limit, 'check aws.credentialsEndpoint and the network', (signal) =>
      checkClock(config, system, now, signal),
    ),
  );
  if (config.buttons !== undefined) {
    const { checkButtons } = await import('./buttons-check.ts');
    const buttons = config.buttons;
    results.push(
      await withLimit('buttons', limit, 'install gpiod (sudo apt install gpiod)', () =>
        checkButtons(buttons),
      ),
    );
  }
  if (config.wled !== undefined) {
    const { checkWled } = await import('./wled-check.ts');
    const devices = config.wled;
    results.push(
      await withLimit('wled', limit, 'check wled.host and the network', () =>
        checkWled(devices, { timeoutMs: Math.min(limit, 3_000) }),
      ),
    );
  }
  return results;
}

/** "what happened; fix" -> [what happened, fix], for messages written in that shape. */
function splitFix(message: string): [string, string] {
  const at = message.lastIndexOf('; ');
  return at < 0
    ? [message, 'see docs/pi.md, troubleshooting']
    : [message.slice(0, at), message.slice(at + 2)];
}

export async function doctorMain(argv: readonly string[], deps: DoctorDeps): Promise<number> {
  let values: { config?: string; json?: boolean; timeout?: string; root?: string; help?: boolean };
  try {
    values = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        config: { type: 'string' },
        json: { type: 'boolean' },
        timeout: { type: 'string' },
        root: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (error) {
    deps.stderr(`ec2led doctor: ${(error as Error).message}; see ec2led doctor --help\n`);
    return 2;
  }
  if (values.help === true) {
    deps.stdout(DOCTOR_USAGE);
    return 0;
  }
  const seconds = values.timeout === undefined ? 10 : Number(values.timeout);
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 300) {
    deps.stderr(
      `ec2led doctor: --timeout ${JSON.stringify(values.timeout)} is invalid; use seconds from 1 to 300\n`,
    );
    return 2;
  }
  // The node check already says what the AWS SDK's Node-version notice would print mid-output.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const results = await runChecks(
    { configPath: values.config, root: values.root ?? '/', timeoutMs: seconds * 1000 },
    deps,
  );
  const failed = results.some((r) => r.status === 'fail');
  if (values.json === true) deps.stdout(`${JSON.stringify({ ok: !failed, checks: results }, null, 2)}\n`);
  else deps.stdout(formatResults(results));
  return failed ? 1 : 0;
}
