/**
 * How this repository runs Chromium under playwright-core (which downloads no browser: Debian's
 * `chromium` package is used): headless, and kept off the network. Every host name but 127.0.0.1
 * resolves to nothing (`--host-resolver-rules`; without it Chromium made a dozen DNS lookups of its
 * own even with background networking off; docs/reference/toolchain.md §17), and background services
 * are off. Shared by the page
 * tests (test/device/outputs/web/browser.ts) and `npm run screenshot` (scripts/screenshot.ts).
 */
import { findTool, isExecutable, missingToolMessage } from './test-tools.ts';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1',
] as const;

/** The chromium executable on PATH, or an error naming the install command. */
export function chromiumPath(): string {
  const path = findTool('chromium', process.env.PATH, isExecutable);
  if (path === undefined) throw new Error(missingToolMessage('chromium'));
  return path;
}
