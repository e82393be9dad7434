// The end-to-end suite (test/e2e): playwright-core driving Debian's Chromium against the app
// `npm start` runs, one flow after another (they share one server and one browser per file).
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/e2e/**/*.test.ts'],
    environment: 'node',
    globalSetup: ['test/e2e/global-setup.ts'],
    fileParallelism: false,
    testTimeout: 90_000,
    hookTimeout: 60_000,
  },
});
