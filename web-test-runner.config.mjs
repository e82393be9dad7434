import { esbuildPlugin } from '@web/dev-server-esbuild';
import { defaultReporter, summaryReporter } from '@web/test-runner';
import { chromeLauncher } from '@web/test-runner-chrome';
import { chromiumArgs, findChromium } from './scripts/chromium.mjs';
import { countReporter } from './scripts/wtr-count-reporter.mjs';
import { liveServerPlugin } from './scripts/wtr-live-server.mjs';

export default {
  files: ['test/widget/**/*.test.ts'],
  nodeResolve: { exportConditions: ['production'] },
  plugins: [esbuildPlugin({ ts: true, target: 'es2022', tsconfig: './tsconfig.json' }), liveServerPlugin()],
  browsers: [
    chromeLauncher({
      launchOptions: { executablePath: findChromium(), headless: true, args: chromiumArgs },
    }),
  ],
  concurrency: 1,
  reporters: [
    defaultReporter(),
    summaryReporter({ flatten: false }),
    countReporter(process.env.PASARELA_WTR_RESULTS),
  ],
  // Generous: a test that passes in 50 ms may wait this long before it fails on a loaded machine.
  testFramework: { config: { timeout: 30_000 } },
  browserStartTimeout: 60_000,
  testsFinishTimeout: 180_000,
};
