import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEVICE_USAGE, deviceMain, parseDeviceArgs } from '../../../../device/commands/admin/cli.ts';
import { AdminError } from '../../../../device/commands/admin/errors.ts';

function recordingIo() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    io: { stdout: (text: string) => out.push(text), stderr: (text: string) => err.push(text) },
  };
}

const usageFailure = (argv: string[]) => {
  try {
    parseDeviceArgs(argv, '/home/admin');
  } catch (error) {
    expect(error).toBeInstanceOf(AdminError);
    expect((error as AdminError).exitCode).toBe(2);
    return (error as AdminError).message;
  }
  throw new Error(`parsed ${argv.join(' ')} without complaint`);
};

describe('parseDeviceArgs', () => {
  it('fills the defaults of create: terminal board, ./ec2led-NAME, stack Ec2Led, the SDK region', () => {
    expect(parseDeviceArgs(['create', 'desk-pi'], '/home/admin')).toEqual({
      kind: 'create',
      thingName: 'desk-pi',
      board: 'terminal',
      outDir: '/home/admin/ec2led-desk-pi',
      csrFile: undefined,
      accounts: [],
      stackName: 'Ec2Led',
      region: undefined,
    });
  });

  it('takes every create option, resolving paths against the working folder', () => {
    const argv = ['create', 'desk-pi', '--board', 'unicornhatmini', '--out', 'pi', '--csr', 'pi.csr'];
    argv.push('--accounts', '222222222222=staging, 333333333333');
    expect(parseDeviceArgs([...argv, '--stack', 'Lab', '--region', 'eu-west-1'], '/home/admin')).toEqual({
      kind: 'create',
      thingName: 'desk-pi',
      board: 'unicornhatmini',
      outDir: '/home/admin/pi',
      csrFile: '/home/admin/pi.csr',
      accounts: [{ id: '222222222222', label: 'staging' }, '333333333333'],
      stackName: 'Lab',
      region: 'eu-west-1',
    });
  });

  it('refuses a bad or repeated --accounts entry with the fix', () => {
    expect(() => parseDeviceArgs(['create', 'p', '--accounts', '1234=prod'], '/')).toThrow(
      /--accounts entry "1234=prod" is not ACCOUNT or ACCOUNT=LABEL; write e\.g\. --accounts 111111111111=prod/,
    );
    expect(() => parseDeviceArgs(['create', 'p', '--accounts', '222222222222,222222222222=x'], '/')).toThrow(
      '--accounts lists 222222222222 twice',
    );
  });

  it('parses delete with a region, and --force for a thing without the ec2-led mark', () => {
    expect(parseDeviceArgs(['delete', 'desk-pi', '--region', 'eu-west-1'], '/')).toEqual({
      kind: 'delete',
      thingName: 'desk-pi',
      force: false,
      region: 'eu-west-1',
    });
    expect(parseDeviceArgs(['delete', 'desk-pi', '--force'], '/')).toMatchObject({ force: true });
  });

  it('parses list with the default stack, or --stack and --region', () => {
    expect(parseDeviceArgs(['list'], '/')).toEqual({ kind: 'list', stackName: 'Ec2Led', region: undefined });
    expect(parseDeviceArgs(['list', '--stack', 'Lab', '--region', 'eu-west-1'], '/')).toEqual({
      kind: 'list',
      stackName: 'Lab',
      region: 'eu-west-1',
    });
  });

  it('shows help for help or --help', () => {
    for (const argv of [['help'], ['--help'], ['create', '-h']]) {
      expect(parseDeviceArgs(argv, '/')).toEqual({ kind: 'help' });
    }
  });

  it('treats no command as a usage error, not as help', () => {
    expect(parseDeviceArgs([], '/')).toEqual({ kind: 'missing' });
  });

  it('rejects a thing name IoT Core would refuse, naming the rule and an example', () => {
    expect(usageFailure(['create', 'desk pi'])).toMatch(
      /thing name "desk pi" is invalid: use 1-128 letters.*desk-pi/,
    );
    expect(usageFailure(['create', 'x'.repeat(129)])).toMatch(/is invalid/);
    expect(usageFailure(['delete'])).toMatch(/missing NAME/);
  });

  it('rejects an unknown board, listing the kinds', () => {
    expect(usageFailure(['create', 'desk-pi', '--board', 'neon'])).toMatch(/--board "neon".*terminal/);
  });

  it('rejects unknown options, extra names, create options on delete and unknown commands', () => {
    expect(usageFailure(['create', 'desk-pi', '--colour', 'red'])).toMatch(/--colour.*ec2led device --help/);
    expect(usageFailure(['create', 'a', 'b'])).toMatch(/unexpected b; give one NAME/);
    expect(usageFailure(['delete', 'desk-pi', '--out', 'x'])).toMatch(/device delete takes no --out/);
    expect(usageFailure(['enrol', 'desk-pi'])).toMatch(
      /unknown device command "enrol"; use create, list, delete, set, update or update-key/,
    );
    expect(usageFailure(['list', 'desk-pi'])).toMatch(/device list takes no NAME \(got desk-pi\)/);
    expect(usageFailure(['list', '--force'])).toMatch(/device list takes no --force/);
    expect(usageFailure(['create', 'desk-pi', '--force'])).toMatch(/device create takes no --force/);
  });
});

describe('deviceMain', () => {
  it('prints the help, leading with examples, to stdout and exits 0', async () => {
    const { io, out, err } = recordingIo();
    expect(await deviceMain(['--help'], io)).toBe(0);
    expect(out.join('')).toBe(DEVICE_USAGE);
    expect(DEVICE_USAGE).toMatch(/^ec2led device .*\n\nExamples:\n/);
    expect(err).toEqual([]);
  });

  it('exits 2 with the message on stderr for a usage error, before loading the AWS SDK', async () => {
    const { io, out, err } = recordingIo();
    let loaded = false;
    const load = async () => {
      loaded = true;
      throw new Error('must not load');
    };
    expect(await deviceMain(['create', 'bad name'], io, { load })).toBe(2);
    expect(loaded).toBe(false);
    expect(out).toEqual([]);
    expect(err.join('')).toMatch(/^ec2led device: thing name "bad name" is invalid/);
  });

  it('exits 2 when the CSR file is missing or is not a CSR', async () => {
    const { io, err } = recordingIo();
    expect(await deviceMain(['create', 'desk-pi', '--csr', '/nonexistent/pi.csr'], io)).toBe(2);
    expect(err.join('')).toMatch(/--csr \/nonexistent\/pi.csr cannot be read/);
    const other = recordingIo();
    const dir = mkdtempSync(join(tmpdir(), 'ec2led-cli-'));
    const notCsr = join(dir, 'key.pem');
    writeFileSync(notCsr, '-----BEGIN PRIVATE KEY-----\n');
    expect(await deviceMain(['create', 'desk-pi', '--csr', notCsr], other.io)).toBe(2);
    rmSync(dir, { recursive: true, force: true });
    expect(other.err.join('')).toMatch(
      /is not a PEM certificate signing request; make one on the Pi with `openssl req/,
    );
  });

  it('says to run from the repository clone when the admin SDK clients are not installed', async () => {
    const { io, err } = recordingIo();
    const missing = Object.assign(
      new Error("Cannot find package '@aws-sdk/client-iot' imported from enroll.ts"),
      {
        code: 'ERR_MODULE_NOT_FOUND',
      },
    );
    expect(await deviceMain(['delete', 'desk-pi'], io, { load: () => Promise.reject(missing) })).toBe(1);
    expect(err.join('')).toMatch(/run from the repository clone where `npm ci` installed the admin tools/);
  });
});
