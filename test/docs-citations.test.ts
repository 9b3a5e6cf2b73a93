/**
 * Every citation of a document resolves inside the repository. A citation is `<path>.md §n` or
 * `<path>.md #n` (the path from the repository root, e.g. docs/reference/hardware.md §2.4), or a bare `§n`
 * in a file that cites exactly one document by section (or in that document itself). It resolves
 * when the file exists and has a heading numbered n ("## 2." / "### 2.4"), or n is a.b and section a
 * has a numbered item b, or n is a numbered item of the file ("17. ..."). Nothing may cite the
 * reference files that used to live outside the repository, nor the issue tracker by number.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ROOT } from './source-tree.ts';

const SKIP = new Set(['node_modules', 'dist', 'cdk.out', 'test-results', '.ec2led-state', '.git']);
const TEXT = /\.(ts|js|mjs|md|json|service|yml|yaml|sh)$|^run$/;

function files(dir = ''): string[] {
  const out: string[] = [];
  for (const name of readdirSync(`${ROOT}${dir}`)) {
    if (SKIP.has(name) || name === 'package-lock.json') continue;
    const path = dir === '' ? name : `${dir}/${name}`;
    if (statSync(`${ROOT}${path}`).isDirectory()) out.push(...files(path));
    else if (TEXT.test(name)) out.push(path);
  }
  return out;
}

const ALL = files();
const read = (path: string) => readFileSync(`${ROOT}${path}`, 'utf8');

/** Section numbers of a document: headings ("## 2.4 ...") and numbered items, per section. */
function sectionsOf(path: string): Set<string> {
  const found = new Set<string>();
  let section: string | undefined;
  for (const line of read(path).split('\n')) {
    const heading = /^#{1,6}\s+(\d+(?:\.\d+)*)\.?\s/.exec(line);
    if (heading?.[1] !== undefined) {
      section = heading[1];
      found.add(section);
      continue;
    }
    const item = /^\s{0,3}(\d+)\.\s/.exec(line);
    if (item?.[1] !== undefined) {
      found.add(item[1]);
      if (section !== undefined) found.add(`${section}.${item[1]}`);
    }
  }
  return found;
}

interface Citation {
  readonly file: string;
  readonly doc: string;
  readonly number: string;
  readonly text: string;
}

const CITED = /([\w./-]+\.md) ?[§#](\d+(?:\.\d+)*)/g;
const BARE = /(?<![\w./-]\.md ?)§(\d+(?:\.\d+)*)/g;

function citations(): Citation[] {
  const out: Citation[] = [];
  for (const file of ALL) {
    const text = read(file);
    const docs = new Set<string>();
    for (const match of text.matchAll(CITED)) {
      const [whole, doc, number] = match as unknown as [string, string, string];
      out.push({ file, doc, number, text: whole });
      if (whole.includes('§')) docs.add(doc);
    }
    const bare = [...text.matchAll(BARE)];
    if (bare.length === 0) continue;
    // A bare §n means the one document this file cites by section, or the file itself.
    const doc = file.endsWith('.md') && docs.size === 0 ? file : docs.size === 1 ? [...docs][0] : undefined;
    for (const match of bare) {
      out.push({
        file,
        doc: doc ?? '(no single document cited by section)',
        number: match[1] as string,
        text: match[0],
      });
    }
  }
  return out;
}

describe('document citations', () => {
  const all = citations();

  it('finds the citations (the scan itself works)', () => {
    expect(all.length).toBeGreaterThan(100);
    expect(all).toContainEqual(
      expect.objectContaining({
        file: 'device/display/gamma.ts',
        doc: 'docs/reference/hardware.md',
        number: '7.1',
      }),
    );
  });

  it('every cited document exists in the repository and has the cited section', () => {
    const cache = new Map<string, Set<string> | undefined>();
    const unresolved = all.filter(({ doc, number }) => {
      if (!cache.has(doc)) cache.set(doc, existsSync(`${ROOT}${doc}`) ? sectionsOf(doc) : undefined);
      return cache.get(doc)?.has(number) !== true;
    });
    expect(unresolved.map(({ file, text, doc }) => `${file}: ${text} -> ${doc}`)).toEqual([]);
  });

  it('cites the reference documents only by their path in the repository', () => {
    const stray = ALL.flatMap((file) =>
      [...read(file).matchAll(/(?<![\w/.-])(?:hardware|users|aws|toolchain)\.md/g)].map(
        (m) => `${file}: ${m[0]}`,
      ),
    );
    expect(stray).toEqual([]);
  });

  it('cites nothing outside the repository: no reference file outside it, no issue numbers', () => {
    const outside = ALL.flatMap((file) =>
      [
        ...read(file).matchAll(/shared\/reference|shared\/STYLE\.md|\/work\/shared|\b[Ii]ssues? #?\d+\b/g),
      ].map((m) => `${file}: ${m[0]}`),
    );
    expect(outside).toEqual([]);
  });
});

describe('sectionsOf', () => {
  it('reads headings, numbered items under them, and top-level numbered items', () => {
    const hardware = sectionsOf('docs/reference/hardware.md');
    for (const number of ['0', '2', '2.4', '5.5', '7.1', '8.1', '8.9'])
      expect(hardware.has(number)).toBe(true);
    expect(hardware.has('2.9')).toBe(false);
    expect(sectionsOf('docs/reference/toolchain.md').has('17')).toBe(true);
    expect(sectionsOf('docs/reference/users.md').has('10')).toBe(true);
  });
});
