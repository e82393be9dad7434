// `npm run serve` for tests that crash and restart real server processes: the same start-up as
// server/cli.ts, with the notification dispatcher's timings from PASARELA_TEST_NOTIFICATIONS
// (JSON), so a test sees retries and lease expiries in seconds instead of the production minutes.
import { closeOnSignals, startServer } from '../../../server/serve.js';

const timings = process.env.PASARELA_TEST_NOTIFICATIONS;
const server = await startServer(timings ? { notifications: JSON.parse(timings) } : {});
closeOnSignals(server);
