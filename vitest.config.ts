import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/server/**/*.test.ts', 'test/demo/**/*.test.ts'],
    environment: 'node',
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // Suites start real listeners on 127.0.0.1 with ephemeral ports, so files can run in parallel.
    pool: 'forks',
  },
});
