// One server instance of bench/scale-out.bench.ts: `npm run serve`'s start-up (server/serve.ts,
// configured from the environment), plus the options the environment cannot reach, as JSON in
// BENCH_SERVER_OPTIONS (`sessionCacheSize`, `rateLimits`). Request logs are not written (each
// would be a line on a pipe per status read); warnings and errors go to stderr, where the bench
// counts them. It stops by itself when the bench's end of stdin closes, or after 10 minutes.
import { createLogger, type Logger } from '../server/log.js';
import { closeOnSignals, type StartOptions, startServer } from '../server/serve.js';

const options = JSON.parse(process.env.BENCH_SERVER_OPTIONS ?? '{}') as Pick<
  StartOptions,
  'sessionCacheSize' | 'rateLimits'
>;
const errors = createLogger({ level: 'warn', write: (line) => process.stderr.write(`${line}\n`) });
const logger: Logger = { ...errors, debug: () => undefined, info: () => undefined };

const server = await startServer({ ...options, logger });
closeOnSignals(server);
process.stdout.write(`${JSON.stringify({ url: server.url, pid: process.pid })}\n`);

const stop = () => void server.close().then(() => process.exit(0));
process.stdin.on('end', stop);
process.stdin.resume();
setTimeout(() => process.exit(1), 600_000).unref();
