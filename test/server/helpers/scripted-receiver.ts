// A merchant endpoint on 127.0.0.1 that answers each request as scripted: a status, a hang, a
// dropped connection, or a redirect; and that can stop listening (connection refused) and come
// back on the same port. It records every request it reads.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** What the receiver does with one request. */
export type Reply =
  | { status: number; body?: string; headers?: Record<string, string> }
  | { hang: true }
  | { drop: true };

export interface Received {
  headers: Record<string, string>;
  body: string;
  at: number;
}

export interface ScriptedReceiver {
  url: string;
  requests: Received[];
  /** Replies for the next requests, in order; after them, `fallback` (200). */
  script: Reply[];
  fallback: Reply;
  /** Resolves once `count` requests have arrived (rejects after `timeoutMs`, 20 s). */
  waitFor(count: number, timeoutMs?: number): Promise<Received[]>;
  /** Stops listening: connections are refused until `start()`. */
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

export async function scriptedReceiver(path = '/pasarela-events'): Promise<ScriptedReceiver> {
  const requests: Received[] = [];
  const waiters = new Set<() => void>();
  const sockets = new Set<Socket>();
  let port = 0;
  let server: Server | undefined;

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    let body = '';
    for await (const chunk of request) body += chunk;
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers)) {
      if (typeof value === 'string') headers[name] = value;
    }
    requests.push({ headers, body, at: Date.now() });
    for (const wake of waiters) wake();
    const reply = receiver.script.shift() ?? receiver.fallback;
    if ('hang' in reply) return;
    if ('drop' in reply) {
      request.socket.destroy();
      return;
    }
    response.writeHead(reply.status, { 'content-type': 'text/plain', ...reply.headers });
    response.end(reply.body ?? 'ok');
  };

  const start = () =>
    new Promise<void>((resolve, reject) => {
      const next = createServer((request, response) => void handle(request, response));
      next.on('connection', (socket) => {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
      });
      next.once('error', reject);
      next.listen(port, '127.0.0.1', () => {
        port = (next.address() as AddressInfo).port;
        server = next;
        resolve();
      });
    });

  const stop = () =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      if (!server) return resolve();
      server.close(() => resolve());
      server = undefined;
    });

  await start();
  const receiver: ScriptedReceiver = {
    url: `http://127.0.0.1:${port}${path}`,
    requests,
    script: [],
    fallback: { status: 200 },
    async waitFor(count, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      while (requests.length < count) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`expected ${count} requests, got ${requests.length}`);
        await new Promise<void>((wake) => {
          const done = () => {
            clearTimeout(timer);
            waiters.delete(done);
            wake();
          };
          const timer = setTimeout(done, left);
          waiters.add(done);
        });
      }
      return requests.slice(0, count);
    },
    stop,
    start,
    close: stop,
  };
  return receiver;
}
