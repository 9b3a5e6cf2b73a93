/**
 * Holds the dependency direction of the README's folder table ("must not import"): shared imports
 * nothing; lambda never imports device or infra. Inside device/, the layers of device/README.md: a
 * folder imports only its own layer's files and lower layers, the pure core imports nothing but
 * itself and shared/, and no two folders import each other (outputs/* and commands/* count as
 * folders of their own).
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
      const lambdaAllowed = /^device\/(demo|commands\/replay)\//.test(file);
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

/**
 * device/'s layers, lowest first (device/README.md). Equal ranks do not import each other. The pure
 * core is kinds, fleet, brightness and picture.
 */
const LAYERS: Readonly<Record<string, number>> = {
  kinds: 0,
  fleet: 1,
  brightness: 1,
  picture: 2,
  base: 3,
  config: 4,
  sources: 5,
  outputs: 6,
  agent: 7,
  commands: 8,
  demo: 9,
  'main.ts': 10,
};
const CORE = new Set(['kinds', 'fleet', 'brightness', 'picture']);

/** device/x/… -> x (a file at device/'s top: its name). */
const layerOf = (file: string) => file.split('/')[1] ?? file;
/** The folder a file counts in for folder cycles: outputs/* and commands/* are folders of their own. */
function folderOf(file: string): string {
  const parts = file.split('/');
  return parts.length > 3 && (parts[1] === 'outputs' || parts[1] === 'commands')
    ? `${parts[1]}/${parts[2]}`
    : (parts[1] ?? file);
}

describe('device/ layers', () => {
  const files = sources('device');

  it('every folder of device/ has its layer here and in device/README.md', () => {
    const unknown = [...new Set(files.map(layerOf))].filter((layer) => LAYERS[layer] === undefined);
    expect(unknown, 'add the folder to LAYERS above and to the table of device/README.md').toEqual([]);
  });

  it('a folder imports only its own files and lower layers; the core, only itself and shared/', () => {
    const wrong: string[] = [];
    for (const file of files) {
      const from = layerOf(file);
      for (const spec of importsOf(file)) {
        if (!spec.startsWith('.')) {
          if (CORE.has(from)) wrong.push(`${file}: ${spec} (the core imports no package or node: module)`);
          continue;
        }
        const target = normalize(join(dirname(file), spec));
        if (!target.startsWith('device/')) continue;
        const to = layerOf(target);
        if (to === from) continue;
        if (!((LAYERS[to] ?? Infinity) < (LAYERS[from] ?? -Infinity)))
          wrong.push(`${file}: ${spec} (${from} -> ${to})`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('no two folders import each other, directly or around a loop', () => {
    const folders = new Map<string, Set<string>>();
    for (const file of files) {
      for (const spec of importsOf(file)) {
        if (!spec.startsWith('.')) continue;
        const target = normalize(join(dirname(file), spec));
        if (!target.startsWith('device/') || folderOf(target) === folderOf(file)) continue;
        const targets = folders.get(folderOf(file)) ?? new Set<string>();
        folders.set(folderOf(file), targets);
        targets.add(folderOf(target));
      }
    }
    const graph = new Map([...folders].map(([folder, targets]) => [folder, [...targets]]));
    expect(cycles(graph)).toEqual([]);
  });

  it('the check sees a layer broken and a folder cycle', () => {
    expect(
      cycles(
        new Map([
          ['config', ['outputs/display']],
          ['outputs/display', ['config']],
        ]),
      ),
    ).toEqual([['config', 'outputs/display', 'config']]);
    expect(folderOf('device/outputs/display/boards/terminal.ts')).toBe('outputs/display');
    expect(layerOf('device/outputs/display/boards/terminal.ts')).toBe('outputs');
    expect(LAYERS.fleet).toBeLessThan(LAYERS.picture ?? 0);
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
      ['main.ts', ['commands/replay/cli.ts', 'log.ts']],
      ['commands/replay/cli.ts', ['log.ts', 'main.ts']],
      ['log.ts', []],
    ]);
    expect(cycles(graph)).toEqual([['main.ts', 'commands/replay/cli.ts', 'main.ts']]);
    graph.set('commands/replay/cli.ts', ['log.ts']);
    expect(cycles(graph)).toEqual([]);
  });

  it('no file of ours takes part in an import cycle (device/main.ts ⇄ commands/replay/cli.ts was one)', () => {
    const files = ['shared', 'lambda', 'device', 'infra', 'bench', 'scripts'].flatMap((folder) =>
      sources(folder),
    );
    expect(cycles(importGraph(files))).toEqual([]);
  });
});
