// The demo shop's routes on their own (no browser): prices from the catalogue, orders signed
// on the server, the widget by script tag with its integrity, bad input refused without a trace.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OrderBook, OrderBookError } from '../../demo/orders.js';
import { shopRoutes } from '../../demo/shop.js';
import { loadConfig } from '../../server/config.js';
import type { PublicSession } from '../../server/core/session.js';
import { signWebhook } from '../../server/index.js';
import { verifyOrder } from '../../server/orders.js';
import { startServer } from '../../server/serve.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const secret = 'demo-test-order-secret-of-32-bytes-or-more';
const config = loadConfig({
  PASARELA_SANDBOX: '1',
  PUBLIC_URL: 'http://localhost:8787',
  PASARELA_ORDER_SECRET: secret,
  DATABASE_URL: 'sqlite::memory:',
});
const widget = { code: '/* widget */', integrity: 'sha384-abc', version: '0123456789ab' };

let dir: string;
let file: string;
let orders: OrderBook;
let app: ReturnType<typeof shopRoutes>;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'pasarela-shop-'));
  file = join(dir, 'shop-orders.json');
  orders = new OrderBook(file);
  app = shopRoutes({ config, orders, widget, root });
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const buy = (fields: Record<string, string>) =>
  app.request('/comprar', { method: 'POST', body: new URLSearchParams(fields) });
const savedOrders = () => JSON.parse(readFileSync(file, 'utf8')) as unknown[];

function session(orderId: string, status: PublicSession['status'], id = 'ps_one'): PublicSession {
  const at = new Date().toISOString();
  return {
    id,
    provider: 'tpaga',
    status,
    amount: 38_000,
    currency: 'COP',
    orderId,
    description: null,
    createdAt: at,
    updatedAt: at,
    expiresAt: null,
    action: null,
  } as PublicSession;
}

describe('the shop', () => {
  it('prices the catalogue in CLP for Chile and in COP for Colombia', async () => {
    const chile = await (await app.request('/')).text();
    expect(chile).toContain('$8.990');
    expect(chile).toContain('se paga con ETpay');
    const colombia = await (await app.request('/?pais=co')).text();
    expect(colombia).toMatch(/\$\s38\.000/);
    expect(colombia).toContain('se paga con Tpaga');
    const unknown = await app.request('/?pais=ar');
    expect(unknown.status).toBe(400);
  });

  it('creates an order from the catalogue price, whatever else the form says', async () => {
    const response = await buy({ pais: 'co', producto: 'cafe-huila', cantidad: '3', amount: '1' });
    expect(response.status).toBe(303);
    const id = response.headers.get('location')!.split('/').pop()!;
    expect(id).toMatch(/^PD-[2-9A-HJ-NP-Z]{10}$/);
    expect(orders.get(id)).toMatchObject({ amount: 114_000, currency: 'COP', country: 'co' });
  });

  it('refuses a bad purchase with a 400 and keeps no order', async () => {
    for (const fields of <Record<string, string>[]>[
      { pais: 'co', producto: 'tostadora', cantidad: '1' },
      { pais: 'co', producto: 'cafe-huila', cantidad: '0' },
      { pais: 'co', producto: 'cafe-huila', cantidad: '11' },
      { pais: 'co', producto: 'cafe-huila', cantidad: '1.5' },
      { pais: 'pe', producto: 'cafe-huila', cantidad: '1' },
      {},
    ]) {
      const response = await buy(fields);
      expect(response.status, JSON.stringify(fields)).toBe(400);
      expect(await response.text()).toContain('No pudimos crear el pedido');
    }
    expect(() => readFileSync(file)).toThrow();
  });

  it('serves the order page with the widget by script tag, its integrity, a signed order and a strict CSP', async () => {
    const id = (await buy({ pais: 'cl', producto: 'prensa-francesa', cantidad: '2' })).headers.get(
      'location',
    )!;
    const response = await app.request(id);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(response.headers.get('content-security-policy')).not.toContain('unsafe');
    const page = await response.text();
    expect(page).toMatch(
      /<script\s+type="module"\s+src="\/widget\/0123456789ab\/pasarela\.js"\s+integrity="sha384-abc"\s+crossorigin="anonymous"/,
    );
    const token = page.match(/<pasarela-checkout order="([^"]+)" locale="es-CL">/)![1]!;
    const order = await verifyOrder(token, secret);
    expect(order).toMatchObject({
      orderId: id.split('/').pop(),
      amount: 49_980,
      currency: 'CLP',
      returnUrl: `http://localhost:8787${id}`,
      items: [{ name: 'Prensa francesa 600 ml', quantity: 2, amount: 49_980 }],
    });
    expect((await app.request('/pedido/PD-NOPE')).status).toBe(404);
  });

  it('turns the order page into a receipt once paid, with nothing left to pay', async () => {
    const id = (await buy({ pais: 'co', producto: 'cafe-huila', cantidad: '1' })).headers.get('location')!;
    const orderId = id.split('/').pop()!;
    orders.recordPayment(session(orderId, 'failed', 'ps_first'));
    // A failed try leaves the order payable: the widget with a freshly signed order.
    expect(await (await app.request(id)).text()).toMatch(/<pasarela-checkout order="ey/);
    orders.recordPayment(session(orderId, 'paid', 'ps_second'));
    const receipt = await (await app.request(id)).text();
    expect(receipt).not.toContain('<pasarela-checkout');
    expect(receipt).toContain('data-order-status="paid"');
    // Back from the provider with the paying session: the widget confirms it, with no order.
    const back = await (await app.request(`${id}?pasarela_session=ps_second`)).text();
    expect(back).toContain('<pasarela-checkout locale="es-CO">');
    expect(back).not.toContain('order=');
    // With any other session (an old link): the receipt, never a second payment.
    const stale = await app.request(`${id}?pasarela_session=ps_first`);
    expect(stale.status).toBe(303);
    expect(stale.headers.get('location')).toBe(id);
  });

  it('signs orders for the npm page, and answers bad ones with the error shape', async () => {
    const created = await app.request('/tienda/api/pedidos', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ country: 'co', product: 'taza-greda', quantity: 2 }),
    });
    expect(created.status).toBe(201);
    const { order, token } = (await created.json()) as { order: { id: string }; token: string };
    expect(await verifyOrder(token, secret)).toMatchObject({
      orderId: order.id,
      amount: 54_000,
      returnUrl: `http://localhost:8787/spa/?pedido=${order.id}`,
    });
    for (const body of ['{', '[]', JSON.stringify({ country: 'co', product: 'taza-greda', quantity: 2.5 })]) {
      const refused = await app.request('/tienda/api/pedidos', { method: 'POST', body });
      expect(refused.status).toBe(400);
      expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('invalid_order');
    }
    expect(savedOrders()).toHaveLength(1);
  });
});

