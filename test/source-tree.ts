/** The repository's TypeScript sources as text, for the tests that hold the dependency lines. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Every .ts file below `folder` (a path from the repository root), recursively. */
export function sources(folder: string): string[] {
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

export interface SourceImport {
  readonly specifier: string;
  /** A dynamic `import()`, loaded only when that code runs. */
  readonly lazy: boolean;
}

/** Every static import, re-export and dynamic import() of a file. */
export function importsOf(file: string): SourceImport[] {
  const text = readFileSync(`${ROOT}${file}`, 'utf8');
  return [
    ...text.matchAll(
      /(?:^|\s)(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]/g,
    ),
  ].map((match) => ({ specifier: (match[1] ?? match[2]) as string, lazy: match[2] !== undefined }));
}
