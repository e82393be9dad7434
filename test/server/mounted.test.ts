// Pasarela mounted under a path of the merchant's own Hono app (`shop.route('/pay', pasarela)`),
// as the README invites: CORS, the QR code's address and the whole payment keep the prefix.
import { Hono } from 'hono';
import { afterEach, describe, expect, it } from 'vitest';
import { createPasarela, type PasarelaApp } from '../../server/app.js';
import { loadConfig } from '../../server/config.js';
import { createLogger } from '../../server/log.js';
import { signOrder } from '../../server/orders.js';
import { builtInSettings } from '../../server/providers/index.js';
import { createSandboxes, type Sandboxes } from '../../server/sandbox/index.js';
import { openSqliteStore } from '../../server/store/sqlite/index.js';
import type { Store } from '../../server/store/store.js';
import { tpagaWallet } from './flows.fixture.js';
import { type Listener, listen } from './helpers/listen.js';

const secret = 'mounted-test-order-secret-of-32-bytes!!';
const shopOrigin = 'https://shop.example';
let running: { listener: Listener; app: PasarelaApp; sandboxes: Sandboxes; store: Store } | undefined;
afterEach(async () => {
  await running?.app.close();
  await running?.sandboxes.close();
  await running?.listener.close();
  await running?.store.close();
  running = undefined;
});

async function startMounted() {
  let shop: Hono | undefined;
  const listener = await listen({ fetch: (request, env) => shop!.fetch(request, env) });
  const base = `${listener.url}/pay`;
  const config = loadConfig({
    PASARELA_SANDBOX: '1',
    PUBLIC_URL: base,
    PASARELA_ORDER_SECRET: secret,
    PASARELA_ALLOWED_ORIGINS: shopOrigin,
    DATABASE_URL: 'sqlite::memory:',
  });
  const store = await openSqliteStore({ path: ':memory:' });
  const app = createPasarela({ config, store, reconciler: false, logger: createLogger({ write: () => {} }) });
  const sandboxes = createSandboxes({ publicUrl: base });
  sandboxes.tpaga.setWebhookBase(builtInSettings(config).tpaga!.username, `${base}/webhooks/tpaga`);
  app.route('/', sandboxes.app);
  shop = new Hono();
  // The shop's own middleware, on everything it serves: a header set before the handlers run.
  shop.use('*', async (c, next) => {
    c.header('X-Shop', 'tienda');
    await next();
  });
  shop.get('/', (c) => c.text('the shop'));
  shop.route('/pay', app);
  running = { listener, app, sandboxes, store };
  return base;
}

describe('mounted under /pay', () => {
  it('answers the CORS preflight of the session route for an allowed origin', async () => {
    const base = await startMounted();
    const response = await fetch(`${base}/api/sessions`, {
      method: 'OPTIONS',
      headers: {
        Origin: shopOrigin,
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'content-type,idempotency-key',
      },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe(shopOrigin);
    expect(response.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('idempotency-key');
  });

  it('gives the QR code’s address under the prefix, and a Tpaga payment goes through', async () => {
    const base = await startMounted();
    const order = await signOrder({ order_id: 'OC-MOUNT', amount: 38_000, currency: 'COP' }, secret);
    const response = await fetch(`${base}/api/sessions`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Origin: shopOrigin },
      body: JSON.stringify({ provider: 'tpaga', order }),
    });
    expect(response.status).toBe(201);
    expect(response.headers.get('access-control-allow-origin')).toBe(shopOrigin);
    const session = (await response.json()) as {
      id: string;
      status: string;
      action: { type: string; url: string; qr: string };
    };
    expect(session.action.qr).toBe(`/pay/api/sessions/${session.id}/qr.svg`);
    const qr = await fetch(new URL(session.action.qr, base));
    expect(qr.status).toBe(200);
    expect(qr.headers.get('content-type')).toMatch(/^image\/svg\+xml/);

    await tpagaWallet(session, 'approve');
    const status = (await (await fetch(`${base}/api/sessions/${session.id}`)).json()) as { status: string };
    expect(status.status).toBe('paid');
  });

  it('keeps the headers the shop’s own middleware sets on every answer, status reads too', async () => {
    const base = await startMounted();
    const order = await signOrder({ order_id: 'OC-HEADERS', amount: 38_000, currency: 'COP' }, secret);
    const created = await fetch(`${base}/api/sessions`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ provider: 'tpaga', order }),
    });
    expect(created.headers.get('x-shop')).toBe('tienda');
    const { id } = (await created.json()) as { id: string };
    // Twice: from the store, then from the session cache (the status route's fast answer).
    for (const origin of [undefined, undefined, shopOrigin]) {
      const read = await fetch(`${base}/api/sessions/${id}`, { headers: origin ? { Origin: origin } : {} });
      expect(read.status).toBe(200);
      expect(read.headers.get('x-shop')).toBe('tienda');
      expect(read.headers.get('x-request-id')).toMatch(/\S{8,}/);
      expect(read.headers.get('x-content-type-options')).toBe('nosniff');
      expect(read.headers.get('cache-control')).toBe('no-store');
      expect(read.headers.get('content-type')).toBe('application/json');
      expect(read.headers.get('access-control-allow-origin')).toBe(origin ?? null);
      expect(((await read.json()) as { id: string }).id).toBe(id);
    }
    expect((await fetch(`${base}/api/config`)).headers.get('x-shop')).toBe('tienda');
  });

  it('keeps the document headers off the API and on the pages', async () => {
    const base = await startMounted();
    const api = await fetch(`${base}/api/config`);
    expect(api.headers.get('x-content-type-options')).toBe('nosniff');
    expect(api.headers.get('content-security-policy')).toBeNull();
    const page = await fetch(`${base}/return/ps_AAAAAAAAAAAAAAAAAAAAAA`);
    expect(page.headers.get('x-frame-options')).not.toBeNull();
  });
});
