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
    // `npm run coverage`: the pure core and the cloud code. The floor sits a little under what the
    // suite reaches today (measured when it was set), so coverage can only ratchet up.
    coverage: {
      provider: 'v8',
      include: ['shared/**/*.ts', 'device/fleet/**/*.ts', 'device/layout/**/*.ts', 'lambda/**/*.ts'],
      exclude: ['test/**'],
      reporter: ['text-summary', 'text'],
      // Measured 2026-11-29: statements 96.9, branches 93.7, functions 97.4, lines 97.9 (npm run coverage).
      thresholds: { statements: 96, branches: 93, functions: 97, lines: 97 },
    },
  },
});
