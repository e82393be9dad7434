// The outbox's in-process consumers: the library's onStatusChange hook and Tpaga's automatic
// delivery, retried on failure, also across a restart of the server on the same database.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { PublicSession } from '../../server/index.js';
import { startTestServer, type TestServer, type TestServerOptions } from './app.fixture.js';
import { created, statusOf, tpagaWallet } from './flows.fixture.js';
import { eventually } from './helpers/eventually.js';

const cop = { currency: 'COP', amount: 12000 };
const quick = { retry: { delaysMs: [100, 200], jitter: 0 }, timeoutMs: 2_000, pollMs: 50 };

let server: TestServer | undefined;
const dirs: string[] = [];
afterEach(async () => {
  await server?.close();
  server = undefined;
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function storeFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'pasarela-consumers-'));
  dirs.push(dir);
  return join(dir, 'pasarela.db');
}

async function deliveriesOf(on: TestServer, sessionId: string) {
  const { notifications } = await (await on.admin(`/sessions/${sessionId}`)).json();
  return notifications as {
    id: string;
    type: string;
    deliveries: { destination: string; state: string; attemptCount: number }[];
  }[];
}

/** A fetch that answers Tpaga's confirm_delivery with 503 `failures` times, then passes through. */
function flakyDelivery(failures: number) {
  const seen = { calls: 0 };
  const wrapped: typeof fetch = async (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    if (url.endsWith('/payment_requests/confirm_delivery')) {
      seen.calls++;
      if (seen.calls <= failures) return new Response('Service Unavailable', { status: 503 });
    }
    return fetch(input, init);
  };
  return { fetch: wrapped, seen };
}

describe('onStatusChange through the outbox', () => {
  it('is called again after each throw, three calls for one change recorded once', async () => {
    const calls: PublicSession[] = [];
    server = await startTestServer({
      options: {
        notifications: quick,
        onStatusChange: (session) => {
          calls.push(session);
          if (calls.length <= 2) throw new Error('the shop database is down');
        },
      },
    });
    const session = await created(server, 'tpaga', cop);
    await tpagaWallet(session, 'approve');
    const [notification] = await eventually(async () => {
      const list = await deliveriesOf(server!, session.id);
      return list[0]?.deliveries[0]?.state === 'delivered' && list;
    }, 'the hook to succeed');
    await server.app.dispatcher.stop();

    expect(calls.map((s) => [s.id, s.status])).toEqual(Array(3).fill([session.id, 'paid']));
    expect(notification!.deliveries).toEqual([
      expect.objectContaining({ destination: 'hook:onStatusChange', state: 'delivered', attemptCount: 3 }),
    ]);
    const { event } = await (await server.admin(`/events/${notification!.id}`)).json();
    expect(event.deliveries[0].attempts.map((a: { error: string | null }) => a.error)).toEqual([
      'threw: Error: the shop database is down',
      'threw: Error: the shop database is down',
      null,
    ]);
    const history = await server.store.listEvents(session.id);
    expect(history.filter((e) => e.to === 'paid')).toHaveLength(1);
  });

  it('is called after a restart for a change whose hook never succeeded before', async () => {
    const storePath = storeFile();
    server = await startTestServer({
      storePath,
      options: {
        notifications: { ...quick, retry: { delaysMs: [60_000], jitter: 0 } },
        onStatusChange: () => {
          throw new Error('not yet');
        },
      },
    });
    const session = await created(server, 'tpaga', cop);
    await tpagaWallet(session, 'approve');
    await eventually(
      async () => (await deliveriesOf(server!, session.id))[0]?.deliveries[0]?.attemptCount === 1,
      'the first, failed call',
    );
    await server.close();

    // The retry is a minute away; a restart does not change that, but a redelivery asks now.
    const calls: PublicSession[] = [];
    server = await startTestServer({
      storePath,
      options: { notifications: quick, onStatusChange: (s) => void calls.push(s) },
    });
    const [notification] = await deliveriesOf(server, session.id);
    expect(notification!.deliveries[0]).toMatchObject({ state: 'pending', attemptCount: 1 });
    await server.admin(`/events/${notification!.id}/redeliver`, { method: 'POST' });
    await eventually(() => calls.length === 1, 'the hook after the restart');
    expect(calls[0]).toMatchObject({ id: session.id, status: 'paid' });
  });

  it('resumes a due call at once after a restart', async () => {
    const storePath = storeFile();
    // A process stores a change with its hook delivery, then dies before calling the hook (this
    // one has no hook, so nothing calls it).
    server = await startTestServer({ storePath });
    const session = await created(server, 'tpaga', cop);
    await server.store.applyObservation(session.id, {
      statuses: ['failed'],
      source: 'reconcile',
      providerStatus: 'failed',
      dedupeKey: null,
      at: new Date().toISOString(),
      announce: [{ name: 'hook:onStatusChange' }],
    });
    await server.close();
    const calls: PublicSession[] = [];
    server = await startTestServer({
      storePath,
      // A poll too slow to matter: only the look at start-up can find it in time.
      options: { notifications: { ...quick, pollMs: 600_000 }, onStatusChange: (s) => void calls.push(s) },
    });
    await eventually(() => calls.length === 1, 'the hook right after start-up');
    expect(calls[0]).toMatchObject({ id: session.id, status: 'failed' });
  });
});

