import { Hono } from 'hono';
import { afterEach, describe, expect, it } from 'vitest';
import { createPasarela, loadConfig, type PublicSession } from '../../server/index.js';
import { silentLogger } from '../../server/log.js';
import { createSandboxes, type Sandboxes } from '../../server/sandbox/index.js';
import { openSqliteStore } from '../../server/store/sqlite/index.js';
import type { Store } from '../../server/store/store.js';
import { eventually } from './helpers/eventually.js';
import { type Listener, listen } from './helpers/listen.js';

let listener: Listener | undefined;
let sandboxes: Sandboxes | undefined;
let store: Store | undefined;
let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  await sandboxes?.close();
  await listener?.close();
  await store?.close();
});

describe('createPasarela as a library', () => {
  it('mounts under a prefix in the merchant’s app, resolves orders by id and reports status changes', async () => {
    let merchant: Hono | undefined;
    listener = await listen({ fetch: (request, env) => merchant!.fetch(request, env) });
    const config = loadConfig({
      PASARELA_SANDBOX: '1',
      PUBLIC_URL: `${listener.url}/pay`,
      PASARELA_ORDER_SECRET: 'library-test-secret-at-least-32-bytes!!',
      DATABASE_URL: 'sqlite::memory:',
    });
    store = await openSqliteStore({ path: ':memory:' });
    const changes: PublicSession[] = [];
    const orders = new Map([['A-1', { orderId: 'A-1', amount: 12000, currency: 'COP' as const }]]);
    const pasarela = createPasarela({
      config,
      store,
      logger: silentLogger,
      reconciler: false,
      resolveOrder: async (id) => {
        const order = orders.get(id);
        return (
          order && { ...order, description: 'Pedido A-1', items: [], customerEmail: null, returnUrl: null }
        );
      },
      onStatusChange: (session) => {
        changes.push(session);
      },
    });
    close = pasarela.close;
    sandboxes = createSandboxes({ publicUrl: `${listener.url}/pay` });
    sandboxes.tpaga.setWebhookBase('pasarela-sandbox', `${listener.url}/pay/webhooks/tpaga`);
    pasarela.route('/', sandboxes.app);
    merchant = new Hono().get('/', (c) => c.text('shop')).route('/pay', pasarela);

    const response = await fetch(`${listener.url}/pay/api/sessions`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ provider: 'tpaga', orderId: 'A-1' }),
    });
    expect(response.status).toBe(201);
    const session = (await response.json()) as PublicSession & { action: { url: string } };
    expect(session).toMatchObject({
      amount: 12000,
      currency: 'COP',
      orderId: 'A-1',
      description: 'Pedido A-1',
    });

    const back = await fetch(session.action.url, {
      method: 'POST',
      body: new URLSearchParams({ action: 'approve' }),
      redirect: 'manual',
    });
    expect(back.headers.get('location')).toBe(`${listener.url}/pay/return/${session.id}`);
    // Through the outbox: called after the change is stored, in the dispatcher's own time.
    await eventually(() => changes.length > 0, 'onStatusChange');
    expect(changes.map((s) => [s.id, s.status])).toEqual([[session.id, 'paid']]);
    expect(await (await fetch(`${listener.url}/`)).text()).toBe('shop');
  });

  it('answers 404 order_not_found for an order id the hook does not know', async () => {
    const config = loadConfig({
      PASARELA_SANDBOX: '1',
      PASARELA_ORDER_SECRET: 'library-test-secret-at-least-32-bytes!!',
    });
    store = await openSqliteStore({ path: ':memory:' });
    const pasarela = createPasarela({
      config,
      store,
      logger: silentLogger,
      reconciler: false,
      resolveOrder: async () => undefined,
    });
    close = pasarela.close;
    const response = await pasarela.request('/api/sessions', {
      method: 'POST',
      body: JSON.stringify({ provider: 'etpay', orderId: 'nope' }),
    });
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: { code: 'order_not_found' } });
  });

  it('refuses order ids when the server has no resolveOrder hook', async () => {
    const config = loadConfig({
      PASARELA_SANDBOX: '1',
      PASARELA_ORDER_SECRET: 'library-test-secret-at-least-32-bytes!!',
    });
    store = await openSqliteStore({ path: ':memory:' });
    const pasarela = createPasarela({ config, store, logger: silentLogger, reconciler: false });
    close = pasarela.close;
    const response = await pasarela.request('/api/sessions', {
      method: 'POST',
      body: JSON.stringify({ provider: 'etpay', orderId: 'A-1' }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: 'order_token_required' } });
  });
});
