/** Holds docs/config.md's list of remote settings to config/remote-settings.ts REMOTE_KEYS. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { REMOTE_KEYS } from '../../device/config/remote-settings.ts';
import { ROOT } from '../source-tree.ts';

describe('docs/config.md, Remote settings', () => {
  it('lists exactly the keys a shadow may set, in order', () => {
    const text = readFileSync(`${ROOT}docs/config.md`, 'utf8');
    const section = text.split('## Remote settings')[1]?.split('\n## ')[0] ?? '';
    const listed = [...section.matchAll(/^- `([^`]+)`$/gm)].map((match) => match[1]);
    expect(listed).toEqual([...REMOTE_KEYS]);
  });
});
