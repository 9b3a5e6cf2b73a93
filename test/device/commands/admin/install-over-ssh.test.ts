import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { deviceMain } from '../../../../device/commands/admin/cli.ts';
import {
  installOverSsh,
  installSteps,
  newestDeb,
  type RunStep,
  type Step,
  shellWord,
} from '../../../../device/commands/admin/install-over-ssh.ts';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
});

function temporary(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A RunStep that records each step and answers with the given exit codes in turn. */
function recording(codes: number[]): { steps: Step[]; run: RunStep } {
  const steps: Step[] = [];
  return {
    steps,
    run: async (step) => {
      steps.push(step);
      return codes.shift() ?? 0;
    },
  };
}

const PLAN = {
  host: 'pi@desk-pi.local',
  deb: '/work/ec2-led_0.1.0_arm64.deb',
  bundleDir: '/work/ec2led-desk-pi',
};

describe('the plan', () => {
  it('picks the newest package by version, not by spelling', () => {
    expect(
      newestDeb([
        'ec2-led_0.9.0_arm64.deb',
        'ec2-led_0.10.0_arm64.deb',
        'ec2-led-0.1.0.tgz',
        'ec2-led_1.0.0_amd64.deb',
      ]),
    ).toBe('ec2-led_0.10.0_arm64.deb');
    expect(newestDeb(['README.md'])).toBeUndefined();
  });

  it('copies both with scp, then runs apt install and setup in one ssh session with a terminal', () => {
    expect(installSteps(PLAN)).toEqual([
      ['scp', ['-r', '/work/ec2-led_0.1.0_arm64.deb', '/work/ec2led-desk-pi', 'pi@desk-pi.local:']],
      [
        'ssh',
        [
          '-t',
          'pi@desk-pi.local',
          'sudo apt install -y ./ec2-led_0.1.0_arm64.deb && sudo ec2led setup ~/ec2led-desk-pi; code=$?; ' +
            'if [ $code -eq 0 ] || [ $code -eq 3 ]; then rm -r ~/ec2led-desk-pi; fi; exit $code',
        ],
      ],
    ]);
  });

  it('quotes a folder name the remote shell would otherwise split or expand', () => {
    expect(shellWord("it's a pi")).toBe(`'it'\\''s a pi'`);
    expect(shellWord('$HOME')).toBe(`'$HOME'`);
    expect(shellWord('ec2led-desk-pi')).toBe('ec2led-desk-pi');
  });
});

describe('installOverSsh', () => {
  it('says the Pi needs its one reboot when setup exits 3, and exits 3', async () => {
    const said: string[] = [];
    const { steps, run } = recording([0, 3]);
    expect(await installOverSsh(PLAN, (line) => said.push(line), run)).toBe(3);
    expect(steps.map(([command]) => command)).toEqual(['scp', 'ssh']);
    expect(said.join('\n')).toContain(
      "needs one reboot for the board's bus: ssh pi@desk-pi.local sudo reboot",
    );
  });

  it('stops after a failed copy and names the check', async () => {
    const said: string[] = [];
    const { steps, run } = recording([1]);
    expect(await installOverSsh(PLAN, (line) => said.push(line), run)).toBe(1);
    expect(steps).toHaveLength(1);
    expect(said.join('\n')).toContain('scp exited 1: check that `ssh pi@desk-pi.local` logs in');
  });

  it('gives the two steps by hand when the session fails', async () => {
    const said: string[] = [];
    expect(await installOverSsh(PLAN, (line) => said.push(line), recording([0, 100]).run)).toBe(1);
    expect(said.join('\n')).toContain(
      'sudo apt install ./ec2-led_0.1.0_arm64.deb and sudo ec2led setup ~/ec2led-desk-pi (docs/pi.md)',
    );
  });

  it('runs through real processes: scp and ssh on PATH, the remote command in a real shell', async () => {
    // Fakes of scp, ssh, sudo, apt and ec2led; ssh runs the remote command with sh in a fake home.
    const bin = temporary('ec2led-ssh-bin-');
    const home = temporary('ec2led-ssh-home-');
    const work = temporary('ec2led-ssh-work-');
    const log = join(work, 'log');
    const script = (name: string, body: string) => {
      writeFileSync(join(bin, name), `#!/bin/sh\n${body}\n`);
      chmodSync(join(bin, name), 0o755);
    };
    script('scp', `echo "scp $*" >> ${log}; shift; cp -r "$1" "$2" ${home}/`);
    script('ssh', `echo "ssh $1 $2" >> ${log}; cd ${home} && HOME=${home} exec sh -c "$3"`);
    script('sudo', 'exec "$@"');
    script('apt', `echo "apt $* in $(pwd)" >> ${log}`);
    script('ec2led', `echo "ec2led $*" >> ${log}; test -f "$2/config.json" || exit 2; exit 3`);
    const deb = join(work, 'ec2-led_0.1.0_arm64.deb');
    writeFileSync(deb, 'deb');
    const bundleDir = join(work, "desk pi's bundle");
    mkdirSync(bundleDir);
    writeFileSync(join(bundleDir, 'config.json'), '{}');
    const path = process.env.PATH;
    process.env.PATH = `${bin}:${path}`;
    cleanups.push(() => {
      process.env.PATH = path;
    });
    const code = await installOverSsh({ host: 'pi@desk-pi.local', deb, bundleDir }, () => {});
    expect(readFileSync(log, 'utf8').split('\n')).toEqual([
      `scp -r ${deb} ${bundleDir} pi@desk-pi.local:`,
      'ssh -t pi@desk-pi.local',
      `apt install -y ./ec2-led_0.1.0_arm64.deb in ${home}`,
      `ec2led setup ${home}/desk pi's bundle`,
      '',
    ]);
    expect(code).toBe(3);
    // Setup installed the bundle (exit 3: only the reboot is left): the copy with the key is gone.
    expect(existsSync(join(home, "desk pi's bundle"))).toBe(false);
    expect(existsSync(join(home, 'ec2-led_0.1.0_arm64.deb'))).toBe(true);
  });
});

describe('ec2led device create --install', () => {
  function fakeEnroll(outDirs: string[]) {
    return async () =>
      ({
        adminClients: () => ({}),
        createDevice: async (_clients: unknown, request: { outDir: string }) => {
          outDirs.push(request.outDir);
          mkdirSync(request.outDir, { recursive: true });
          writeFileSync(join(request.outDir, 'config.json'), '{}');
          return { status: 'created', certificateId: 'c', certificateArn: 'arn:c' };
        },
      }) as unknown as typeof import('../../../../device/commands/admin/enroll.ts');
  }

  it('enrols, then installs the newest package here on that Pi, and passes on exit 3', async () => {
    const cwd = temporary('ec2led-admin-');
    writeFileSync(join(cwd, 'ec2-led_0.1.0_arm64.deb'), '');
    const outDirs: string[] = [];
    const { steps, run } = recording([0, 3]);
    let err = '';
    const io = { stdout: () => {}, stderr: (text: string) => (err += text) };
    const code = await deviceMain(
      ['create', 'desk-pi', '--board', 'unicornhatmini', '--install', 'pi@desk-pi.local'],
      io,
      { cwd, load: fakeEnroll(outDirs), runStep: run },
    );
    expect(code).toBe(3);
    expect(outDirs).toEqual([join(cwd, 'ec2led-desk-pi')]);
    expect(steps[0]).toEqual([
      'scp',
      ['-r', join(cwd, 'ec2-led_0.1.0_arm64.deb'), join(cwd, 'ec2led-desk-pi'), 'pi@desk-pi.local:'],
    ]);
    expect(err).toContain('sudo reboot');
  });

  it('enrols nothing when there is no package to install, and says how to make one', async () => {
    const cwd = temporary('ec2led-admin-');
    const outDirs: string[] = [];
    let err = '';
    const io = { stdout: () => {}, stderr: (text: string) => (err += text) };
    const code = await deviceMain(['create', 'desk-pi', '--install', 'pi@desk-pi.local'], io, {
      cwd,
      load: fakeEnroll(outDirs),
      runStep: recording([]).run,
    });
    expect(code).toBe(2);
    expect(outDirs).toEqual([]);
    expect(err).toContain('no ec2-led_*_arm64.deb in');
    expect(err).toContain('npm run package:pi');
  });

  it('refuses --install with --csr, --deb alone, and --install on other commands', async () => {
    const usage = async (argv: string[]) => {
      let err = '';
      const code = await deviceMain(argv, { stdout: () => {}, stderr: (text) => (err += text) });
      return `${code} ${err}`;
    };
    expect(await usage(['create', 'p', '--install', 'pi@p', '--csr', 'p.csr'])).toMatch(
      /^2 .*key stays on the Pi/,
    );
    expect(await usage(['create', 'p', '--deb', 'x.deb'])).toMatch(/^2 .*--deb goes with --install/);
    expect(await usage(['delete', 'p', '--install', 'pi@p'])).toMatch(
      /^2 .*device delete takes no --install/,
    );
    expect(await usage(['create', 'p', '--install', 'pi@p; reboot'])).toMatch(/^2 .*is not USER@HOST/);
  });
});
