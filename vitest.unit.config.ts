/**
 * `npm run test:unit`: the edit loop. The pure core (contract, fleet, layout, replay's ordering) and
 * the byte tests of every board against fake buses, in seconds: no broker, no browser, no child
 * process, no cdk synth. `npm test` runs everything, these included.
 */
import { defineConfig } from 'vitest/config';
import base from './vitest.config.ts';

// Not mergeConfig: it would append this list to the base's test/**/*.test.ts.
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    // No aws-crt in these files, so threads are safe here, and start faster than forks.
    pool: 'threads',
    // Pure modules keep no state worth isolating: one module graph for every file saves most of the time.
    isolate: false,
    include: [
      'test/shared/**/*.test.ts',
      'test/lambda/translate.test.ts',
      'test/device/fleet/**/*.test.ts',
      'test/device/layout/**/*.test.ts',
      'test/device/display/**/*.test.ts',
      'test/device/config.test.ts',
      'test/device/settings/**/*.test.ts',
      'test/device/sources/shadow.test.ts',
      'test/device/web/guards.test.ts',
      'test/device/web/events.test.ts',
      'test/device/demo/simulator.test.ts',
      'test/device/demo/lines.test.ts',
      'test/scripts/**/*.test.ts',
      'test/architecture.test.ts',
    ],
  },
});
