// The merchant's side of bench/notifications.bench.ts, in its own process as a real merchant
// endpoint would be: a node:http server on 127.0.0.1 that reads each notification whole, notes
// the time, verifies its signature with `verifyWebhook` (as a merchant must before answering),
// answers 200 (400 when it does not verify) and reports one JSON line per request on stdout.
// It exits when its stdin ends, so it never outlives the bench.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyWebhook } from '../server/index.js';

/** One request as reported to the bench. */
export interface ReceivedLine {
  id: string;
  session: string;
  /**
   * When the whole body was read: `process.hrtime.bigint()` in milliseconds. That monotonic clock
   * is the machine's, not the process's, so the bench compares it with its own readings.
   */
  at: number;
  /** Null when the signature verified; otherwise why not. */
  error: string | null;
}

const secret = process.env.BENCH_WEBHOOK_SECRET;
if (!secret) throw new Error('BENCH_WEBHOOK_SECRET is missing: bench/notifications.bench.ts sets it.');

const server = createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', async () => {
    const at = Number(process.hrtime.bigint()) / 1e6;
    const body = Buffer.concat(chunks).toString('utf8');
    const line: ReceivedLine = {
      id: String(request.headers['webhook-id'] ?? ''),
      session: '',
      at,
      error: null,
    };
    try {
      const { payload } = await verifyWebhook<{ data: { id: string } }>(body, request.headers, secret);
      line.session = payload.data.id;
    } catch (error) {
      line.error = String(error);
    }
    response.writeHead(line.error ? 400 : 200, { 'content-type': 'text/plain' });
    response.end(line.error ? 'invalid signature' : 'ok');
    process.stdout.write(`${JSON.stringify(line)}\n`);
  });
});

server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${port}/pasarela-events` })}\n`);
});
process.stdin.on('end', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
process.stdin.resume();
