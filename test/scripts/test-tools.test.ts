/** npm test's first step: the system tools found, installed as root with apt-get, or named with the install line. */
import { describe, expect, it } from 'vitest';
import {
  BUILD_TOOLS,
  ensureNativeModules,
  ensureTestTools,
  findTool,
  missingToolMessage,
  missingTools,
  planTools,
  TEST_TOOLS,
  type TestTool,
  type ToolDeps,
} from '../../scripts/test-tools.ts';

/** A machine whose executables are exactly these paths. */
const machine =
  (...paths: string[]) =>
  (path: string) =>
    paths.includes(path);
const tool = (command: string) => TEST_TOOLS.find((t) => t.command === command) as TestTool;

describe('finding the tools', () => {
  it('finds mosquitto in /usr/sbin when PATH lacks it, and the first match on PATH', () => {
    expect(findTool('mosquitto', '/usr/local/bin:/usr/bin', machine('/usr/sbin/mosquitto'))).toBe(
      '/usr/sbin/mosquitto',
    );
    expect(findTool('chromium', '/opt/bin:/usr/bin', machine('/usr/bin/chromium', '/opt/bin/chromium'))).toBe(
      '/opt/bin/chromium',
    );
    expect(findTool('openssl', undefined, machine())).toBeUndefined();
  });

  it('lists every tool missing on a fresh machine, and none on a prepared one', () => {
    expect(missingTools('/usr/bin', machine()).map((t) => t.command)).toEqual([
      'mosquitto',
      'openssl',
      'chromium',
    ]);
    expect(
      missingTools('/usr/bin', machine('/usr/sbin/mosquitto', '/usr/bin/openssl', '/usr/bin/chromium')),
    ).toEqual([]);
  });
});

describe('planning', () => {
  const missing = [tool('mosquitto'), tool('chromium')];

  it('installs as root where apt-get exists', () => {
    expect(planTools(missing, { root: true, aptGet: true })).toEqual({ kind: 'install', missing });
    expect(planTools([], { root: false, aptGet: false })).toEqual({ kind: 'ready' });
  });

  it('otherwise fails naming each tool and the one install command', () => {
    expect(planTools(missing, { root: false, aptGet: true })).toEqual({
      kind: 'fail',
      message:
        'npm test: missing mosquitto (the MQTT broker of the interop tests), chromium (the web board page tests); ' +
        'install them with: sudo apt-get install -y --no-install-recommends mosquitto chromium, then run npm test again',
    });
    const noApt = planTools([tool('openssl')], { root: true, aptGet: false });
    expect(noApt.kind === 'fail' && noApt.message).toMatch(
      /install it with your system's package manager so that it is on PATH \(Debian: apt-get install -y --no-install-recommends openssl\)/,
    );
  });

  it('gives a test that needs a missing tool the install line', () => {
    expect(missingToolMessage('mosquitto')).toBe(
      'mosquitto (the MQTT broker of the interop tests) is not installed; install it with: ' +
        'sudo apt-get install -y --no-install-recommends mosquitto (npm test does this itself when it runs as root with apt-get)',
    );
  });
});

describe('ensureTestTools', () => {
  /** A machine where apt-get really installs what it is asked for (unless `broken`). */
  function fakeMachine(missingAtFirst: TestTool[], options: { root: boolean; broken?: boolean }) {
    let missing = missingAtFirst;
    const ran: string[] = [];
    const log: string[] = [];
    const deps: ToolDeps = {
      find: () => missing,
      root: options.root,
      aptGet: '/usr/bin/apt-get',
      apt: (_aptGet, args) => {
        ran.push(args.join(' '));
        if (options.broken) return 'exit 100';
        if (args[0] === 'install') missing = missing.filter((t) => !args.includes(t.package));
        return undefined;
      },
      log: (line) => log.push(line),
    };
    return { deps, ran, log };
  }

  it('does nothing when every tool is there', () => {
    const m = fakeMachine([], { root: true });
    expect(ensureTestTools(m.deps)).toBe(0);
    expect([m.ran, m.log]).toEqual([[], []]);
  });

  it('as root, updates the package lists once and installs only what is missing', () => {
    const m = fakeMachine([tool('mosquitto'), tool('chromium')], { root: true });
    expect(ensureTestTools(m.deps)).toBe(0);
    expect(m.ran).toEqual(['update -qq', 'install -y -qq --no-install-recommends mosquitto chromium']);
  });

  it('fails with the apt-get line that failed, or with the install line when not root', () => {
    const broken = fakeMachine([tool('openssl')], { root: true, broken: true });
    expect(ensureTestTools(broken.deps)).toBe(1);
    expect(broken.log.at(-1)).toBe(
      'npm test: apt-get update -qq failed (exit 100); run it yourself to see why',
    );

    const user = fakeMachine([tool('openssl')], { root: false });
    expect(ensureTestTools(user.deps)).toBe(1);
    expect(user.ran).toEqual([]);
    expect(user.log).toEqual([
      'npm test: missing openssl (the test certificates); install it with: sudo apt-get install -y --no-install-recommends openssl, then run npm test again',
    ]);
  });
});

describe('a test that needs a missing tool', () => {
  it('fails with the install line instead of being skipped', async () => {
    const { toolPath } = await import('../fakes/tools.ts');
    const saved = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      // chromium lives in /usr/bin, outside this PATH and the sbin folders: as on a fresh machine.
      expect(() => toolPath('chromium')).toThrow(
        'chromium (the web board page tests) is not installed; install it with: sudo apt-get install -y --no-install-recommends chromium',
      );
    } finally {
      process.env.PATH = saved;
    }
  });
});

describe('ensureNativeModules', () => {
  const noApt: ToolDeps = {
    find: () => [],
    root: false,
    aptGet: undefined,
    apt: () => 'not called',
    log: () => undefined,
  };

  it('does nothing when unix-dgram loads (npm ci built it)', () => {
    const asked: string[] = [];
    const load = (module: string): boolean => {
      asked.push(module);
      return true;
    };
    expect(ensureNativeModules({ ...noApt, apt: () => 'must not run' }, load)).toBe(0);
    expect(asked).toEqual(['unix-dgram']);
  });

  it('names the toolchain and its install command when unix-dgram is missing and apt is out of reach', () => {
    const log: string[] = [];
    const code = ensureNativeModules(
      { ...noApt, aptGet: '/usr/bin/apt-get', log: (line) => log.push(line) },
      () => false,
      () => [...BUILD_TOOLS],
    );
    expect(code).toBe(1);
    expect(log.join('\n')).toContain('sudo apt-get install -y --no-install-recommends g++ make python3');
  });
});
