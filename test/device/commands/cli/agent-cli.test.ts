/**
 * `ec2led agent` and `ec2led status` as a user runs them: the real bin/ec2led.js in a child process
 * (signals, exit codes, stdout/stderr), against a world on 127.0.0.1. The child is killed by its PID.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { statusMain } from '../../../../device/commands/cli/status.ts';
import { connectPublisher } from '../../../fakes/mqtt-publisher.ts';
import { delay, waitFor, waitForAsync } from '../../../fakes/wait.ts';
import { ACCOUNT, instance, REGION, startWorld, type World } from '../../../fakes/world.ts';

const BIN = fileURLToPath(new URL('../../../../bin/ec2led.js', import.meta.url));
const HOSTILE = 'evil\u001b]0;pwned\u0007\u001b[31mred\u202Eeman';
let world: World;
let child: ChildProcess | undefined;

interface Run {
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function run(args: string[], env: Record<string, string> = {}): Run {
  const proc = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, NODE_NO_WARNINGS: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child = proc;
  let out = '';
  let err = '';
  proc.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  proc.stderr?.on('data', (chunk: Buffer) => {
    err += chunk.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child: proc, stdout: () => out, stderr: () => err, exited };
}

async function statusOf(args: string[]) {
  let out = '';
  let err = '';
  const code = await statusMain(args, {
    stdout: (t) => {
      out += t;
    },
    stderr: (t) => {
      err += t;
    },
    env: {},
    columns: 120,
    isTty: false,
  });
  return { code, out, err };
}

beforeAll(async () => {
  world = await startWorld([instance(1, 'running', 'web'), instance(2, 'stopped', HOSTILE)]);
});

afterEach(() => {
  if (child !== undefined && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  child = undefined;
});

afterAll(async () => {
  await world?.close();
});

describe('ec2led agent', () => {
  it('runs until SIGTERM, serves its legend to ec2led status, then exits 0 within 2 s', async () => {
    const agent = run(['agent', '--config', world.configPath]);
    await waitFor('synced log line', () => agent.stderr().includes('"msg":"synced"'), 15_000);
    const status = await waitForAsync('a synced legend', async () => {
      const result = await statusOf(['--config', world.configPath]);
      return result.out.includes('· synced') ? result : undefined;
    });
    expect(status.err).toBe('');
    expect(status.code).toBe(0);
    expect(status.out).toContain('connected');
    expect(status.out).toMatch(/1,0 +i-00000000000000001 +web +running +eu-west-1/);
    expect(status.out).toContain('evilredeman');
    for (const control of ['\u001b', '\u0007', '\u202E']) expect(status.out).not.toContain(control);
    const json = await statusOf(['--config', world.configPath, '--json']);
    expect(JSON.parse(json.out).pixels.filter((p: { entry: unknown }) => p.entry !== null)).toHaveLength(2);

    const stoppedAt = Date.now();
    agent.child.kill('SIGTERM');
    const { code } = await agent.exited;
    expect(code).toBe(0);
    expect(Date.now() - stoppedAt).toBeLessThan(2_000);
    expect(existsSync(join(world.stateDir, 'agent.sock'))).toBe(false);
    expect(agent.stderr()).toContain('"msg":"stopped"');
    for (const line of agent.stderr().trim().split('\n')) expect(() => JSON.parse(line)).not.toThrow();
  });

  it('refuses to start beside a running agent instead of fighting over the client id', async () => {
    const first = run(['agent', '--config', world.configPath]);
    await waitFor('first agent up', () => first.stderr().includes('"msg":"agent started"'), 15_000);
    const second = spawn(process.execPath, [BIN, 'agent', '--config', world.configPath], {
      env: { ...process.env, NODE_NO_WARNINGS: '1' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    second.stderr?.on('data', (chunk: Buffer) => {
      err += chunk.toString();
    });
    const code = await new Promise<number | null>((resolve) => second.once('exit', resolve));
    expect(code).toBe(1);
    expect(err).toMatch(/another ec2led agent answers on .*agent\.sock/);
    first.child.kill('SIGINT');
    expect((await first.exited).code).toBe(0);
  });

  it('serves the web board when enabled, on a port of its own choosing', async () => {
    const agent = run(['agent', '--config', world.configPath], {
      EC2LED_WEB_ENABLED: 'true',
      EC2LED_WEB_PORT: '0',
    });
    const url = await waitFor(
      'web board url',
      () => /"msg":"web board listening".*"url":"(http:\/\/127\.0\.0\.1:\d+\/)"/.exec(agent.stderr())?.[1],
      15_000,
    );
    const board = await waitForAsync('a synced board', async () => {
      const view = (await (await fetch(`${url}api/board`)).json()) as { synced: boolean; pixels: unknown[] };
      return view.synced ? view : undefined;
    });
    expect(board.pixels.filter((p) => (p as { entry: unknown }).entry !== null)).toHaveLength(2);
    agent.child.kill('SIGTERM');
    expect((await agent.exited).code).toBe(0);
  });

  it('with web.metrics alone, serves /metrics on 127.0.0.1 and no board', async () => {
    const agent = run(['agent', '--config', world.configPath], {
      EC2LED_WEB_METRICS: 'true',
      EC2LED_WEB_PORT: '0',
    });
    const url = await waitFor(
      'metrics url',
      () =>
        /"msg":"metrics listening".*"url":"(http:\/\/127\.0\.0\.1:\d+\/metrics)"/.exec(agent.stderr())?.[1],
      30_000,
    );
    const listed = await waitForAsync(
      'a listing counted',
      async () => {
        const families = parsePrometheusTextFormat(await (await fetch(url)).text());
        const listings = families.find((f) => f.name === 'ec2led_listings_total')?.metrics[0]?.value;
        return Number(listings) >= 1 ? families : undefined;
      },
      15_000,
    );
    expect(listed.find((f) => f.name === 'ec2led_instances')?.type).toBe('GAUGE');
    expect((await fetch(new URL('/api/board', url))).status).toBe(404);
    expect(agent.stderr()).not.toContain('web board listening');
    agent.child.kill('SIGTERM');
    expect((await agent.exited).code).toBe(0);
    // Start-up alone took over 15 s on 2 cores shared with a whole suite.
  }, 45_000);

  it('exits 2 on a bad config value, naming the key, its source and the fix', async () => {
    const agent = run(['agent', '--config', world.configPath], { EC2LED_RESYNC_MINUTES: 'often' });
    const { code } = await agent.exited;
    expect(code).toBe(2);
    expect(agent.stderr()).toMatch(/resyncMinutes \(from EC2LED_RESYNC_MINUTES\) = "often" is invalid/);
  });

  it('exits 0 and removes agent.sock when SIGTERM arrives during start-up', async () => {
    const sock = join(world.stateDir, 'agent.sock');
    const agent = run(['agent', '--config', world.configPath]);
    // The socket is made before the agent (and aws-crt) start: a signal now lands mid start-up.
    await waitFor('agent.sock', () => existsSync(sock), 15_000, 2);
    const early = agent.stderr().includes('"msg":"agent started"');
    agent.child.kill('SIGTERM');
    const { code, signal } = await agent.exited;
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    expect(existsSync(sock)).toBe(false);
    expect(agent.stderr()).toContain('"msg":"stopped"');
    if (!early) expect(agent.stderr()).toContain('"during":"start-up"');
  });

  it('exits 2 at start naming mqtt.key when the key does not belong to the certificate', async () => {
    const agent = run(['agent', '--config', world.configPath], { EC2LED_MQTT_KEY: world.pki.server.key });
    expect((await agent.exited).code).toBe(2);
    expect(agent.stderr()).toContain(
      `mqtt.key = ${JSON.stringify(world.pki.server.key)} (from EC2LED_MQTT_KEY) does not belong to mqtt.cert`,
    );
    expect(agent.stderr()).not.toContain('agent started');
  });

  it('exits 1 and says why when aws-crt cannot build the TLS context from files node accepts', async () => {
    // An Ed25519 pair parses and matches in node:crypto, but aws-crt (s2n) refuses it:
    // AWS_IO_TLS_CTX_ERROR. Idling on a blank board would hide that; exit 1 lets systemd retry.
    const cert = join(world.dir, 'ed25519.pem');
    const key = join(world.dir, 'ed25519.key');
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'ed25519', '-nodes', '-keyout', key, '-out', cert].concat([
        '-subj',
        '/CN=ec2led-ed25519',
        '-days',
        '1',
      ]),
      { stdio: 'ignore', timeout: 10_000 },
    );
    const agent = run(['agent', '--config', world.configPath], {
      EC2LED_MQTT_CERT: cert,
      EC2LED_MQTT_KEY: key,
    });
    const { code } = await agent.exited;
    expect(code).toBe(1);
    expect(agent.stderr()).toMatch(
      /"msg":"agent failed".*AWS_IO_TLS_CTX_ERROR.*check mqtt\.cert, mqtt\.key, mqtt\.ca/,
    );
    expect(existsSync(join(world.stateDir, 'agent.sock'))).toBe(false);
  });

  it('into a pipe, the terminal board writes plain text on change, not 20 frames a second', async () => {
    const agent = run(['agent', '--config', world.configPath, '--display', 'terminal']);
    await waitFor('synced log line', () => agent.stderr().includes('"msg":"synced"'), 15_000);
    await waitFor('the synced legend', () => agent.stdout().includes('· synced'), 5_000);
    // pending pulses: on a terminal that is an animation frame every 50 ms
    await world.publish('i-00000000000000001', 'pending', Date.now());
    await waitFor('the pending row', () => /i-00000000000000001 +web +pending/.test(agent.stdout()), 5_000);
    const before = agent.stdout().length;
    await delay(1_500);
    expect(agent.stdout().length).toBe(before);
    expect(agent.stdout()).not.toContain('\u001b');
    agent.child.kill('SIGTERM');
    expect((await agent.exited).code).toBe(0);
  });

  it('draws on no board by default when stdout is not a terminal, and says so', async () => {
    const { display: _, ...raw } = world.raw;
    const configPath = join(world.dir, 'no-display.json');
    writeFileSync(configPath, JSON.stringify(raw));
    const agent = run(['agent', '--config', configPath]);
    await waitFor('display opened', () => agent.stderr().includes('"msg":"display opened"'), 15_000);
    expect(agent.stderr()).toMatch(/"msg":"display opened".*"board":"none"/);
    expect(agent.stderr()).toContain('display.board is not set and stdout is not a terminal');
    agent.child.kill('SIGTERM');
    expect((await agent.exited).code).toBe(0);
    expect(agent.stdout()).toBe('');
  });

  it('survives 0-byte publishes and applies the next good message', async () => {
    const agent = run(['agent', '--config', world.configPath]);
    await waitFor('synced log line', () => agent.stderr().includes('"msg":"synced"'), 15_000);
    const publisher = await connectPublisher(world.broker.port, world.pki);
    try {
      const topic = `ec2led/v1/${ACCOUNT}/${REGION}/i-00000000000000001`;
      for (const qos of [0, 1] as const) {
        for (const retain of [false, true]) await publisher.publish(topic, '', { qos, retain });
      }
    } finally {
      await publisher.close();
    }
    await world.publish('i-00000000000000002', 'pending', Date.now());
    const status = await waitForAsync('the change after the empty payloads', async () => {
      const result = await statusOf(['--config', world.configPath]);
      return /i-00000000000000002 .* pending/.test(result.out) ? result : undefined;
    });
    expect(status.code).toBe(0);
    expect(agent.child.exitCode).toBeNull();
    expect(agent.stderr()).toContain('payload is empty');
    agent.child.kill('SIGTERM');
    expect((await agent.exited).code).toBe(0);
  });

  it('lists a pin outside the board with the other config problems, exit 2, before starting', async () => {
    const configPath = join(world.dir, 'pins.json');
    writeFileSync(configPath, JSON.stringify({ ...world.raw, resyncMinutes: 0, pins: { web: '4,0' } }));
    const agent = run(['agent', '--config', configPath]);
    expect((await agent.exited).code).toBe(2);
    const text = agent.stderr();
    expect(text).toMatch(
      /^ec2led agent: invalid configuration:\n {2}- resyncMinutes .*\n {2}- pins\.web \(from .*pins\.json\) = "4,0" is outside the 4x4 none board/,
    );
    expect(text).not.toContain('"msg"');
  });

  it('exits 2 on an unknown flag', async () => {
    const agent = run(['agent', '--colour']);
    expect((await agent.exited).code).toBe(2);
    expect(agent.stderr()).toMatch(/--colour.*ec2led agent --help/);
  });

  it('lists once, prints one frame with its legend on the terminal and exits 0', async () => {
    const agent = run(['agent', '--config', world.configPath, '--once', '--display', 'terminal']);
    const { code } = await agent.exited;
    expect(code).toBe(0);
    expect(agent.stdout()).toMatch(/i-00000000000000001 +web +running/);
    expect(agent.stdout()).not.toContain('\u001b[?1049h');
  });
});

describe('ec2led status', () => {
  it('exits 1 and says how to check when no agent answers', async () => {
    const status = await statusOf(['--config', world.configPath]);
    expect(status.code).toBe(1);
    expect(status.err).toMatch(/cannot reach the agent on .*agent\.sock .*systemctl status ec2led/);
  });

  it('exits 2 on a config it cannot read', async () => {
    const status = await statusOf(['--config', join(world.dir, 'missing.json')]);
    expect(status.code).toBe(2);
    expect(status.err).toMatch(/missing\.json does not exist/);
  });
});
