/**
 * fake-system.ts as real commands, for a test that runs the packed `ec2led` in its own process:
 * `tsx fake-command.ts NAME ARGS...`, reached through a shim called useradd, systemctl, ... on PATH.
 * The `--root DIR` (or `--root=DIR`) that `ec2led service --root` passes picks the tree; every call
 * is appended to `${root}/fake-commands.log`.
 */
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { fakeSystem } from './fake-system.ts';

const [command = '', ...rest] = process.argv.slice(2);
let root = '/nonexistent-root';
const args: string[] = [];
for (let i = 0; i < rest.length; i++) {
  const arg = rest[i] as string;
  if (arg === '--root') root = rest[++i] as string;
  else if (arg.startsWith('--root=')) root = arg.slice('--root='.length);
  else args.push(arg);
}
const result = await fakeSystem(root).run(command, args);
appendFileSync(join(root, 'fake-commands.log'), `${[command, ...args].join(' ')}\n`);
process.stdout.write(result.stdout);
process.stderr.write(result.stderr);
process.exitCode = result.code;
