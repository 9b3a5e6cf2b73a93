/**
 * Every command's --help, found from `ec2led --help` itself: at most 100 columns a line, and the
 * top-level list names every subcommand `ec2led device --help` has.
 */
import { describe, expect, it } from 'vitest';
import { DEVICE_USAGE } from '../../../../device/commands/admin/cli.ts';
import { HELP_COLUMNS, wrapHelp } from '../../../../device/commands/cli/help.ts';
import { main, USAGE } from '../../../../device/main.ts';

/** The commands of `ec2led --help`: `agent`, `device create`, ... (the second word where it has one). */
function listedCommands(): string[][] {
  const section = USAGE.split('\nCommands:\n')[1]?.split('\nEach command')[0] ?? '';
  return section
    .split('\n')
    .map((line) => /^ {2}(\S+)(?: ([a-z-]+))?/.exec(line))
    .filter((match) => match !== null)
    .map(([, command, sub]) => (sub === undefined ? [command as string] : [command as string, sub]));
}

async function help(argv: readonly string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main([...argv, '--help'], { stdout: (t) => (out += t), stderr: (t) => (err += t) });
  return { code, out, err };
}

const tooWide = (text: string) => text.split('\n').filter((line) => [...line].length > HELP_COLUMNS);

describe('ec2led --help', () => {
  it('lists every subcommand of ec2led device', () => {
    const usage = DEVICE_USAGE.split('\nUsage:\n')[1]?.split('\n\n')[0] ?? '';
    const subcommands = [...new Set([...usage.matchAll(/^ {2}ec2led device ([a-z-]+) /gm)].map((m) => m[1]))];
    expect(subcommands).toEqual(['create', 'list', 'delete', 'set', 'update', 'update-key']);
    const listed = listedCommands()
      .filter(([command]) => command === 'device')
      .map(([, sub]) => sub);
    expect(listed.sort()).toEqual([...subcommands].sort());
  });

  it(`keeps every command's help to ${HELP_COLUMNS} columns`, async () => {
    const commands = [[], ...listedCommands()];
    expect(commands.map((c) => c[0])).toEqual(
      expect.arrayContaining(['agent', 'status', 'replay', 'device', 'doctor', 'service', 'blank']),
    );
    for (const command of commands) {
      const run = await help(command);
      expect(run.code, command.join(' ')).toBe(0);
      expect(run.out.length, command.join(' ')).toBeGreaterThan(100);
      expect(tooWide(run.out), command.join(' ')).toEqual([]);
    }
  }, 60_000);
});

describe('wrapHelp', () => {
  it('breaks at spaces so each line fits after its indent, and indents the next lines', () => {
    const text = wrapHelp('alpha beta gamma delta', 4, 16);
    expect(text).toBe('alpha beta\n    gamma delta');
    for (const line of text.split('\n')) expect(4 + line.trimStart().length).toBeLessThanOrEqual(16);
  });

  it('keeps a word longer than the line whole', () => {
    expect(wrapHelp('a-very-long-word b', 2, 8)).toBe('a-very-long-word\n  b');
  });
});
