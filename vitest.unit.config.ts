/**
 * `npm run test:unit`: the edit loop. The pure core (contract, fleet, layout, replay's ordering) and
 * the byte tests of every board against fake buses, in seconds: no broker, no browser, no child
 * process, no cdk synth. `npm test` runs everything, these included.
 */
import { defineConfig } from 'vitest/config';
import base from './vitest.config.ts';
import { UNIT_TESTS } from './vitest.tiers.ts';

// Not mergeConfig: it would append this list to the base's test/**/*.test.ts.
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    // No aws-crt in these files, so threads are safe here, and start faster than forks.
    pool: 'threads',
    // Pure modules keep no state worth isolating: one module graph for every file saves most of the time.
    isolate: false,
    include: [...UNIT_TESTS],
  },
});
