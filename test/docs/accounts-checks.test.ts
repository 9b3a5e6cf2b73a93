/** docs/accounts.md and docs/checks.md send a newcomer to pages that exist and speak of what ships. */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const read = (name: string) => readFileSync(new URL(`../../docs/${name}`, import.meta.url), 'utf8');

describe('docs/accounts.md', () => {
  it('starts the agent from docs/pi.md, the page that sets a Pi up', () => {
    const step5 = read('accounts.md').split('## 5. ')[1]?.split('\n## ')[0] ?? '';
    expect(step5).toContain('Start the agent (docs/pi.md)');
    expect(step5).not.toContain('docs/install.md');
    expect(existsSync(new URL('../../docs/pi.md', import.meta.url))).toBe(true);
  });
});

describe('docs/checks.md', () => {
  it('calls nothing that ships "to come" or "not built"', () => {
    expect(read('checks.md')).not.toMatch(/to come|not built/i);
  });
});
