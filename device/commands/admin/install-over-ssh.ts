/**
 * `ec2led device create NAME --install USER@HOST`: the two Pi steps of docs/pi.md, run from the admin
 * machine over ssh. scp copies the .deb and the bundle folder to the Pi's home folder; one ssh session
 * runs `sudo apt install` and `sudo ec2led setup` there, with a terminal (sudo may ask for a password)
 * and their output streamed here, and removes the copied bundle once setup has installed it (the key
 * then lives in /etc/ec2led only). The plan is pure; running it is the ssh and scp of this machine.
 */
import { spawn } from 'node:child_process';
import { basename } from 'node:path';

export interface SshInstall {
  /** USER@HOST, or a Host of ~/.ssh/config. */
  readonly host: string;
  /** The package `npm run package:pi` wrote. */
  readonly deb: string;
  /** The folder `device create` wrote. */
  readonly bundleDir: string;
}

export type Step = readonly [command: string, args: readonly string[]];

/** What setup's exit code 3 means: installed, one reboot before the board lights. */
export const SETUP_NEEDS_REBOOT = 3;

/** The newest ec2-led_VERSION_arm64.deb among file names, or undefined. */
export function newestDeb(names: readonly string[]): string | undefined {
  const debs = names.filter((name) => /^ec2-led_[^_/]+_arm64\.deb$/.test(name));
  return debs.sort((a, b) => a.localeCompare(b, 'en', { numeric: true })).at(-1);
}

/** One word for a POSIX shell, quoted unless it is plainly safe. */
export function shellWord(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replaceAll("'", `'\\''`)}'`;
}

/** scp, then one ssh session with the two commands of docs/pi.md steps 2 and 3. */
export function installSteps(plan: SshInstall): Step[] {
  const deb = shellWord(basename(plan.deb));
  // `~/` stays outside the quotes so the Pi's shell expands it to the ssh user's home.
  const bundle = `~/${shellWord(basename(plan.bundleDir))}`;
  const remote =
    `sudo apt install -y ./${deb} && sudo ec2led setup ${bundle}; code=$?; ` +
    `if [ $code -eq 0 ] || [ $code -eq ${SETUP_NEEDS_REBOOT} ]; then rm -r ${bundle}; fi; exit $code`;
  return [
    ['scp', ['-r', plan.deb, plan.bundleDir, `${plan.host}:`]],
    ['ssh', ['-t', plan.host, remote]],
  ];
}

/** Runs a command with this terminal, bounded in time; resolves to its exit code (-1: did not run). */
export type RunStep = (step: Step, timeoutMs: number) => Promise<number>;

export const runStep: RunStep = ([command, args], timeoutMs) =>
  new Promise((resolve) => {
    const child = spawn(command, args, { stdio: 'inherit', timeout: timeoutMs });
    child.on('error', () => resolve(-1));
    child.on('close', (code) => resolve(code ?? -1));
  });

/**
 * The whole install: 0 when the board is lit, 3 when the Pi needs its one reboot, else 1; `say`
 * names what failed and what to run by hand.
 */
export async function installOverSsh(
  plan: SshInstall,
  say: (line: string) => void,
  run: RunStep = runStep,
): Promise<0 | 1 | 3> {
  const [copy, session] = installSteps(plan) as [Step, Step];
  say(`copying ${basename(plan.deb)} and ${basename(plan.bundleDir)} to ${plan.host}`);
  const copied = await run(copy, 10 * 60_000);
  if (copied !== 0) {
    say(
      copied === -1
        ? 'scp did not run: install OpenSSH (the ssh and scp commands) on this machine'
        : `scp exited ${copied}: check that \`ssh ${plan.host}\` logs in, then run this again`,
    );
    return 1;
  }
  say(`on ${plan.host}: sudo apt install, then sudo ec2led setup (sudo may ask for the password)`);
  const code = await run(session, 20 * 60_000);
  if (code === 0) return 0;
  if (code === SETUP_NEEDS_REBOOT) {
    say(
      `${plan.host} needs one reboot for the board's bus: ssh ${plan.host} sudo reboot; the board lights after it`,
    );
    return 3;
  }
  say(
    `the install on ${plan.host} exited ${code}; its output is above. The two steps by hand: ` +
      `ssh ${plan.host}, then sudo apt install ./${basename(plan.deb)} and sudo ec2led setup ~/${basename(plan.bundleDir)} (docs/pi.md)`,
  );
  return 1;
}
