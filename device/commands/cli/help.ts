/**
 * The width every `--help` keeps to (test/device/commands/cli/help.test.ts runs them all), and the one wrap
 * that lists built from code (board kinds, keys) need to stay inside it.
 */

export const HELP_COLUMNS = 100;

/**
 * `text` broken at spaces into lines that fit HELP_COLUMNS when each starts at column `indent`;
 * the lines after the first are indented by `indent` spaces (the first follows its flag).
 */
export function wrapHelp(text: string, indent: number, width = HELP_COLUMNS): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && indent + line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  lines.push(line);
  return lines.join(`\n${' '.repeat(indent)}`);
}
