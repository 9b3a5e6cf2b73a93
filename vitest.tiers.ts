/**
 * The test tiers, one list each, read by the vitest configs (test/README.md "Tiers"):
 * - unit (`npm run test:unit`, vitest.unit.config.ts): the pure core and every board's bytes on fake
 *   buses, in seconds: no broker, browser, child process, network or cdk synth.
 * - package (`npx vitest run test/package`): the npm package packed, installed and run; the slowest.
 * - integration (`npm run test:integration`, vitest.integration.config.ts): every other test file,
 *   with real processes on 127.0.0.1 (mosquitto, chromium, the agent), fakes of AWS, cdk synth.
 * `npm test` runs all three. A new test file is integration unless a list here names it.
 */

export const UNIT_TESTS = [
  'test/shared/**/*.test.ts',
  'test/lambda/translate.test.ts',
  'test/device/fleet/**/*.test.ts',
  'test/device/picture/**/*.test.ts',
  'test/device/brightness/**/*.test.ts',
  'test/device/outputs/display/**/*.test.ts',
  'test/device/config.test.ts',
  'test/device/settings/**/*.test.ts',
  'test/device/sources/shadow.test.ts',
  'test/device/outputs/web/guards.test.ts',
  'test/device/outputs/web/events.test.ts',
  'test/device/demo/simulator.test.ts',
  'test/device/demo/lines.test.ts',
  'test/scripts/**/*.test.ts',
  'test/architecture.test.ts',
] as const;

export const PACKAGE_TESTS = ['test/package/**/*.test.ts'] as const;
