/**
 * Holds the line of device/README.md: device/fleet and device/layout import no adapter. They import
 * shared/, each other, and the display's plain data types and frame helpers; the one file allowed to
 * touch the file system is layout/slot-store.ts.
 */
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { importsOf as importsWithKind, ROOT } from '../../source-tree.ts';

const ALLOWED =
  /^(\.\/[\w-]+\.ts|\.\.\/(fleet|layout)\/[\w-]+\.ts|\.\.\/\.\.\/shared\/[\w-]+\.ts|\.\.\/display\/(display|frame)\.ts)$/;
const IO_FILES = new Map([['device/layout/slot-store.ts', /^node:(fs\/promises|path)$/]]);

const importsOf = (file: string) => importsWithKind(file).map((entry) => entry.specifier);

describe('device/fleet and device/layout', () => {
  for (const folder of ['device/fleet', 'device/layout']) {
    it(`${folder} imports no adapter and no package`, () => {
      const files = readdirSync(`${ROOT}${folder}`).filter((name) => name.endsWith('.ts'));
      expect(files.length).toBeGreaterThan(0);
      for (const name of files) {
        const file = `${folder}/${name}`;
        for (const spec of importsOf(file)) {
          const ok = ALLOWED.test(spec) || (IO_FILES.get(file)?.test(spec) ?? false);
          expect(ok, `${file} imports ${spec}`).toBe(true);
        }
      }
    });
  }
});
