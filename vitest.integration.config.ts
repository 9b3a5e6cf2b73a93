/**
 * `npm run test:integration`: every test file that is neither unit nor package (vitest.tiers.ts):
 * the agent, its sources and outputs against real processes on 127.0.0.1 and fake AWS endpoints,
 * the CDK app, the CLI. Minutes on 2 cores. `npm test` runs it with the other two tiers.
 */
import { configDefaults, defineConfig } from 'vitest/config';
import base from './vitest.config.ts';
import { PACKAGE_TESTS, UNIT_TESTS } from './vitest.tiers.ts';

export default defineConfig({
  ...base,
  test: {
    ...base.test,
    exclude: [...configDefaults.exclude, ...UNIT_TESTS, ...PACKAGE_TESTS],
  },
});
