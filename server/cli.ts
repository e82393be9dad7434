// `npm run serve`: the standalone server, configured from the environment.
import { ConfigError } from './config.js';
import { closeOnSignals, startServer } from './serve.js';

try {
  const server = await startServer();
  closeOnSignals(server);
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}
