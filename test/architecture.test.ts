/** Holds the dependency direction of STYLE.md: shared imports nothing; lambda never imports device or infra. */
import { describe, expect, it } from 'vitest';
import { importsOf as importsWithKind, sources } from './source-tree.ts';

const importsOf = (file: string) => importsWithKind(file).map((entry) => entry.specifier);

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
