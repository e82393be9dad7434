// The admin API's notification events (catch-up, one event with its attempts, redelivery) and
// the awaiting-delivery list; bad input always a 4xx in the error shape, with nothing changed.
import { afterEach, describe, expect, it } from 'vitest';
import { adminToken, startTestServer, type TestServer } from './app.fixture.js';
import { created, etpayFunnel, tpagaWallet } from './flows.fixture.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const cop = { currency: 'COP', amount: 12000 };

interface EventView {
  id: string;
  type: string;
  timestamp: string;
  sessionId: string;
  data: { id: string; status: string };
  deliveries: unknown[];
}

async function events(on: TestServer, query = ''): Promise<{ events: EventView[]; hasMore: boolean }> {
  const response = await on.admin(`/events${query}`);
  expect(response.status).toBe(200);
  return response.json();
}

/** Three changes on two sessions: Tpaga paid then refunded, ETpay failed. */
async function history(on: TestServer) {
  const tpaga = await created(on, 'tpaga', cop);
  await tpagaWallet(tpaga, 'approve');
  await on.admin(`/sessions/${tpaga.id}/refund`, { method: 'POST' });
  const etpay = await created(on, 'etpay');
  await fetch(await etpayFunnel(etpay, 'reject'), { redirect: 'manual' });
  return { tpaga, etpay };
}

describe('GET /api/admin/events', () => {
  it('lists every event in the order it was created, after a cursor, a page at a time', async () => {
    server = await startTestServer();
    const { tpaga, etpay } = await history(server);
    const all = await events(server);
    expect(all.hasMore).toBe(false);
    expect(all.events.map((e) => [e.sessionId, e.type, e.data.status])).toEqual([
      [tpaga.id, 'session.paid', 'paid'],
      [tpaga.id, 'session.refunded', 'refunded'],
      [etpay.id, 'session.failed', 'failed'],
    ]);
    // No destination configured: the events are kept for catching up all the same.
    expect(all.events.every((e) => e.deliveries.length === 0)).toBe(true);

    const first = await events(server, '?limit=1');
    expect(first).toMatchObject({ hasMore: true, events: [{ id: all.events[0]!.id }] });
    const rest = await events(server, `?after=${all.events[0]!.id}&limit=500`);
    expect(rest.events.map((e) => e.id)).toEqual(all.events.slice(1).map((e) => e.id));
    expect((await events(server, `?after=${all.events[2]!.id}`)).events).toEqual([]);
  });

  it('shows one event with its deliveries, and the session detail lists its notifications', async () => {
    server = await startTestServer();
    const { tpaga } = await history(server);
    const [paid] = (await events(server)).events;
    const one = await server.admin(`/events/${paid!.id}`);
    expect(one.status).toBe(200);
    expect(await one.json()).toEqual({ event: { ...paid, deliveries: [] } });
    const detail = await (await server.admin(`/sessions/${tpaga.id}`)).json();
    expect(detail.notifications.map((n: EventView) => n.type)).toEqual(['session.paid', 'session.refunded']);
  });

  it('refuses bad cursors, limits and ids with a 4xx in the error shape', async () => {
    server = await startTestServer();
    await history(server);
    const before = await events(server);
    for (const query of ['?limit=0', '?limit=501', '?limit=abc', '?limit=1.5', '?after=nope', '?after=']) {
      const response = await server.admin(`/events${query}`);
      expect(response.status, query).toBe(400);
      expect(await response.json()).toMatchObject({
        error: { code: 'invalid_query', message: expect.any(String) },
      });
    }
    const unknownCursor = await server.admin(`/events?after=evt_${'A'.repeat(22)}`);
    expect(unknownCursor.status).toBe(404);
    expect(await unknownCursor.json()).toMatchObject({ error: { code: 'event_not_found' } });
    for (const id of ['evt_nope', `evt_${'A'.repeat(22)}`, 'ps_x', '%00']) {
      for (const [path, method] of [
        [`/events/${id}`, 'GET'],
        [`/events/${id}/redeliver`, 'POST'],
      ] as const) {
        const response = await server.admin(path, { method });
        expect(response.status, `${method} ${path}`).toBe(404);
        expect(await response.json()).toMatchObject({ error: { code: 'event_not_found' } });
      }
    }
    expect(await events(server)).toEqual(before);
  });

  it('needs the admin token', async () => {
    server = await startTestServer();
    await history(server);
    const [event] = (await events(server)).events;
    for (const [path, method] of [
      ['/api/admin/events', 'GET'],
      [`/api/admin/events/${event!.id}`, 'GET'],
      [`/api/admin/events/${event!.id}/redeliver`, 'POST'],
    ] as const) {
      for (const headers of [
        {},
        { Authorization: 'Bearer wrong-token-wrong-token' },
        { Authorization: adminToken },
      ] as Record<string, string>[]) {
        const response = await fetch(`${server.url}${path}`, { method, headers });
        expect(response.status, path).toBe(401);
        expect(await response.json()).toMatchObject({ error: { code: 'unauthorized' } });
      }
    }
  });

  it('answers 409 to a redelivery when no destination is configured, and queues nothing', async () => {
    server = await startTestServer();
    await history(server);
    const [event] = (await events(server)).events;
    const response = await server.admin(`/events/${event!.id}/redeliver`, { method: 'POST' });
    expect(response.status).toBe(409);
    expect(await response.json()).toMatchObject({ error: { code: 'no_destination' } });
    expect((await (await server.admin(`/events/${event!.id}`)).json()).event.deliveries).toEqual([]);
  });
});

describe('GET /api/admin/sessions?awaiting_delivery=true', () => {
  it('lists the paid sessions whose delivery is not confirmed yet', async () => {
    server = await startTestServer();
    const waiting = await created(server, 'tpaga', cop);
    await tpagaWallet(waiting, 'approve');
    const delivered = await created(server, 'tpaga', cop);
    await tpagaWallet(delivered, 'approve');
    expect((await server.admin(`/sessions/${delivered.id}/deliver`, { method: 'POST' })).status).toBe(200);
    await created(server, 'tpaga', cop);
    // ETpay has no delivery to confirm: a paid ETpay session is never waiting for one.
    const etpay = await created(server, 'etpay');
    await fetch(await etpayFunnel(etpay, 'approve'), { redirect: 'manual' });

    const response = await server.admin('/sessions?awaiting_delivery=true');
    expect(response.status).toBe(200);
    const { sessions } = await response.json();
    expect(sessions.map((s: { id: string; status: string }) => [s.id, s.status])).toEqual([
      [waiting.id, 'paid'],
    ]);
    expect((await server.admin('/sessions?awaiting_delivery=true&status=paid')).status).toBe(200);
    for (const query of ['awaiting_delivery=yes', 'awaiting_delivery=true&status=pending']) {
      const bad = await server.admin(`/sessions?${query}`);
      expect(bad.status, query).toBe(400);
      expect(await bad.json()).toMatchObject({ error: { code: 'invalid_query' } });
    }
  });
});
