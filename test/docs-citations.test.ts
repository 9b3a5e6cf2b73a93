/**
 * Every citation of a document resolves inside the repository. A citation is `<path>.md §n` or
 * `<path>.md #n` (the path from the repository root, e.g. docs/reference/hardware.md §2.4), or a bare `§n`
 * in a file that cites exactly one document by section (or in that document itself). It resolves
 * when the file exists and has a heading numbered n ("## 2." / "### 2.4"), or n is a.b and section a
 * has a numbered item b, or n is a numbered item of the file ("17. ..."). Nothing may cite the
 * reference files that used to live outside the repository, nor the issue tracker by number.
 *
 * A plain file path in a comment of the code (`lambda/translate.ts`, `config/display-options.ts`,
 * `./source-tree.ts`, `kinds.ts`) is a citation too, and must name a file of the repository: see
 * `citedFileResolves` for what counts and what is left alone (build outputs, data files, packages).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './source-tree.ts';

/** Folders that are built, installed or written by runs: git-ignored, never cited as sources. */
const OUTPUTS = [
  'node_modules',
  'dist',
  'cdk.out',
  'test-results',
  '.ec2led-state',
  '.ec2led-demo',
  '.cache',
];
const SKIP = new Set([...OUTPUTS, '.git']);
const TEXT = /\.(ts|js|mjs|md|json|service|yml|yaml|sh)$|^run$/;

function walk(dir = ''): string[] {
  const out: string[] = [];
  for (const name of readdirSync(`${ROOT}${dir}`)) {
    if (SKIP.has(name)) continue;
    const path = dir === '' ? name : `${dir}/${name}`;
    if (statSync(`${ROOT}${path}`).isDirectory()) out.push(...walk(path));
    else out.push(path);
  }
  return out;
}

/** Every file of the repository (the outputs aside), and the text files among them. */
const EVERY = walk();
const ALL = EVERY.filter(
  (path) => TEXT.test(path.split('/').pop() as string) && !path.endsWith('package-lock.json'),
);
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

/**
 * The comments of a JavaScript or TypeScript source, with the line each starts on. Strings,
 * template literals and regular expressions are skipped, so `'test/**\u002f*.ts'` or `/https?:\/\//`
 * is no comment.
 */
function commentsOf(text: string): { line: number; text: string }[] {
  const out: { line: number; text: string }[] = [];
  const n = text.length;
  let i = 0;
  let line = 1;
  /** Whether a `/` here starts a regular expression (after an operator or keyword) rather than divides. */
  let regexAllowed = true;
  const skipString = (quote: string): void => {
    i += 1;
    while (i < n && text[i] !== quote) {
      const c = text[i];
      if (c === '\\') i += 1;
      else if (c === '\n') line += 1;
      else if (quote === '`' && c === '$' && text[i + 1] === '{') {
        // A template's ${...}: to its closing brace, strings inside it skipped as strings.
        let depth = 0;
        i += 1;
        while (i < n) {
          const d = text[i];
          if (d === "'" || d === '"' || d === '`') {
            skipString(d);
            continue;
          }
          if (d === '{') depth += 1;
          else if (d === '}') depth -= 1;
          else if (d === '\n') line += 1;
          if (depth === 0) break; // on the closing brace, which the step below passes
          i += 1;
        }
      }
      i += 1;
    }
    i += 1;
  };
  while (i < n) {
    const c = text[i] as string;
    const next = text[i + 1];
    if (c === '/' && next === '/') {
      const end = text.indexOf('\n', i);
      const stop = end < 0 ? n : end;
      out.push({ line, text: text.slice(i + 2, stop) });
      i = stop;
    } else if (c === '/' && next === '*') {
      const end = text.indexOf('*/', i + 2);
      const stop = end < 0 ? n : end;
      const body = text.slice(i + 2, stop);
      out.push({ line, text: body });
      line += body.split('\n').length - 1;
      i = stop + 2;
    } else if (c === "'" || c === '"' || c === '`') {
      skipString(c);
      regexAllowed = false;
    } else if (c === '/' && regexAllowed) {
      let inClass = false;
      i += 1;
      while (i < n && text[i] !== '\n' && (inClass || text[i] !== '/')) {
        if (text[i] === '\\') i += 1;
        else if (text[i] === '[') inClass = true;
        else if (text[i] === ']') inClass = false;
        i += 1;
      }
      i += 1;
      regexAllowed = false;
    } else if (/[\w$]/.test(c)) {
      let j = i;
      while (j < n && /[\w$]/.test(text[j] as string)) j += 1;
      regexAllowed = /^(return|typeof|instanceof|in|of|new|delete|void|throw|case|do|else|yield|await)$/.test(
        text.slice(i, j),
      );
      i = j;
    } else {
      if (c === '\n') line += 1;
      else if (!/\s/.test(c)) regexAllowed = !/[)\]}]/.test(c);
      i += 1;
    }
  }
  return out;
}

