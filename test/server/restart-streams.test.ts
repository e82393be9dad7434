// Event-stream clients across server restarts (issue 13, "Restart with streams open"): buyers
// follow their payment live while the server is stopped gracefully, started, killed with -9 and
// started again; each one reconnects as EventSource does and still sees its final status.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { signOrder } from '../../server/orders.js';
import { eventually } from './helpers/eventually.js';
import { freePort, killAll, type ServerProcess, startServerProcess } from './helpers/server-process.js';

const orderSecret = 'restart-streams-order-secret-32-bytes!!';
const dirs: string[] = [];
const followers: Follower[] = [];
afterEach(() => {
  for (const follower of followers.splice(0)) follower.stop();
  killAll();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

interface Follower {
  /** Every status event received, across reconnections, in order. */
  statuses: string[];
  /** How many times the stream was opened. */
  connections: number;
  done: Promise<void>;
  stop(): void;
}

/**
 * A buyer's page following one session as EventSource does: on any end or error it opens the
 * stream again after a pause (the server's `retry:` is 3 s; 150 ms here keeps the test short),
 * until it has seen `paid` or it is stopped.
 */
function follow(url: () => string, sessionId: string): Follower {
  const controller = new AbortController();
  const follower: Follower = { statuses: [], connections: 0, done: Promise.resolve(), stop: () => {} };
  follower.stop = () => controller.abort();
  follower.done = (async () => {
    while (!controller.signal.aborted && !follower.statuses.includes('paid')) {
      try {
        const response = await fetch(`${url()}/api/sessions/${sessionId}/events`, {
          signal: controller.signal,
        });
        if (response.ok && response.body) {
          follower.connections++;
          let text = '';
          const decoder = new TextDecoder();
          const reader = response.body.getReader();
          for (let read = await reader.read(); !read.done; read = await reader.read()) {
            text += decoder.decode(read.value, { stream: true });
            for (let end = text.indexOf('\n\n'); end >= 0; end = text.indexOf('\n\n')) {
              const data = /^event: status\ndata: (.*)$/m.exec(text.slice(0, end));
              if (data) follower.statuses.push((JSON.parse(data[1]!) as { status: string }).status);
              text = text.slice(end + 2);
            }
          }
        }
      } catch {
        // The server went away mid-stream or is not listening yet: try again, as a browser does.
      }
      if (!follower.statuses.includes('paid')) await pause(150, controller.signal);
    }
  })();
  return follower;
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    const cancel = () => {
      clearTimeout(timer);
      resolve();
    };
    signal.addEventListener('abort', cancel, { once: true });
  });
}

async function environment() {
  const dir = mkdtempSync(join(tmpdir(), 'pasarela-streams-'));
  dirs.push(dir);
  return {
    PASARELA_SANDBOX: '1',
    PORT: String(await freePort()),
    DATABASE_URL: `sqlite:${join(dir, 'pasarela.db')}`,
    PASARELA_ORDER_SECRET: orderSecret,
  };
}

/** An ETpay session; its sandbox token is the last segment of the funnel URL. */
async function createSession(server: ServerProcess, n: number): Promise<{ id: string; token: string }> {
  const order = await signOrder({ order_id: `STREAM-${n}`, amount: 9_900 + n, currency: 'CLP' }, orderSecret);
  const response = await fetch(`${server.url}/api/sessions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ provider: 'etpay', order }),
  });
  expect(response.status).toBe(201);
  const session = (await response.json()) as { id: string; action: { url: string } };
  return { id: session.id, token: session.action.url.split('/').at(-1)! };
}

/** The buyer pays at the sandbox, which notifies the server and returns once it was answered. */
async function pay(server: ServerProcess, token: string): Promise<void> {
  const response = await fetch(`${server.url}/sandbox/etpay/_sim/sessions/${token}/attempt`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ status: 'success' }),
  });
  expect(response.status).toBe(200);
}

describe('event streams across restarts', () => {
  it('reconnect after a graceful stop and a kill -9, and every buyer sees paid once, after pending', async () => {
    const env = await environment();
    let server = await startServerProcess(env);
    const current = () => server.url;
    const sessions = [];
    for (let n = 0; n < 12; n++) sessions.push(await createSession(server, n));
    const following = sessions.map((session) => follow(current, session.id));
    followers.push(...following);
    await eventually(() => following.every((f) => f.statuses.length > 0), 'every stream to open');

    // Three are paid on the first server, which then stops gracefully (its streams end, and the
    // sandbox keeps its sessions beside the database).
    for (const session of sessions.slice(0, 3)) await pay(server, session.token);
    await server.stop();

    // Three are paid on the second as soon as it listens, before or while their buyers come
    // back; it is then killed without a chance to flush or end anything.
    server = await startServerProcess(env);
    for (const session of sessions.slice(3, 6)) await pay(server, session.token);
    await server.crash();

    // The rest are paid on the third, while every buyer reconnects.
    server = await startServerProcess(env);
    for (const session of sessions.slice(6)) await pay(server, session.token);

    await Promise.all(following.map((f) => f.done));
    for (const [i, follower] of following.entries()) {
      expect(follower.statuses[0], `session ${i}`).toBe('pending');
      expect(follower.statuses.at(-1), `session ${i}`).toBe('paid');
      // Reconnections repeat the current state (pending), never a status out of order.
      expect(new Set(follower.statuses), `session ${i}`).toEqual(new Set(['pending', 'paid']));
    }
    // Those still pending at the stop had to reconnect at least once to see it.
    expect(following.slice(3).every((f) => f.connections >= 2)).toBe(true);
    console.log(
      `restart with streams: 12 buyers, ${following.reduce((sum, f) => sum + f.connections, 0)} connections, every one saw paid`,
    );
  }, 120_000);
});
