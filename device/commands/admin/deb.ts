/**
 * What `ec2led device update` needs to know of a .deb before it signs it: the package name, its
 * version and its architecture, from the control file.
 *
 * A .deb is an `ar` archive of `debian-binary` ("2.0\n"), `control.tar[.gz|.xz|.zst]` and
 * `data.tar.*` (deb(5)). The archive is read here (pure, bounded: header fields checked against the
 * bytes there are); a gzip or plain control member is opened here too (node:zlib, output capped).
 * Node has no xz or zstd decoder, and `npm run package:pi` builds with `-Zxz`, which makes
 * `control.tar.xz`: then the fields come from `dpkg-deb --field`, the tool that built the package,
 * run with a timeout and an output cap (`readDebFields`). Without dpkg-deb the command says how to
 * get it. So the signer never trusts the file name: `ec2-led_9.9.9_arm64.deb` holding 0.1.0 signs 0.1.0.
 */
import { execFile } from 'node:child_process';
import { gunzipSync } from 'node:zlib';
import { isVersion, UPDATE_ARCHES, type UpdateArch } from '../../../shared/update-job.ts';
import { usageError } from './errors.ts';

export const DEB_PACKAGE_NAME = 'ec2-led';
/** The control member is a few KB; anything above this is not a control member. */
const CONTROL_MAX_BYTES = 1024 * 1024;

export interface ArMember {
  readonly name: string;
  readonly offset: number;
  readonly size: number;
}

export interface DebFields {
  readonly package: string;
  readonly version: string;
  readonly arch: UpdateArch;
}

const AR_MAGIC = '!<arch>\n';
const AR_HEADER = 60;

/** Pure: the members of an `ar` archive, or an error naming what is wrong. */
export function arMembers(bytes: Uint8Array, file: string): ArMember[] {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buffer.length < AR_MAGIC.length || buffer.toString('latin1', 0, 8) !== AR_MAGIC) {
    throw notDeb(file, 'it does not start with the ar archive magic "!<arch>"');
  }
  const members: ArMember[] = [];
  let at = AR_MAGIC.length;
  while (at < buffer.length && members.length < 16) {
    if (at + AR_HEADER > buffer.length) throw notDeb(file, `a member header at byte ${at} is cut off`);
    const header = buffer.toString('latin1', at, at + AR_HEADER);
    if (header.slice(58, 60) !== '`\n') throw notDeb(file, `the member header at byte ${at} is damaged`);
    const name = header.slice(0, 16).trimEnd().replace(/\/$/, '');
    const sizeText = header.slice(48, 58).trim();
    if (!/^\d{1,10}$/.test(sizeText)) throw notDeb(file, `member ${name} has no valid size`);
    const size = Number(sizeText);
    const offset = at + AR_HEADER;
    if (offset + size > buffer.length) {
      throw notDeb(file, `member ${name} claims ${size} bytes but the file ends first (truncated?)`);
    }
    members.push({ name, offset, size });
    at = offset + size + (size % 2);
  }
  return members;
}

export interface ControlMember {
  readonly name: string;
  /** gzip and plain: read here; xz and zst: by dpkg-deb. */
  readonly kind: 'gzip' | 'plain' | 'xz' | 'zst';
  readonly bytes: Uint8Array;
}

/** Pure: checks the .deb layout (deb(5)) and returns its control member. */
export function controlMember(bytes: Uint8Array, file: string): ControlMember {
  const members = arMembers(bytes, file);
  const [binary, control, data] = members;
  if (binary?.name !== 'debian-binary') throw notDeb(file, 'its first member is not debian-binary');
  const format = Buffer.from(bytes.subarray(binary.offset, binary.offset + binary.size)).toString('latin1');
  if (!format.startsWith('2.')) {
    throw notDeb(file, `its format is ${JSON.stringify(format.trim())}, not 2.x`);
  }
  if (control === undefined || !/^control\.tar(\.gz|\.xz|\.zst)?$/.test(control.name)) {
    throw notDeb(file, 'its second member is not control.tar[.gz|.xz|.zst]');
  }
  if (data === undefined || !data.name.startsWith('data.tar')) {
    throw notDeb(file, 'it has no data.tar member after the control member');
  }
  const member = bytes.subarray(control.offset, control.offset + control.size);
  const kind =
    control.name === 'control.tar.gz'
      ? 'gzip'
      : control.name === 'control.tar'
        ? 'plain'
        : control.name.endsWith('.xz')
          ? 'xz'
          : 'zst';
  return { name: control.name, kind, bytes: member };
}

