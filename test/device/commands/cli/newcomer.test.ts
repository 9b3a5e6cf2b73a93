/**
 * What a newcomer meets on the command line: usage errors exit 2, `--once` says what its picture is,
 * and the AWS SDK's Node-version warning does not stand in front of every message. The spawned runs
 * use the real bin/ec2led.js against a credentials provider and FakeEc2 on 127.0.0.1 (no broker:
 * --once never connects to MQTT).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeAdvice, nodeMajor } from '../../../../device/commands/cli/node-version.ts';
import { onceCaption } from '../../../../device/commands/cli/once.ts';
import { type FakeEc2, startFakeEc2 } from '../../../../device/demo/fake-ec2.ts';
import { main } from '../../../../device/main.ts';
import { makeTestPki, type TestPki } from '../../../fakes/certs.ts';
import { type FakeCredentialsServer, startCredentialsServer } from '../../../fakes/credentials-server.ts';

const ACCOUNT = '123456789012';

const BIN = fileURLToPath(new URL('../../../../bin/ec2led.js', import.meta.url));
const SDK_WARNING = 'NodeVersionSupportWarning';

async function run(argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
  });
  return { code, stdout, stderr };
}

describe('usage errors', () => {
  it.each([
    [[]],
    [['device']],
    [['frobnicate']],
    [['agent', '--colour', 'red']],
    [['agent', 'extra']],
    [['status', '--colour']],
    [['replay']],
    [['replay', 'a.json', '--colour']],
    [['replay', 'a.json', '--board', 'huge']],
    [['device', 'create']],
    [['device', 'enrol', 'desk-pi']],
    [['device', 'create', 'desk-pi', '--colour', 'red']],
  ])('ec2led %j exits 2 with the message on stderr and nothing on stdout', async (argv) => {
    const { code, stdout, stderr } = await run(argv);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).not.toBe('');
  });

  it('prints the usage for a bare ec2led and a bare ec2led device', async () => {
    expect((await run([])).stderr).toMatch(/^ec2led — one LED pixel per EC2 instance\n\nExamples:/);
    expect((await run(['device'])).stderr).toMatch(
      /^ec2led device — enrol[\s\S]*missing command: create or delete\n$/,
    );
  });

  it('exits 0 for --help, with the usage on stdout', async () => {
    for (const argv of [['--help'], ['device', '--help'], ['replay', '--help'], ['agent', '--help']]) {
      const { code, stdout } = await run(argv);
      expect([argv, code, stdout.startsWith('ec2led')]).toEqual([argv, 0, true]);
    }
  });
});

describe('Node version advice', () => {
  it('reads the major of a Node version string', () => {
    expect([nodeMajor('v20.20.2'), nodeMajor('v24.1.0'), nodeMajor('20')]).toEqual([20, 24, undefined]);
  });

  it('says why Node 20 must go and which version to install, in one line', () => {
    const advice = nodeAdvice('v20.20.2');
    expect(advice).toBe(
      'node v20.20.2: runs today, but Node 20 is past end of life (April 2026) and AWS SDK releases ' +
        'after the first week of January 2027 need Node 22; install Node 24 (docs/pi.md)',
    );
    expect(nodeAdvice('v22.3.0')).toMatch(/^node v22\.3\.0: supported; Node 24 is recommended/);
    expect(nodeAdvice('v24.11.1')).toMatch(/^node v24\.11\.1: recommended/);
    for (const line of [advice, nodeAdvice('v22.3.0'), nodeAdvice('v24.1.0')])
      expect(line).not.toContain('\n');
  });

  it('ec2led --version prints the version on stdout and the advice for this Node on stderr', async () => {
    const { code, stdout, stderr } = await run(['--version']);
    expect([code, stdout]).toEqual([0, '0.1.0\n']);
    expect(stderr).toBe(`${nodeAdvice(process.version)}\n`);
  });
});

describe('--once', () => {
  it('captions the picture as one listing, not as connected', () => {
    const view = { width: 2, height: 1, connected: true, synced: true, overflow: 3, pixels: [] };
    const caption = onceCaption(view, Date.parse('2026-11-29T03:04:05.678Z'));
    expect(caption).toBe(
      'ec2-led · listed once at 2026-11-29T03:04:05Z · no live feed (run without --once to follow changes) · ' +
        '3 more instances than pixels',
    );
    expect(caption).not.toMatch(/connected/i);
  });
});

describe('ec2led agent --once as a user runs it', () => {
  let pki: TestPki;
  let credentials: FakeCredentialsServer;
  let ec2: FakeEc2;
  let dir: string;
  let configPath: string;

  beforeAll(async () => {
    pki = makeTestPki(`ec2led-newcomer-${process.pid}`);
    credentials = await startCredentialsServer(pki, 'ec2led-device');
    ec2 = await startFakeEc2({ host: '127.0.0.1', port: 0, account: ACCOUNT });
    ec2.setInstances('eu-west-1', [
      { instanceId: 'i-00000000000000001', state: 'running', tags: { Name: 'web' } },
    ]);
    dir = mkdtempSync(join(tmpdir(), 'ec2led-newcomer-'));
    configPath = join(dir, 'config.json');
    const config = {
      // Never dialled: --once lists and exits without MQTT.
      mqtt: {
        endpoint: '127.0.0.1',
        port: 1,
        clientId: pki.thingName,
        cert: pki.client.cert,
        key: pki.client.key,
        ca: pki.ca,
      },
      aws: {
        credentialsEndpoint: `127.0.0.1:${credentials.port}`,
        roleAlias: 'ec2led-device',
        accounts: [ACCOUNT],
        regions: ['eu-west-1'],
        ec2Endpoint: ec2.url,
      },
      stateDir: join(dir, 'state'),
      display: { board: 'terminal' },
    };
    writeFileSync(configPath, JSON.stringify(config));
  });

  afterAll(async () => {
    await Promise.all([credentials?.close(), ec2?.close()]);
    pki?.remove();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The real bin/ec2led.js; a canary warning (from NODE_OPTIONS) proves other warnings still print. */
  function once(env: Record<string, string> = {}) {
    const childEnv: Record<string, string | undefined> = {
      ...process.env,
      NODE_OPTIONS: "--import=data:text/javascript,process.emitWarning('canary-warning')",
      ...env,
    };
    delete childEnv.NODE_NO_WARNINGS;
    for (const key of ['FORCE_COLOR', 'NO_COLOR']) if (!(key in env)) delete childEnv[key];
    if (!('AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED' in env)) {
      delete childEnv.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED;
    }
    const child = spawn(process.execPath, [BIN, 'agent', '--config', configPath, '--once'], {
      env: childEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
      child.once('close', (code) => resolve({ code, stdout, stderr })),
    );
  }

  it('lists, prints the picture under a --once caption, and keeps the SDK Node warning out', async () => {
    const { code, stdout, stderr } = await once();
    expect(code).toBe(0);
    expect(stdout.split('\n')[0]).toMatch(/^ec2-led · listed once at \S+Z · no live feed/);
    expect(stdout).toMatch(/i-00000000000000001 +web +running/);
    expect(stdout).not.toMatch(/connected/i);
    expect(stdout).not.toContain('\u001b'); // a pipe gets no colour and no picture
    expect(stderr).not.toContain(SDK_WARNING);
    expect(stderr).toContain('canary-warning');
  });

  it('writes the colour picture into a pipe only when FORCE_COLOR asks for it', async () => {
    const { code, stdout } = await once({ FORCE_COLOR: '1' });
    expect(code).toBe(0);
    expect(stdout).toContain('\u001b[38;2;');
    expect(stdout).toMatch(/i-00000000000000001 +web +running/);
  });

  it('would show the SDK warning on Node < 22 without the switch (the check above can fail)', async () => {
    const { code, stderr } = await once({ AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'false' });
    expect(code).toBe(0);
    expect(stderr.includes(SDK_WARNING)).toBe((nodeMajor(process.version) ?? 0) < 22);
  });
});
