/**
 * The system tools a test runs (mosquitto, openssl, chromium), found where `npm test` looks for
 * them. A missing one fails the test with the install command; it never skips it.
 */
import { findTool, isExecutable, missingToolMessage } from '../../scripts/test-tools.ts';

/** The absolute path of `command`, or an error naming the install command. */
export function toolPath(command: 'mosquitto' | 'openssl' | 'chromium'): string {
  const path = findTool(command, process.env.PATH, isExecutable);
  if (path === undefined) throw new Error(missingToolMessage(command));
  return path;
}