/** Pure: the `./control` file of a (decompressed) control tarball. */
export function controlFromTar(tar: Uint8Array, file: string): string {
  const buffer = Buffer.from(tar.buffer, tar.byteOffset, tar.byteLength);
  for (let at = 0, entries = 0; at + 512 <= buffer.length && entries < 64; entries += 1) {
    const header = buffer.subarray(at, at + 512);
    if (header.every((byte) => byte === 0)) break;
    const name = header.toString('latin1', 0, 100).replace(/\0.*$/s, '');
    const sizeText = header.toString('latin1', 124, 136).replace(/\0.*$/s, '').trim();
    if (!/^[0-7]{1,11}$/.test(sizeText)) throw notDeb(file, `the control tarball entry ${name} has no size`);
    const size = Number.parseInt(sizeText, 8);
    const type = header.toString('latin1', 156, 157);
    const start = at + 512;
    if (start + size > buffer.length) throw notDeb(file, 'the control tarball is cut off');
    if (name.replace(/^\.\//, '') === 'control' && (type === '0' || type === '\0')) {
      return buffer.toString('utf8', start, start + size);
    }
    at = start + Math.ceil(size / 512) * 512;
  }
  throw notDeb(file, 'its control tarball holds no control file');
}

/** Pure: Package, Version and Architecture of a control file (deb-control(5)), checked. */
export function parseControl(text: string, file: string): DebFields {
  const fields = new Map<string, string>();
  for (const line of text.split('\n')) {
    const match = /^([A-Za-z0-9][A-Za-z0-9-]*):\s*(.*?)\s*$/.exec(line);
    if (match !== null) fields.set((match[1] ?? '').toLowerCase(), match[2] ?? '');
  }
  const name = fields.get('package');
  const version = fields.get('version');
  const arch = fields.get('architecture');
  if (name !== DEB_PACKAGE_NAME) {
    throw usageError(
      `${file} is the package ${JSON.stringify(name ?? null)}, not ${DEB_PACKAGE_NAME}; pass the ec2-led_*_arm64.deb that npm run package:pi wrote`,
    );
  }
  if (!isVersion(version)) {
    throw usageError(
      `${file} has version ${JSON.stringify(version ?? null)}, not a version like 1.2.3 (package.json's); rebuild it with npm run package:pi`,
    );
  }
  if (arch === undefined || !(UPDATE_ARCHES as readonly string[]).includes(arch)) {
    throw usageError(
      `${file} is for architecture ${JSON.stringify(arch ?? null)}; an update takes one of ${UPDATE_ARCHES.join(', ')}`,
    );
  }
  return { package: name, version, arch: arch as UpdateArch };
}

/** Runs `dpkg-deb --field FILE Package Version Architecture`; resolves to its stdout. */
export type DpkgDebField = (file: string) => Promise<string>;

export const runDpkgDebField: DpkgDebField = (file) =>
  new Promise((resolve, reject) => {
    execFile(
      'dpkg-deb',
      ['--field', file, 'Package', 'Version', 'Architecture'],
      { timeout: 10_000, maxBuffer: 64 * 1024, encoding: 'utf8' },
      (error, stdout, stderr) => {
        if (error === null) resolve(stdout);
        else reject(Object.assign(error, { stderr }));
      },
    );
  });

/** The fields of the .deb whose bytes are `bytes`; `file` names it in errors and for dpkg-deb. */
export async function readDebFields(
  bytes: Uint8Array,
  file: string,
  dpkgDeb: DpkgDebField = runDpkgDebField,
): Promise<DebFields> {
  const member = controlMember(bytes, file);
  if (member.kind === 'gzip' || member.kind === 'plain') {
    let tar: Uint8Array;
    try {
      tar =
        member.kind === 'gzip'
          ? gunzipSync(member.bytes, { maxOutputLength: CONTROL_MAX_BYTES })
          : member.bytes;
    } catch (error) {
      throw notDeb(file, `its control.tar.gz does not decompress (${(error as Error).message})`);
    }
    return parseControl(controlFromTar(tar, file), file);
  }
  let text: string;
  try {
    text = await dpkgDeb(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw usageError(
        `${file} has a ${member.name}, which Node cannot open, and dpkg-deb is not installed to read it; ` +
          'install dpkg (Debian/Ubuntu: sudo apt-get install dpkg; macOS: brew install dpkg) and rerun',
      );
    }
    const stderr = String((error as { stderr?: unknown }).stderr ?? '').trim();
    throw notDeb(file, `dpkg-deb --field failed: ${stderr || (error as Error).message}`);
  }
  return parseControl(text, file);
}

function notDeb(file: string, why: string) {
  return usageError(
    `${file} is not a usable .deb: ${why}; pass the ec2-led_*_arm64.deb that npm run package:pi wrote`,
  );
}
