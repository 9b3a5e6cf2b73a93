/**
 * The `ec2led` command line. No side effects at import beyond the is-main guard at the bottom;
 * each subcommand is loaded only when it runs, so `ec2led --help` loads no SDK and no native module.
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const USAGE = `ec2led — one LED pixel per EC2 instance

Examples:
  ec2led --help
  ec2led --version

Commands are added as they are built; see the README.
`;

export interface Io {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

const processIo: Io = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

/** Runs one command line and resolves to the exit code. */
export async function main(argv: readonly string[], io: Io = processIo): Promise<number> {
  const [command] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    io.stdout(USAGE);
    return 0;
  }
  if (command === '--version') {
    io.stdout('0.1.0\n');
    return 0;
  }
  io.stderr(`unknown command ${JSON.stringify(command)}; run ec2led --help for the list\n`);
  return 2;
}

function isMain(): boolean {
  const entry = process.argv[1];
  if (entry === undefined) return false;
  try {
    return realpathSync(entry) === fileURLToPath(import.meta.url) || entry.endsWith('bin/ec2led.js');
  } catch {
    return false;
  }
}

if (isMain()) {
  process.exitCode = await main(process.argv.slice(2));
}
