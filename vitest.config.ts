import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Temp files under test-results/tmp/, checked empty at the end (nothing of a run lands in /tmp).
    globalSetup: ['test/global-setup.ts'],
    // aws-crt aborts the run under worker threads (toolchain trap 2): forks for everything.
    pool: 'forks',
    testTimeout: 20_000,
    // A beforeAll that synthesizes a CDK app takes 10-40 s on 2 busy cores.
    hookTimeout: 60_000,
    allowOnly: false,
    passWithNoTests: false,
  },
});
