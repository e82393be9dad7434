import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';

export interface Listener {
  /** `http://127.0.0.1:<port>` */
  url: string;
  close(): Promise<void>;
}

type FetchHandler = { fetch: (request: Request, env?: unknown) => Response | Promise<Response> };

/** Serves a Hono app (or any fetch handler) on 127.0.0.1 with an ephemeral port. */
export function listen(app: FetchHandler): Promise<Listener> {
  return new Promise((resolve) => {
    const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, (info: AddressInfo) => {
      resolve({
        url: `http://127.0.0.1:${info.port}`,
        close: () =>
          new Promise<void>((done) => {
            if ('closeAllConnections' in server) server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
  at: number;
}

export interface Receiver extends Listener {
  requests: ReceivedRequest[];
  /** Resolves once `count` requests have arrived (rejects after `timeoutMs`, 15 s by default: generous, for a loaded machine). */
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedRequest[]>;
  /** The status the receiver answers with (200). */
  status: number;
}

/** A local merchant endpoint that records every request it gets (webhook receiver). */
export async function receiver(): Promise<Receiver> {
  const requests: ReceivedRequest[] = [];
  const waiters: Array<() => void> = [];
  const state = { status: 200 };
  const listener = await listen({
    fetch: async (request) => {
      requests.push({
        method: request.method,
        path: new URL(request.url).pathname,
        headers: Object.fromEntries(request.headers),
        body: await request.text(),
        at: Date.now(),
      });
      for (const wake of waiters.splice(0)) wake();
      return new Response('ok', { status: state.status });
    },
  });
  return {
    ...listener,
    requests,
    get status() {
      return state.status;
    },
    set status(value: number) {
      state.status = value;
    },
    async waitFor(count, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      while (requests.length < count) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`expected ${count} requests, got ${requests.length}`);
        await new Promise<void>((wake) => {
          const timer = setTimeout(wake, left);
          waiters.push(() => {
            clearTimeout(timer);
            wake();
          });
        });
      }
      return requests.slice(0, count);
    },
  };
}
