// `npm run serve` for tests that run, crash and restart real server processes: the same start-up
// as server/cli.ts, with the background loops' timings from PASARELA_TEST_NOTIFICATIONS and
// PASARELA_TEST_RECONCILER (JSON), so a test sees retries, rounds and lease expiries in seconds
// instead of the production minutes.
import { closeOnSignals, startServer } from '../../../server/serve.js';

const json = (name: string) => {
  const value = process.env[name];
  return value ? JSON.parse(value) : undefined;
};
const notifications = json('PASARELA_TEST_NOTIFICATIONS');
const reconciler = json('PASARELA_TEST_RECONCILER');
const server = await startServer({
  ...(notifications && { notifications }),
  ...(reconciler && { reconciler }),
});
closeOnSignals(server);
