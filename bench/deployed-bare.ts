// The two ceilings bench/deployed.bench.ts compares the deployed server with: a bare Hono route on
// @hono/node-server, or a bare node:http server, answering the same JSON for the same session ids
// from memory. `tsx bench/deployed-bare.ts hono|http <sessions.json> [port]`; prints its URL.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';

const [kind, file, fixedPort] = process.argv.slice(2);
const port = Number(fixedPort ?? 0);
const bodies = new Map<string, string>(
  Object.entries(JSON.parse(readFileSync(file!, 'utf8')) as Record<string, unknown>).map(([id, session]) => [
    id,
    JSON.stringify(session),
  ]),
);
const prefix = '/api/sessions/';
const announce = (port: number) =>
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${port}` })}\n`);

if (kind === 'hono') {
  const app = new Hono();
  app.get('/api/sessions/:id', (c) => {
    const body = bodies.get(c.req.param('id'));
    return body
      ? c.body(body, 200, { 'Content-Type': 'application/json' })
      : c.json({ error: { code: 'session_not_found' } }, 404);
  });
  serve({ fetch: app.fetch, hostname: '127.0.0.1', port }, (info) => announce(info.port));
} else {
  const server = createServer((request, response) => {
    const body = request.url?.startsWith(prefix) ? bodies.get(request.url.slice(prefix.length)) : undefined;
    response.writeHead(body ? 200 : 404, { 'Content-Type': 'application/json' });
    response.end(body ?? '{"error":{"code":"session_not_found"}}');
  });
  server.listen(port, '127.0.0.1', () => announce((server.address() as AddressInfo).port));
}
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
