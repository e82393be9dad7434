import { afterEach, describe, expect, it } from 'vitest';
import { adminToken, startTestServer, type TestServer } from './app.fixture.js';
import { created, statusOf, tpagaWallet } from './flows.fixture.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const cop = { currency: 'COP', amount: 12000 };

describe('admin API', () => {
  it('requires the bearer token', async () => {
    server = await startTestServer();
    for (const headers of [
      {},
      { Authorization: 'Bearer wrong-token-wrong-token' },
      // Of the same length as the token, differing in the last character, the first, or the case.
      { Authorization: `Bearer ${adminToken.slice(0, -1)}x` },
      { Authorization: `Bearer x${adminToken.slice(1)}` },
      { Authorization: `Bearer ${adminToken.toUpperCase()}` },
      { Authorization: adminToken },
    ] as Array<Record<string, string>>) {
      const response = await fetch(`${server.url}/api/admin/sessions`, { headers });
      expect(response.status).toBe(401);
      expect(await response.json()).toMatchObject({ error: { code: 'unauthorized' } });
    }
  });

  it('is off when PASARELA_ADMIN_TOKEN is unset', async () => {
    server = await startTestServer({ env: { PASARELA_ADMIN_TOKEN: '' } });
    const response = await fetch(`${server.url}/api/admin/sessions`, {
      headers: { Authorization: 'Bearer x' },
    });
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: { code: 'admin_disabled' } });
  });

  it('lists sessions newest first, filtered by status, without secrets', async () => {
    server = await startTestServer();
    const first = await created(server, 'etpay');
    const second = await created(server, 'tpaga', cop);
    await tpagaWallet(second, 'approve');
    const all = (await (await server.admin('/sessions')).json()) as { sessions: Array<{ id: string }> };
    expect(all.sessions.map((s) => s.id)).toEqual([second.id, first.id]);
    const paid = (await (await server.admin('/sessions?status=paid')).json()) as {
      sessions: Array<{ id: string }>;
    };
    expect(paid.sessions.map((s) => s.id)).toEqual([second.id]);
    const secret = (await server.store.getSession(first.id))!.providerSecret!;
    expect(JSON.stringify(all)).not.toContain(secret);
    expect((await server.admin('/sessions?status=nope')).status).toBe(400);
  });

  it('shows one session with its event history', async () => {
    server = await startTestServer();
    const session = await created(server, 'tpaga', cop);
    await tpagaWallet(session, 'approve');
    const body = (await (await server.admin(`/sessions/${session.id}`)).json()) as {
      session: { status: string };
      events: Array<{ source: string; from: string; to: string }>;
    };
    expect(body.session.status).toBe('paid');
    expect(body.events).toMatchObject([{ source: 'webhook', from: 'pending', to: 'paid' }]);
  });

  it('confirms delivery, then refunds, a Tpaga payment', async () => {
    server = await startTestServer();
    const session = await created(server, 'tpaga', cop);
    await tpagaWallet(session, 'approve');
    const delivered = await server.admin(`/sessions/${session.id}/deliver`, { method: 'POST' });
    expect(delivered.status).toBe(200);
    expect(await statusOf(server, session.id)).toBe('delivered');
    const refunded = await server.admin(`/sessions/${session.id}/refund`, { method: 'POST' });
    expect(refunded.status).toBe(200);
    expect(await statusOf(server, session.id)).toBe('refunded');
    const events = await server.store.listEvents(session.id);
    expect(events.map((e) => [e.source, e.to])).toEqual([
      ['webhook', 'paid'],
      ['admin', 'delivered'],
      ['admin', 'refunded'],
    ]);
  });

  it('cancels an unpaid Tpaga payment request', async () => {
    server = await startTestServer();
    const session = await created(server, 'tpaga', cop);
    const response = await server.admin(`/sessions/${session.id}/cancel`, { method: 'POST' });
    expect(response.status).toBe(200);
    expect(await statusOf(server, session.id)).toBe('cancelled');
  });

  it('answers 409 when Tpaga refuses the operation in the current state', async () => {
    server = await startTestServer();
    const session = await created(server, 'tpaga', cop);
    const response = await server.admin(`/sessions/${session.id}/refund`, { method: 'POST' });
    expect(response.status).toBe(409);
    expect(await response.json()).toMatchObject({ error: { code: 'invalid_state' } });
    expect(await statusOf(server, session.id)).toBe('pending');
  });

  it('answers 422 for operations ETpay does not have', async () => {
    server = await startTestServer();
    const session = await created(server, 'etpay');
    for (const operation of ['deliver', 'refund', 'cancel']) {
      const response = await server.admin(`/sessions/${session.id}/${operation}`, { method: 'POST' });
      expect(response.status).toBe(422);
      expect(await response.json()).toMatchObject({ error: { code: 'operation_not_supported' } });
    }
  });

  it('reconciles one session on demand', async () => {
    server = await startTestServer();
    server.sandboxes.tpaga.setWebhookBehaviour({ mode: 'drop' });
    const session = await created(server, 'tpaga', cop);
    await tpagaWallet(session, 'approve');
    expect(await statusOf(server, session.id)).toBe('pending');
    const response = await server.admin(`/sessions/${session.id}/sync`, { method: 'POST' });
    expect(response.status).toBe(200);
    expect(await statusOf(server, session.id)).toBe('paid');
    expect((await server.store.listEvents(session.id))[0]?.source).toBe('admin');
  });
});
