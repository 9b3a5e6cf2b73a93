/** infra/ is the CDK app: it may use shared/, lambda/ constants and scripts/ (the Lambda build), never device/. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function sources(folder: string): string[] {
  return readdirSync(`${ROOT}${folder}`).flatMap((name) => {
    const path = `${folder}/${name}`;
    if (statSync(`${ROOT}${path}`).isDirectory()) return sources(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

describe('infra imports', () => {
  it('never reach into device/', () => {
    for (const file of sources('infra')) {
      const specs = [...readFileSync(`${ROOT}${file}`, 'utf8').matchAll(/from\s+['"]([^'"]+)['"]/g)].map(
        (match) => match[1],
      );
      expect(
        specs.filter((spec) => spec?.includes('device/')),
        file,
      ).toEqual([]);
    }
  });
});
