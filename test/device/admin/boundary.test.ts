/** The admin SDK clients are development dependencies: only enroll.ts may import them, and only lazily. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const ADMIN_CLIENTS = /^@aws-sdk\/client-(iot|cloudformation)$/;

function sources(folder: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(`${ROOT}${dir}`)) {
      const path = `${dir}/${name}`;
      if (statSync(`${ROOT}${path}`).isDirectory()) walk(path);
      else if (path.endsWith('.ts')) out.push(path);
    }
  };
  walk(folder);
  return out;
}

/** [specifier, lazy] for every import of a file. */
function importsOf(file: string): Array<[string, boolean]> {
  const text = readFileSync(`${ROOT}${file}`, 'utf8');
  return [
    ...text.matchAll(
      /(?:^|\s)(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]/g,
    ),
  ].map((match) => [(match[1] ?? match[2]) as string, match[2] !== undefined]);
}

describe('admin SDK clients', () => {
  it('are imported by device/admin/enroll.ts and by no other device file', () => {
    const importers = sources('device').filter((file) =>
      importsOf(file).some(([spec]) => ADMIN_CLIENTS.test(spec)),
    );
    expect(importers).toEqual(['device/admin/enroll.ts']);
  });

  it('are reached from the ec2led command only through lazy imports', () => {
    const eager = (file: string) =>
      importsOf(file)
        .filter(([, lazy]) => !lazy)
        .map(([spec]) => spec);
    expect(eager('device/main.ts')).not.toContain('./admin/cli.ts');
    expect(importsOf('device/main.ts')).toContainEqual(['./admin/cli.ts', true]);
    expect(eager('device/admin/cli.ts')).not.toContain('./enroll.ts');
    for (const file of sources('device/admin').filter((name) => name !== 'device/admin/enroll.ts')) {
      expect(eager(file).filter((spec) => spec === './enroll.ts' || ADMIN_CLIENTS.test(spec))).toEqual([]);
    }
  });
});
