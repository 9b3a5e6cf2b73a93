/**
 * Holds the dependency direction of the README's folder table ("must not import"): shared imports
 * nothing; lambda never imports device or infra.
 */
import { dirname, join, normalize } from 'node:path';
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

/** Our files each file imports (relative specifiers only), type-only and lazy imports included. */
function importGraph(files: readonly string[]): Map<string, string[]> {
  const known = new Set(files);
  return new Map(
    files.map((file) => [
      file,
      importsOf(file)
        .filter((spec) => spec.startsWith('.'))
        .map((spec) => normalize(join(dirname(file), spec)))
        .filter((target) => known.has(target)),
    ]),
  );
}

/**
 * Every import cycle in a graph, each named by its files (first file repeated at the end). A type-only
 * or lazy import counts: a cycle is a seam in the wrong place even where the runtime tolerates it.
 */
function cycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const found: string[][] = [];
  const done = new Set<string>();
  const path: string[] = [];
  const visit = (file: string): void => {
    const onPath = path.indexOf(file);
    if (onPath >= 0) {
      found.push([...path.slice(onPath), file]);
      return;
    }
    if (done.has(file)) return;
    path.push(file);
    for (const target of graph.get(file) ?? []) visit(target);
    path.pop();
    done.add(file);
  };
  for (const file of graph.keys()) visit(file);
  return found;
}

describe('import cycles', () => {
  it('names the files of a cycle, and finds none in a tree', () => {
    const graph = new Map([
      ['main.ts', ['replay/cli.ts', 'log.ts']],
      ['replay/cli.ts', ['log.ts', 'main.ts']],
      ['log.ts', []],
    ]);
    expect(cycles(graph)).toEqual([['main.ts', 'replay/cli.ts', 'main.ts']]);
    graph.set('replay/cli.ts', ['log.ts']);
    expect(cycles(graph)).toEqual([]);
  });

  it('no file of ours takes part in an import cycle (device/main.ts ⇄ replay/cli.ts was one)', () => {
    const files = ['shared', 'lambda', 'device', 'infra', 'bench', 'scripts'].flatMap((folder) =>
      sources(folder),
    );
    expect(cycles(importGraph(files))).toEqual([]);
  });
});