describe("the shop's notification route", () => {
  const hookSecret = `whsec_${Buffer.from('demo-shop-webhook-secret-of-32-b').toString('base64')}`;
  const notified = loadConfig({
    PASARELA_SANDBOX: '1',
    PUBLIC_URL: 'http://localhost:8787',
    PASARELA_ORDER_SECRET: secret,
    PASARELA_WEBHOOK_URL: 'http://localhost:8787/tienda/webhooks/pasarela',
    PASARELA_WEBHOOK_SECRET: hookSecret,
  });

  async function notify(data: PublicSession, id: string, key = hookSecret) {
    const body = JSON.stringify({ type: `session.${data.status}`, timestamp: data.updatedAt, data });
    const timestamp = Math.floor(Date.now() / 1000);
    return shopRoutes({ config: notified, orders, widget, root }).request('/tienda/webhooks/pasarela', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'webhook-id': id,
        'webhook-timestamp': String(timestamp),
        'webhook-signature': await signWebhook(id, timestamp, body, key),
      },
      body,
    });
  }

  it('records a verified notification once, however often it comes, and never an older one over a newer', async () => {
    const id = (await buy({ pais: 'co', producto: 'cafe-huila', cantidad: '1' })).headers.get('location')!;
    const orderId = id.split('/').pop()!;
    const paid = { ...session(orderId, 'paid'), updatedAt: '2026-01-01T00:00:01.000Z' };
    const delivered = { ...session(orderId, 'delivered'), updatedAt: '2026-01-01T00:00:02.000Z' };
    expect((await notify(paid, 'evt_paid')).status).toBe(204);
    expect((await notify(paid, 'evt_paid')).status).toBe(204);
    expect((await notify(delivered, 'evt_delivered')).status).toBe(204);
    // A redelivery of the older event, sent again from the merchant view.
    expect((await notify(paid, 'evt_paid_again')).status).toBe(204);
    expect(new OrderBook(file).get(orderId)).toMatchObject({
      payments: [{ sessionId: 'ps_one', status: 'delivered' }],
      history: [
        { status: 'paid', event: 'evt_paid' },
        { status: 'delivered', event: 'evt_delivered' },
      ],
    });
  });

  it('refuses a notification signed with another secret, and records nothing', async () => {
    const id = (await buy({ pais: 'co', producto: 'cafe-huila', cantidad: '1' })).headers.get('location')!;
    const orderId = id.split('/').pop()!;
    const other = `whsec_${Buffer.from('not-the-shop-secret-thirty-two-b').toString('base64')}`;
    const forged = await notify(session(orderId, 'paid'), 'evt_forged', other);
    expect(forged.status).toBe(400);
    expect(await forged.json()).toMatchObject({ error: { code: 'no_matching_signature' } });
    expect(new OrderBook(file).get(orderId)?.payments).toEqual([]);
  });
});

