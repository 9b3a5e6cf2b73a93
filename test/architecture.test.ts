/** Holds the dependency direction of STYLE.md: shared imports nothing; lambda never imports device or infra. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

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

function importsOf(file: string): string[] {
  const text = readFileSync(`${ROOT}${file}`, 'utf8');
  return [
    ...text.matchAll(
      /(?:^|\s)(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]/g,
    ),
  ].map((match) => (match[1] ?? match[2]) as string);
}

describe('dependency direction', () => {
  it('shared/ imports only shared/ and no package', () => {
    for (const file of sources('shared')) {
      for (const spec of importsOf(file)) expect(`${file}: ${spec}`).toMatch(/: \.\/[\w-]+\.ts$/);
    }
  });

  it('lambda/ imports shared/, itself and the AWS SDK only', () => {
    for (const file of sources('lambda')) {
      for (const spec of importsOf(file)) {
        expect(`${file}: ${spec}`).toMatch(/: (\.\/[\w-]+\.ts|\.\.\/shared\/[\w-]+\.ts|@aws-sdk\/[\w-]+)$/);
      }
    }
  });

  it('device/ never imports infra/, and only its demo and replay import lambda/', () => {
    for (const file of sources('device')) {
      const lambdaAllowed = /^device\/(demo|replay)\//.test(file);
      for (const spec of importsOf(file)) {
        expect(`${file}: ${spec}`).not.toMatch(/\binfra\//);
        if (!lambdaAllowed) expect(`${file}: ${spec}`).not.toMatch(/\blambda\//);
      }
    }
  });

  it('infra/ never imports device/', () => {
    for (const file of sources('infra')) {
      for (const spec of importsOf(file)) expect(`${file}: ${spec}`).not.toMatch(/\bdevice\//);
    }
  });
});
