/**
 * The admin SDK clients are development dependencies: only enroll.ts, shadow-set.ts and update.ts may
 * import them, and only lazily.
 */
import { describe, expect, it } from 'vitest';
import { importsOf as importsWithKind, sources } from '../../../source-tree.ts';

const ADMIN_CLIENTS = /^@aws-sdk\/client-(iot|iot-data-plane|cloudformation|s3)$/;
const ADAPTERS = [
  'device/commands/admin/enroll.ts',
  'device/commands/admin/shadow-set.ts',
  'device/commands/admin/update.ts',
];

/** [specifier, lazy] for every import of a file. */
const importsOf = (file: string): Array<[string, boolean]> =>
  importsWithKind(file).map((entry) => [entry.specifier, entry.lazy]);

describe('admin SDK clients', () => {
  it('are imported by device/commands/admin/enroll.ts, shadow-set.ts and update.ts and by no other device file', () => {
    const importers = sources('device').filter((file) =>
      importsOf(file).some(([spec]) => ADMIN_CLIENTS.test(spec)),
    );
    expect(importers).toEqual(ADAPTERS);
  });

  it('are reached from the ec2led command only through lazy imports', () => {
    const eager = (file: string) =>
      importsOf(file)
        .filter(([, lazy]) => !lazy)
        .map(([spec]) => spec);
    expect(eager('device/main.ts')).not.toContain('./commands/admin/cli.ts');
    expect(importsOf('device/main.ts')).toContainEqual(['./commands/admin/cli.ts', true]);
    expect(eager('device/commands/admin/cli.ts')).not.toContain('./enroll.ts');
    expect(eager('device/commands/admin/cli.ts')).not.toContain('./shadow-set.ts');
    expect(eager('device/commands/admin/cli.ts')).not.toContain('./update.ts');
    for (const file of sources('device/commands/admin').filter((name) => !ADAPTERS.includes(name))) {
      const adapters = eager(file).filter((spec) =>
        ['./enroll.ts', './shadow-set.ts', './update.ts'].includes(spec),
      );
      expect([...adapters, ...eager(file).filter((spec) => ADMIN_CLIENTS.test(spec))]).toEqual([]);
    }
  });
});