describe('the order book', () => {
  it('keeps orders and their payments across a restart', async () => {
    const id = (await buy({ pais: 'co', producto: 'cafe-huila', cantidad: '1' })).headers.get('location')!;
    const orderId = id.split('/').pop()!;
    orders.recordPayment(session(orderId, 'paid'));
    orders.recordPayment(session(orderId, 'delivered'));
    const reopened = new OrderBook(file);
    expect(reopened.get(orderId)).toMatchObject({
      payments: [{ sessionId: 'ps_one', status: 'delivered' }],
      history: [{ status: 'paid' }, { status: 'delivered' }],
    });
  });

  it('reports the payment that moved money over a later failed try, and ignores unknown orders', async () => {
    const id = (await buy({ pais: 'co', producto: 'cafe-huila', cantidad: '1' })).headers.get('location')!;
    const orderId = id.split('/').pop()!;
    orders.recordPayment(session(orderId, 'failed', 'ps_first'));
    expect(await (await app.request(id)).text()).toContain('data-order-status="failed"');
    orders.recordPayment(session(orderId, 'paid', 'ps_second'));
    orders.recordPayment(session(orderId, 'expired', 'ps_third'));
    expect(await (await app.request(id)).text()).toContain('data-order-status="paid"');
    orders.recordPayment(session('PD-UNKNOWN', 'paid'));
    expect(savedOrders()).toHaveLength(1);
  });

  it('says which file is broken instead of starting with an empty book', () => {
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{not json');
    expect(() => new OrderBook(broken)).toThrow(/broken\.json is not an order book/);
    writeFileSync(broken, '{"orders": []}');
    expect(() => new OrderBook(broken)).toThrow(OrderBookError);
  });
});

describe('the shop inside the server', () => {
  it('limits order creation per address: the 31st order in a minute gets a 429 and is not kept', async () => {
    const server = await startServer({
      env: { PASARELA_SANDBOX: '1', PORT: '0', DATABASE_URL: 'sqlite::memory:' },
      logger: { info() {}, warn() {}, error() {} } as never,
      reconciler: false,
      routes: (host, { config: serverConfig }) => {
        host.route('/', shopRoutes({ config: serverConfig, orders, widget, root }));
      },
    });
    try {
      const order = () =>
        fetch(`${server.url}/tienda/api/pedidos`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ country: 'cl', product: 'cafe-huila', quantity: 1 }),
        });
      for (let i = 0; i < 30; i++) expect((await order()).status).toBe(201);
      const refused = await order();
      expect(refused.status).toBe(429);
      expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('rate_limited');
      const form = await fetch(`${server.url}/comprar`, {
        method: 'POST',
        body: new URLSearchParams({ pais: 'cl', producto: 'cafe-huila', cantidad: '1' }),
        redirect: 'manual',
      });
      expect(form.status).toBe(429);
      expect(savedOrders()).toHaveLength(30);
    } finally {
      await server.close();
    }
  });
});

describe('the built pages', () => {
  it('answers a 404 that says how to build them until dist/demo exists, then serves them', async () => {
    symlinkSync(join(root, 'demo'), join(dir, 'demo'));
    const fresh = shopRoutes({ config, orders, widget, root: dir });
    const before = await fresh.request('/spa/');
    expect(before.status).toBe(404);
    expect(await before.text()).toMatch(/npm run build/);
    mkdirSync(join(dir, 'dist', 'demo', 'spa'), { recursive: true });
    writeFileSync(join(dir, 'dist', 'demo', 'spa', 'index.html'), '<!doctype html><title>SPA</title>');
    const after = await fresh.request('/spa/');
    expect(after.status).toBe(200);
    expect(await after.text()).toContain('<title>SPA</title>');
  });
});