/** The comments of a shell script: the text after a `#` that starts a line. */
function shellCommentsOf(text: string): { line: number; text: string }[] {
  return text
    .split('\n')
    .map((body, index) => ({ line: index + 1, text: /^\s*#(.*)$/.exec(body)?.[1] }))
    .filter((comment): comment is { line: number; text: string } => comment.text !== undefined);
}

/**
 * A file path in prose: folders, a name and an extension of the files a repository holds. Not a
 * manual page (`systemd.service(5)`), nor the argument of a flag in an example (`--out FILE.png`).
 */
const FILE_PATH =
  /(?<![\w./@:~$*{-]|--[\w-]+[ =])((?:\.{1,2}\/)*(?:[\w.-]+\/)*[\w][\w.-]*\.(?:ts|mjs|js|md|json|ya?ml|sh|service|png))(?![\w/-]|\(\d)/g;

/** The packages package.json names: a path under one of them (`vitest/vitest.mjs`) is the package's. */
const PACKAGES = (() => {
  const manifest = JSON.parse(read('package.json')) as Record<string, Record<string, string> | undefined>;
  return new Set(
    ['dependencies', 'devDependencies', 'optionalDependencies'].flatMap((field) =>
      Object.keys(manifest[field] ?? {}),
    ),
  );
})();

/**
 * Whether a path cited in a comment of `file` names a file of the repository:
 * - starting with `./` or `../`: from the citing file's folder (`./source-tree.ts`, `../device/main.ts`);
 * - with folders: a repository path that is it or ends with it (`config/display-options.ts`);
 * - a bare name: a repository file of that name anywhere (`kinds.ts`).
 * Left alone: paths under the git-ignored outputs (`dist/cli.mjs`) or a package (`vitest/vitest.mjs`),
 * bare `.json` names (the data files the agent writes and reads: `slots.json`, `config.json`), and
 * capitalised bare `.js` names, which are products (`Node.js`).
 */
function citedFileResolves(cited: string, file: string, every: readonly string[] = EVERY): boolean {
  if (cited.startsWith('./') || cited.startsWith('../')) {
    return every.includes(normalize(join(dirname(file), cited)));
  }
  if (cited.includes('/')) {
    const first = cited.split('/')[0] as string;
    if (OUTPUTS.includes(first) || PACKAGES.has(first)) return true;
    return every.some((path) => path === cited || path.endsWith(`/${cited}`));
  }
  if (cited.endsWith('.json') || /^[A-Z]\w*\.js$/.test(cited)) return true;
  return every.some((path) => path === cited || path.endsWith(`/${cited}`));
}

/** Every plain file path in the comments of the code, the scripts and the CI entry point. */
function citedFiles(): { file: string; line: number; cited: string }[] {
  const code = ALL.filter((path) => /\.(ts|mjs|js)$/.test(path));
  const shell = ALL.filter((path) => /\.sh$|(^|\/)run$/.test(path));
  return [
    ...code.map((file) => ({ file, comments: commentsOf(read(file)) })),
    ...shell.map((file) => ({ file, comments: shellCommentsOf(read(file)) })),
  ].flatMap(({ file, comments }) =>
    comments.flatMap(({ line, text }) =>
      [...text.matchAll(FILE_PATH)].map((match) => ({ file, line, cited: match[1] as string })),
    ),
  );
}

describe('document citations', () => {
  const all = citations();

  it('finds the citations (the scan itself works)', () => {
    expect(all.length).toBeGreaterThan(100);
    expect(all).toContainEqual(
      expect.objectContaining({
        file: 'device/outputs/display/gamma.ts',
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

describe('file paths in comments', () => {
  const cited = citedFiles();

  it('finds them (the scan itself works)', () => {
    expect(cited.length).toBeGreaterThan(200);
    expect(cited).toContainEqual({
      file: 'device/outputs/web/status-socket.ts',
      line: 1,
      cited: 'device/picture/legend.ts',
    });
  });

  it('every one names a file of the repository', () => {
    const gone = cited.filter(({ file, cited: path }) => !citedFileResolves(path, file));
    expect(gone.map(({ file, line, cited: path }) => `${file}:${line}: ${path}`)).toEqual([]);
  });

  it('resolves from the citing folder, by a path ending, or by a name; fails a file that is gone', () => {
    const every = [
      'device/picture/legend.ts',
      'device/commands/cli/status.ts',
      'test/fakes/wait.ts',
      'README.md',
    ];
    const from = 'device/commands/cli/agent.ts';
    expect(citedFileResolves('./status.ts', from, every)).toBe(true);
    expect(citedFileResolves('../../picture/legend.ts', from, every)).toBe(true);
    expect(citedFileResolves('picture/legend.ts', from, every)).toBe(true);
    expect(citedFileResolves('legend.ts', from, every)).toBe(true);
    expect(citedFileResolves('README.md', from, every)).toBe(true);
    expect(citedFileResolves('display/board-view.ts', from, every)).toBe(false);
    expect(citedFileResolves('lambda/credentials.ts', from, every)).toBe(false);
    expect(citedFileResolves('STYLE.md', from, every)).toBe(false);
    expect(citedFileResolves('./legend.ts', from, every)).toBe(false);
    // Not the repository's files: outputs, packages, data files, products.
    expect(citedFileResolves('dist/cli.mjs', from, every)).toBe(true);
    expect(citedFileResolves('playwright-core/lib/server/chromium.js', from, every)).toBe(true);
    expect(citedFileResolves('slots.json', from, every)).toBe(true);
    expect(citedFileResolves('Node.js', from, every)).toBe(true);
  });

  it('takes no manual page and no argument of a flag for a file', () => {
    const found = (text: string) => [...text.matchAll(FILE_PATH)].map((match) => match[1]);
    expect(found('a clean stop (systemd.service(5)), see unit.ts')).toEqual(['unit.ts']);
    expect(found('npm run screenshot -- --out FILE.png, or docs/web-board.png')).toEqual([
      'docs/web-board.png',
    ]);
  });

  it('reads comments, not strings, globs, templates or regular expressions', () => {
    const source = [
      "const glob = 'test/**/*.ts'; // one",
      'const re = /https?:\\/\\//; /* two */',
      'const t = `${a}/* not ${"//"} */`; // three',
      'const half = a / b; // four',
      '/**',
      ' * five',
      ' */',
    ].join('\n');
    expect(commentsOf(source)).toEqual([
      { line: 1, text: ' one' },
      { line: 2, text: ' two ' },
      { line: 3, text: ' three' },
      { line: 4, text: ' four' },
      { line: 5, text: '*\n * five\n ' },
    ]);
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
