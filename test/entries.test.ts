/**
 * Every entry point runs only when executed, never when imported: a test that imports one for its
 * helpers (the demo's flag parser, the bundle options) must not start a demo, a build or a benchmark.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ROOT } from './source-tree.ts';

/** The files npm scripts and cdk.json run, plus the benchmark's child process. */
function entries(): string[] {
  const pkg = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as { scripts: Record<string, string> };
  const cdk = JSON.parse(readFileSync(`${ROOT}cdk.json`, 'utf8')) as { app: string };
  const run = [...Object.values(pkg.scripts), cdk.app].flatMap((line) => [
    ...line.matchAll(/\btsx\s+([\w/.-]+\.ts)\b/g),
  ]);
  return [...new Set([...run.map((match) => match[1] as string), 'bench/reconcile-child.ts'])].sort();
}

describe('entry points', () => {
  it('are the demo, the build, the benchmarks and the CDK app', () => {
    expect(entries()).toEqual(
      expect.arrayContaining([
        'bench/reconcile-child.ts',
        'bench/run.ts',
        'device/demo/main.ts',
        'infra/app.ts',
        'scripts/build.ts',
      ]),
    );
  });

  it('each calls its main only behind an is-main guard', () => {
    for (const file of entries()) {
      // Its own guard (device/ and infra/ import nothing from scripts/), or scripts/is-main.ts's.
      const guarded = /if \(isMain\((import\.meta\.url)?\)\)/.test(readFileSync(`${ROOT}${file}`, 'utf8'));
      expect(`${file}: ${guarded}`).toBe(`${file}: true`);
    }
  });

  it('importing every one of them starts nothing, prints nothing and lets the process end', () => {
    const imports = entries()
      .map((file) => `await import(${JSON.stringify(`${ROOT}${file}`)});`)
      .join(' ');
    const result = spawnSync(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', `${imports} process.stdout.write('imported');`],
      { cwd: ROOT, encoding: 'utf8', timeout: 30_000, env: { ...process.env, FORCE_COLOR: '0' } },
    );
    expect({ status: result.status, stdout: result.stdout, stderr: result.stderr }).toEqual({
      status: 0,
      stdout: 'imported',
      stderr: '',
    });
  }, 40_000);
});
