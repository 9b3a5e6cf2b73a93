import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  arMembers,
  controlMember,
  parseControl,
  readDebFields,
  runDpkgDebField,
} from '../../../../device/commands/admin/deb.ts';

const scratch = mkdtempSync(join(tmpdir(), 'ec2led-deb-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const CONTROL = (fields: { name?: string; version?: string; arch?: string } = {}) =>
  [
    `Package: ${fields.name ?? 'ec2-led'}`,
    `Version: ${fields.version ?? '1.2.3'}`,
    `Architecture: ${fields.arch ?? 'arm64'}`,
    'Maintainer: ec2-led maintainers <maintainers@example.invalid>',
    'Description: test package',
    ' A continuation line: Version: 9.9.9 must not be read as a field.',
    '',
  ].join('\n');

let n = 0;
/** A real .deb made by dpkg-deb --build, like npm run package:pi does. */
function buildDeb(compression: 'gzip' | 'xz', control = CONTROL()): string {
  n += 1;
  const tree = join(scratch, `tree-${n}`);
  mkdirSync(join(tree, 'DEBIAN'), { recursive: true });
  mkdirSync(join(tree, 'usr/share/doc/ec2-led'), { recursive: true });
  writeFileSync(join(tree, 'DEBIAN/control'), control);
  writeFileSync(join(tree, 'usr/share/doc/ec2-led/README'), 'hello\n');
  const deb = join(scratch, `ec2-led-${n}.deb`);
  const built = spawnSync('dpkg-deb', ['--root-owner-group', `-Z${compression}`, '--build', tree, deb], {
    encoding: 'utf8',
  });
  expect(built.status, built.stderr).toBe(0);
  return deb;
}

describe('reading a .deb', () => {
  it('reads name, version and architecture of a gzip control member in-process, without dpkg-deb', async () => {
    const deb = buildDeb('gzip');
    const bytes = readFileSync(deb);
    expect(controlMember(bytes, deb).kind).toBe('gzip');
    const noDpkg = async () => {
      throw new Error('dpkg-deb must not run for a gzip control member');
    };
    expect(await readDebFields(bytes, deb, noDpkg)).toEqual({
      package: 'ec2-led',
      version: '1.2.3',
      arch: 'arm64',
    });
  });

  it('reads an xz control member (what npm run package:pi builds) through dpkg-deb --field', async () => {
    const deb = buildDeb('xz', CONTROL({ version: '0.2.0-rc.1' }));
    const bytes = readFileSync(deb);
    expect(controlMember(bytes, deb).kind).toBe('xz');
    expect(await readDebFields(bytes, deb, runDpkgDebField)).toEqual({
      package: 'ec2-led',
      version: '0.2.0-rc.1',
      arch: 'arm64',
    });
  });

  it('lists the ar members of a real .deb in order', () => {
    const deb = buildDeb('gzip');
    expect(arMembers(readFileSync(deb), deb).map((member) => member.name)).toEqual([
      'debian-binary',
      'control.tar.gz',
      'data.tar.gz',
    ]);
  });

  it('without dpkg-deb, an xz control member is refused with the install command', async () => {
    const deb = buildDeb('xz');
    const missing = async () => {
      throw Object.assign(new Error('spawn dpkg-deb ENOENT'), { code: 'ENOENT' });
    };
    await expect(readDebFields(readFileSync(deb), deb, missing)).rejects.toMatchObject({
      exitCode: 2,
      message: expect.stringMatching(/dpkg-deb is not installed.*apt-get install dpkg.*brew install dpkg/),
    });
  });

  it('refuses a file that is not an ar archive', async () => {
    const file = join(scratch, 'not.deb');
    writeFileSync(file, 'PK\u0003\u0004 a zip, not a deb');
    await expect(readDebFields(readFileSync(file), file)).rejects.toThrow(/not a usable \.deb: .*"!<arch>"/);
  });

  it('refuses a truncated .deb, naming the member that is cut off', async () => {
    const deb = buildDeb('gzip');
    const bytes = readFileSync(deb);
    const cut = bytes.subarray(0, bytes.length - 100);
    await expect(readDebFields(cut, deb)).rejects.toThrow(
      /member data\.tar\.gz claims \d+ bytes but the file ends first/,
    );
  });

  it('refuses an ar archive that is not a Debian package', async () => {
    const file = join(scratch, 'other.a');
    const header = (name: string, size: number) =>
      `${name.padEnd(16)}${'0'.padEnd(12)}${'0'.padEnd(6)}${'0'.padEnd(6)}${'100644'.padEnd(8)}${String(size).padEnd(10)}\`\n`;
    writeFileSync(file, `!<arch>\n${header('hello.o/', 4)}abcd`);
    await expect(readDebFields(readFileSync(file), file)).rejects.toThrow(
      /first member is not debian-binary/,
    );
  });

  it('refuses another package, another architecture and a version that is not semver', async () => {
    for (const [fields, reason] of [
      [{ name: 'nginx' }, /is the package "nginx", not ec2-led/],
      [{ arch: 'i386' }, /architecture "i386"; an update takes one of arm64, armhf, amd64/],
      [{ version: '1:2.3-4' }, /version "1:2\.3-4", not a version like 1\.2\.3/],
    ] as const) {
      const deb = buildDeb('gzip', CONTROL(fields));
      await expect(readDebFields(readFileSync(deb), deb)).rejects.toThrow(reason);
    }
  });

  it('reads only the first line of a field, never a continuation', () => {
    expect(parseControl(CONTROL(), 'x.deb').version).toBe('1.2.3');
  });
});
