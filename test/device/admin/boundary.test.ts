/** The admin SDK clients are development dependencies: only enroll.ts may import them, and only lazily. */
import { describe, expect, it } from 'vitest';
import { importsOf as importsWithKind, sources } from '../../source-tree.ts';

const ADMIN_CLIENTS = /^@aws-sdk\/client-(iot|cloudformation)$/;

/** [specifier, lazy] for every import of a file. */
const importsOf = (file: string): Array<[string, boolean]> =>
  importsWithKind(file).map((entry) => [entry.specifier, entry.lazy]);

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
