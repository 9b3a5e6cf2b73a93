/**
 * `npm run test:pi` (scripts/test-pi.ts): the arm64 package under qemu-user, after the package is
 * built. Only test/pi/*.pi.ts, which `npm test` never runs: they need dist/pi/ and qemu.
 */
import { defineConfig } from 'vitest/config';
import base from './vitest.config.ts';

export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: ['test/pi/**/*.pi.ts'],
    // One arm64 agent at a time: emulated, each is several times slower than a native one.
    fileParallelism: false,
  },
});