describe('automatic Tpaga delivery through the outbox', () => {
  it('confirms delivery on the third call when Tpaga answers 503 twice', async () => {
    const flaky = flakyDelivery(2);
    server = await startTestServer({
      env: { TPAGA_AUTO_DELIVERY: '1' },
      options: { notifications: quick, fetch: flaky.fetch },
    });
    const session = await created(server, 'tpaga', cop);
    await tpagaWallet(session, 'approve');
    await eventually(async () => (await statusOf(server!, session.id)) === 'delivered', 'the delivery');
    expect(flaky.seen.calls).toBe(3);
    const token = (await server.store.getSession(session.id))!.providerRef!;
    expect(server.sandboxes.tpaga.getSession(token)?.status).toBe('delivered');
  });

  it('tries again later when Tpaga stays down past the client’s own retries', async () => {
    // The client retries a repeatable call twice; five 503s outlast one job attempt.
    const flaky = flakyDelivery(5);
    server = await startTestServer({
      env: { TPAGA_AUTO_DELIVERY: '1' },
      options: { notifications: quick, fetch: flaky.fetch },
    });
    const session = await created(server, 'tpaga', cop);
    await tpagaWallet(session, 'approve');
    await eventually(async () => (await statusOf(server!, session.id)) === 'delivered', 'the delivery');
    expect(flaky.seen.calls).toBe(6);
    const [paid] = await deliveriesOf(server, session.id);
    expect(paid!.deliveries).toEqual([
      expect.objectContaining({ destination: 'provider:deliver', state: 'delivered', attemptCount: 2 }),
    ]);
    const { event } = await (await server.admin(`/events/${paid!.id}`)).json();
    expect(event.deliveries[0].attempts[0].error).toMatch(/503/);
  });

  it('keeps trying across a restart until Tpaga confirms', async () => {
    const storePath = storeFile();
    const down = flakyDelivery(Number.POSITIVE_INFINITY);
    const setup: TestServerOptions = { env: { TPAGA_AUTO_DELIVERY: '1' }, storePath };
    server = await startTestServer({ ...setup, options: { notifications: quick, fetch: down.fetch } });
    const session = await created(server, 'tpaga', cop);
    await tpagaWallet(session, 'approve');
    await eventually(() => down.seen.calls >= 2, 'two refused deliveries');
    const providers = server.sandboxes.snapshot();
    await server.close();

    server = await startTestServer({ ...setup, options: { notifications: quick } });
    server.sandboxes.restore(providers);
    await eventually(async () => (await statusOf(server!, session.id)) === 'delivered', 'the delivery');
    const token = (await server.store.getSession(session.id))!.providerRef!;
    expect(server.sandboxes.tpaga.getSession(token)?.status).toBe('delivered');
  });

  it('stops without a call when the payment was refunded first', async () => {
    const down = flakyDelivery(Number.POSITIVE_INFINITY);
    server = await startTestServer({
      env: { TPAGA_AUTO_DELIVERY: '1' },
      options: { notifications: { ...quick, retry: { delaysMs: [300], jitter: 0 } }, fetch: down.fetch },
    });
    const session = await created(server, 'tpaga', cop);
    await tpagaWallet(session, 'approve');
    await eventually(async () => {
      const [paid] = await deliveriesOf(server!, session.id);
      return paid?.deliveries[0]?.attemptCount === 1;
    }, 'a refused delivery');
    expect((await server.admin(`/sessions/${session.id}/refund`, { method: 'POST' })).status).toBe(200);
    const callsBefore = down.seen.calls;
    const [paid] = await eventually(async () => {
      const list = await deliveriesOf(server!, session.id);
      return list[0]?.deliveries[0]?.state === 'delivered' && list;
    }, 'the job to end');
    expect(down.seen.calls).toBe(callsBefore);
    const { event } = await (await server.admin(`/events/${paid!.id}`)).json();
    expect(event.deliveries[0].attempts.at(-1).response).toBe('nothing to do: the session is refunded');
  });
});
