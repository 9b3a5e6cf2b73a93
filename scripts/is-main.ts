/**
 * Whether the module at `moduleUrl` (its `import.meta.url`) is the one Node was asked to run, so a
 * script's work starts only then and tests may import it without side effects. The entry is resolved
 * through symlinks, as Node resolves modules.
 */
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

export function isMain(moduleUrl: string): boolean {
  const entry = process.argv[1];
  return entry !== undefined && pathToFileURL(realpathSync(entry)).href === moduleUrl;
}
