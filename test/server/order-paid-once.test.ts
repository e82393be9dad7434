// An order is paid at most once: the order is the unit, not the session (DESIGN.md, "Money,
// orders and trust").
import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './app.fixture.js';
import { created, etpayFunnel, statusOf, tpagaWallet } from './flows.fixture.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const cop = { currency: 'COP', amount: 38_000, order_id: 'OC-PAID-ONCE' };
const clp = { currency: 'CLP', amount: 12_000, order_id: 'OC-PAID-ONCE' };

async function adminSession(id: string) {
  const response = await server!.admin(`/sessions/${id}`);
  return ((await response.json()) as { session: { status: string; duplicate: boolean } }).session;
}

describe('an order paid once', () => {
  it('refuses a new session for an order already paid with 409 order_already_paid', async () => {
    server = await startTestServer();
    const first = await created(server, 'tpaga', cop);
    await tpagaWallet(first, 'approve');
    expect(await statusOf(server, first.id)).toBe('paid');

    for (const provider of ['tpaga', 'etpay'] as const) {
      const again = await server.createSession(provider, provider === 'tpaga' ? cop : clp);
      expect(again.status).toBe(409);
      expect(await again.json()).toMatchObject({ error: { code: 'order_already_paid' } });
    }
    // Nothing was stored for the refused attempts.
    const listed = await (await server.admin('/sessions')).json();
    expect((listed as { sessions: unknown[] }).sessions).toHaveLength(1);
  });

  it('still takes a new session after a failed attempt, and for another order', async () => {
    server = await startTestServer();
    const failed = await created(server, 'tpaga', cop);
    await tpagaWallet(failed, 'reject');
    expect((await server.createSession('tpaga', cop)).status).toBe(201);
    expect((await server.createSession('tpaga', { ...cop, order_id: 'OC-OTHER' })).status).toBe(201);
  });

  it('cancels the order’s other pending Tpaga links when one is paid', async () => {
    server = await startTestServer();
    const firstTab = await created(server, 'tpaga', cop);
    const secondTab = await created(server, 'tpaga', cop);
    await tpagaWallet(secondTab, 'approve');
    expect(await statusOf(server, secondTab.id)).toBe('paid');
    expect(await statusOf(server, firstTab.id)).toBe('cancelled');
    const history = (await (await server.admin(`/sessions/${firstTab.id}`)).json()) as {
      events: { to: string; detail: Record<string, string> }[];
    };
    expect(history.events.at(-1)).toMatchObject({
      to: 'cancelled',
      detail: { reason: 'order_paid', paidBy: secondTab.id },
    });
    // The cancelled link can no longer be paid at the provider.
    const wallet = await fetch(firstTab.action.url, {
      method: 'POST',
      body: new URLSearchParams({ action: 'approve' }),
    });
    expect(wallet.status).toBe(409);
  });

  it('stores a second ETpay payment for a paid order (money wins) and flags it as a duplicate', async () => {
    server = await startTestServer();
    const first = await created(server, 'etpay', clp);
    const second = await created(server, 'etpay', clp);
    await etpayFunnel(first, 'approve');
    await etpayFunnel(second, 'approve');
    expect(await statusOf(server, first.id)).toBe('paid');
    expect(await statusOf(server, second.id)).toBe('paid');
    expect(await adminSession(first.id)).toMatchObject({ duplicate: false });
    expect(await adminSession(second.id)).toMatchObject({ duplicate: true });

    const duplicates = (await (await server.admin('/sessions?duplicate=true')).json()) as {
      sessions: { id: string }[];
    };
    expect(duplicates.sessions.map((s) => s.id)).toEqual([second.id]);
    const others = (await (await server.admin('/sessions?duplicate=false')).json()) as {
      sessions: { id: string }[];
    };
    expect(others.sessions.map((s) => s.id)).toEqual([first.id]);
    expect(server.logs.some((line) => line.includes('duplicate payment'))).toBe(true);
  });

  it('refuses a duplicate filter that is not true or false', async () => {
    server = await startTestServer();
    const response = await server.admin('/sessions?duplicate=maybe');
    expect(response.status).toBe(400);
  });
});
