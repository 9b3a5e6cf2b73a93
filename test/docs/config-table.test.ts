/**
 * Holds docs/config.md to the code: every key the schema has, its environment variable (ENV_KEYS)
 * and its default — all three read off the schema (device/config/config-table.ts) — appear in the tables as the code has them, and nothing else does.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ENV_KEYS, parseConfig } from '../../device/config/config.ts';
import { ROOT } from '../source-tree.ts';

interface Row {
  readonly keys: readonly string[];
  readonly defaultCell: string;
  readonly envCell: string;
}

/** The rows of docs/config.md's key tables: `| key | default | environment | meaning |`. */
function rows(): Row[] {
  const text = readFileSync(`${ROOT}docs/config.md`, 'utf8');
  return text
    .split('\n')
    .filter((line) => /^\| `[a-zA-Z0-9.*]+`/.test(line))
    .map((line) => line.split('|').map((cell) => cell.trim()))
    .filter((cells) => cells.length >= 5)
    .map((cells) => ({
      keys: [...(cells[1] as string).matchAll(/`([^`]+)`/g)].map((m) => m[1] as string),
      defaultCell: cells[2] as string,
      envCell: cells[3] as string,
    }));
}

/** A config that parses: only the required keys (no files, no TLS). */
const MINIMAL = {
  mqtt: { endpoint: 'example.iot.eu-west-1.amazonaws.com', clientId: 'desk', tls: false },
  aws: { credentials: 'default', accounts: ['123456789012'], regions: ['eu-west-1'] },
  stateDir: '/var/lib/ec2led',
  display: { board: 'none' },
};

function valueAt(object: unknown, key: string): unknown {
  return key
    .split('.')
    .reduce<unknown>((at, part) => (at as Record<string, unknown> | undefined)?.[part], object);
}

/** The longest a table cell may be: longer explanations go below the table, where they wrap. */
const CELL_MAX = 250;

describe('docs/config.md', () => {
  const table = rows();

  it(`keeps every table cell to ${CELL_MAX} characters`, () => {
    const text = readFileSync(`${ROOT}docs/config.md`, 'utf8');
    const cells = text
      .split('\n')
      .filter((line) => line.startsWith('|') && !/^\|[\s|:-]+\|$/.test(line))
      .flatMap((line) =>
        line
          .split('|')
          .slice(1, -1)
          .map((cell) => cell.trim()),
      );
    expect(cells.length).toBeGreaterThan(200);
    expect(cells.filter((cell) => [...cell].length > CELL_MAX)).toEqual([]);
  });
  const documented = new Map(table.flatMap((row) => row.keys.map((key) => [key, row] as const)));

  it('documents every environment variable under its key, and only those', () => {
    for (const [name, [key]] of Object.entries(ENV_KEYS)) {
      expect(documented.get(key)?.envCell, `${name} -> ${key}`).toContain(`\`${name}\``);
    }
    for (const row of table) {
      for (const [, name] of row.envCell.matchAll(/`(EC2LED_[A-Z_]+)`/g)) {
        expect(
          row.keys.map((key) => ENV_KEYS[name as string]?.[0] === key).some(Boolean),
          `${name} in the row of ${row.keys.join(', ')}`,
        ).toBe(true);
      }
    }
  });

  it('documents every key of the parsed config', () => {
    const config = parseConfig(MINIMAL);
    const keys = (object: object, prefix: string): string[] =>
      Object.entries(object).flatMap(([name, value]) => {
        const key = `${prefix}${name}`;
        const nested = typeof value === 'object' && value !== null && !Array.isArray(value);
        return nested && !['pins', 'colors', 'tagFilter'].includes(key) ? keys(value, `${key}.`) : [key];
      });
    const known = new Set([...documented.keys()]);
    for (const key of keys(config, '')) {
      const covered = known.has(key) || (key.startsWith('display.') && known.has('display.*'));
      expect(covered, `${key} is documented`).toBe(true);
    }
  });

  it('gives each default as the schema has it', () => {
    const config = parseConfig(MINIMAL);
    let checked = 0;
    for (const row of table) {
      const literal = /^`([^`]+)`$/.exec(row.defaultCell)?.[1];
      if (literal === undefined || row.keys.length !== 1) continue;
      const key = row.keys[0] as string;
      if (valueAt(MINIMAL, key) !== undefined) continue; // set by the test's config, not defaulted
      let documentedDefault: unknown;
      try {
        documentedDefault = JSON.parse(literal);
      } catch {
        continue; // prose, not a value
      }
      expect(valueAt(config, key), key).toEqual(documentedDefault);
      checked += 1;
    }
    expect(checked).toBeGreaterThan(15);
  });
});
