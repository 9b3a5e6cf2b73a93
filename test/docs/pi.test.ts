/**
 * docs/pi.md keeps its promise to a newcomer: three steps that need no compiler and no Node.js install
 * on the Pi, the 32-bit answer where the reader decides, and `ec2led setup` lines (there, in
 * docs/install.md and the README) that the command line accepts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { setupMain } from '../../device/commands/service/cli.ts';
import { ROOT } from '../../scripts/lambda-bundle.ts';

const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const pi = read('docs/pi.md');

/** The text from the top of docs/pi.md to the first heading after step 3: the main path. */
const mainPath = pi.slice(0, pi.indexOf('\n## ', pi.indexOf('## 3.')));

describe('docs/pi.md', () => {
  it('shows the three steps: device create and copying two things, apt install, ec2led setup', () => {
    expect(mainPath).toContain('npx ec2led device create desk-pi --board unicornhatmini');
    expect(mainPath).toContain('scp -r ec2-led_0.1.0_arm64.deb ec2led-desk-pi pi@desk-pi.local:');
    expect(mainPath).toContain('sudo apt install ./ec2-led_0.1.0_arm64.deb');
    expect(mainPath).toContain('sudo ec2led setup ~/ec2led-desk-pi');
    expect(mainPath.match(/^## /gm)).toHaveLength(3);
  });

  it('needs no compiler, npm or Node.js install on the Pi in the main path', () => {
    for (const word of [
      'build-essential',
      'npm install',
      'nodesource',
      'apt-get install -y nodejs',
      'cmake',
    ]) {
      expect(mainPath, word).not.toContain(word);
    }
  });

  it('says before the steps that the package is arm64 only, and what works on 32-bit Raspberry Pi OS', () => {
    const before = pi.slice(0, pi.indexOf('## 1.'));
    expect(before).toContain('The package is **arm64 only**');
    expect(before).toContain('Node.js 24 has no build for 32-bit ARM');
    expect(before).toContain('the tarball on Node.js 22');
    expect(pi).toContain('### 32-bit Raspberry Pi OS');
  });

  it('calls no shipped feature "to come"', () => {
    expect(pi).not.toMatch(/once alarm pixels exist|to come/);
  });
});

describe('every `ec2led setup` line in the docs', () => {
  const lines = ['docs/pi.md', 'docs/install.md', 'README.md'].flatMap((path) =>
    [...read(path).matchAll(/sudo ec2led setup([^`\n|#]*)/g)].map((match) => ({
      path,
      args: (match[1] ?? '')
        .trim()
        .split(/\s+/)
        .filter((word) => word !== '' && !word.startsWith('(')),
    })),
  );

  it('finds them', () => {
    expect(lines.length).toBeGreaterThan(5);
  });

  it('parses with the options ec2led setup has', async () => {
    for (const { path, args } of lines) {
      let err = '';
      const code = await setupMain([...args, '--help'], {
        stdout: () => {},
        stderr: (text) => (err += text),
      });
      expect(`${path}: ec2led setup ${args.join(' ')}: exit ${code} ${err}`).toBe(
        `${path}: ec2led setup ${args.join(' ')}: exit 0 `,
      );
    }
  });
});
