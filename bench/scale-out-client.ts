// The client side of bench/scale-out.bench.ts: the sandboxes every instance talks to (their
// webhooks timed), and what a buyer and the bench itself do against the instances.
import { serve } from '@hono/node-server';
import pg from 'pg';
import type { PublicSession } from '../server/core/session.js';
import { signOrder } from '../server/orders.js';
import { createSandboxes, type Sandboxes } from '../server/sandbox/index.js';
import type { Instance } from './scale-out-processes.js';

export { providerEnv } from '../test/server/cluster.fixture.js';

const now = () => performance.now();

/** When the sandboxes last sent a webhook, and when it was answered. */
export const webhook = { sentAt: 0, answeredAt: 0 };

export async function startSandboxes(): Promise<{
  sandboxes: Sandboxes;
  url: string;
  close: () => Promise<void>;
}> {
  let sandboxes: Sandboxes | undefined;
  const server = serve({
    fetch: (request) => sandboxes!.app.fetch(request),
    hostname: '127.0.0.1',
    port: 0,
  });
  await new Promise((resolve) => server.once('listening', resolve));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  sandboxes = createSandboxes({
    publicUrl: url,
    // The sandboxes' own requests are their webhooks: timed here.
    fetch: async (input, init) => {
      webhook.sentAt = now();
      const response = await fetch(input, init);
      webhook.answeredAt = now();
      return response;
    },
  });
  return {
    sandboxes,
    url,
    close: async () => {
      await sandboxes!.close();
      if ('closeAllConnections' in server) server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

let orders = 0;

/** A Tpaga session for a new order (`SO-<run>-<n>`), created on `instance`, timed from outside. */
export async function createSession(
  instance: Instance,
  run: string,
  orderSecret: string,
): Promise<{ session: PublicSession; ms: number }> {
  const order = await signOrder(
    { order_id: `SO-${run}-${++orders}`, amount: 21_000, currency: 'COP' },
    orderSecret,
  );
  const started = now();
  const response = await fetch(`${instance.url}/api/sessions`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ provider: 'tpaga', order }),
  });
  const body = await response.text();
  const elapsed = now() - started;
  if (response.status !== 201) throw new Error(`POST /api/sessions answered ${response.status}: ${body}`);
  return { session: JSON.parse(body) as PublicSession, ms: elapsed };
}

export async function readStatus(instance: Instance, id: string): Promise<string> {
  const response = await fetch(`${instance.url}/api/sessions/${id}`);
  if (response.status !== 200) throw new Error(`GET /api/sessions/${id} answered ${response.status}`);
  return ((await response.json()) as PublicSession).status;
}

/** The buyer pays in the Tpaga wallet: the sandbox sends its webhook, and answers once it is answered. */
export async function pay(session: PublicSession): Promise<void> {
  const response = await fetch(session.action!.url, {
    method: 'POST',
    body: new URLSearchParams({ action: 'approve' }),
    redirect: 'manual',
  });
  await response.text();
  if (response.status >= 400) throw new Error(`the wallet answered ${response.status}`);
}

export interface Stream {
  /** Resolves with the time the text read so far first contains `wanted` (fails after 10 s). */
  until(wanted: string): Promise<number>;
  close(): void;
}

export async function openStream(instance: Instance, id: string): Promise<Stream> {
  const abort = new AbortController();
  const response = await fetch(`${instance.url}/api/sessions/${id}/events`, { signal: abort.signal });
  if (response.status !== 200) throw new Error(`the event stream answered ${response.status}`);
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let text = '';
  return {
    async until(wanted) {
      const timer = setTimeout(() => abort.abort(), 10_000);
      try {
        while (!text.includes(wanted)) {
          const { value, done } = await reader.read();
          if (done) throw new Error(`the event stream ended before "${wanted}"`);
          text += value;
        }
      } catch (error) {
        throw abort.signal.aborted ? new Error(`no "${wanted}" on the event stream within 10 s`) : error;
      } finally {
        clearTimeout(timer);
      }
      return now();
    },
    close: () => abort.abort(),
  };
}

/** The bench's own LISTEN on the change channel: when a session's change was committed. */
export interface Commits {
  /** Resolves with the arrival time of the first notification for `id` newer than `after`. */
  next(id: string, after: string): Promise<number>;
  close(): Promise<void>;
}

export async function listenForCommits(url: string, applicationName: string): Promise<Commits> {
  const client = new pg.Client({ connectionString: url, application_name: applicationName });
  const waiting = new Map<string, { after: string; resolve: (at: number) => void }>();
  client.on('notification', (message) => {
    const at = now();
    const [id, updatedAt] = (message.payload ?? '').split(' ');
    const waiter = waiting.get(id!);
    if (waiter && updatedAt! > waiter.after) {
      waiting.delete(id!);
      waiter.resolve(at);
    }
  });
  await client.connect();
  await client.query('LISTEN pasarela_sessions');
  return {
    next: (id, after) => new Promise((resolve) => waiting.set(id, { after, resolve })),
    close: () => client.end(),
  };
}
