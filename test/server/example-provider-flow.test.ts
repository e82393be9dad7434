// The example third provider (examples/provider/) in a whole Pasarela, set up through the public
// entries only as a merchant would (`pasarela/server`, `pasarela/sandbox`, `pasarela/server/node`):
// the buyer pays on its sandbox page, the signed merchant notification says so, and its webhook
// refuses what it cannot verify.
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { pagoSimpleSandboxCredentials, pagosimple } from '../../examples/provider/pagosimple.js';
import { type PagoSimpleSandbox, pagosimpleSandbox } from '../../examples/provider/sandbox.js';
import { signatureHeader, signBody } from '../../examples/provider/signature.js';
import {
  builtInProviders,
  createLogger,
  createPasarela,
  loadConfig,
  type PasarelaApp,
  type Store,
  signOrder,
  verifyWebhook,
} from '../../server/index.js';
import { openStore } from '../../server/node/index.js';
import { createSandboxes, type Sandboxes } from '../../server/sandbox/index.js';
import { eventually } from './helpers/eventually.js';
import { type Listener, listen, type Receiver, receiver } from './helpers/listen.js';

const providers = [...builtInProviders, pagosimple];
const orderSecret = 'example-order-secret-of-at-least-32-bytes';
const webhookSecret = `whsec_${randomBytes(32).toString('base64')}`;

interface Running {
  url: string;
  app: PasarelaApp;
  sandbox: PagoSimpleSandbox;
  merchant: Receiver;
  logs: string[];
}

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

/** Pasarela in sandbox mode with Pago Simple and its sandbox, notifying a local merchant endpoint. */
async function start(): Promise<Running> {
  let app: PasarelaApp | undefined;
  const listener: Listener = await listen({ fetch: (request, env) => app!.fetch(request, env) });
  closers.push(listener.close);
  const merchant = await receiver();
  closers.push(merchant.close);
  const config = loadConfig(
    {
      PASARELA_SANDBOX: '1',
      PUBLIC_URL: listener.url,
      PASARELA_ORDER_SECRET: orderSecret,
      PASARELA_WEBHOOK_URL: merchant.url,
      PASARELA_WEBHOOK_SECRET: webhookSecret,
    },
    { providers },
  );
  const store: Store = await openStore({ kind: 'sqlite', path: ':memory:' });
  closers.push(() => store.close());
  const logs: string[] = [];
  const started = createPasarela({
    config,
    store,
    providers,
    logger: createLogger({ write: (line) => logs.push(line) }),
    reconciler: false,
    notifications: { retry: { delaysMs: [100, 200], jitter: 0 }, timeoutMs: 1_500, pollMs: 50 },
  });
  closers.push(() => started.close());
  const sandboxes: Sandboxes = createSandboxes({ publicUrl: config.publicUrl, extra: [pagosimpleSandbox] });
  closers.push(() => sandboxes.close());
  sandboxes.connect(config);
  started.route('/', sandboxes.app);
  app = started;
  return {
    url: listener.url,
    app: started,
    sandbox: sandboxes.get('pagosimple') as PagoSimpleSandbox,
    merchant,
    logs,
  };
}

interface CreatedSession {
  id: string;
  status: string;
  action: { type: string; url: string };
}

async function createSession(server: Running, orderId: string): Promise<CreatedSession> {
  const order = await signOrder({ order_id: orderId, amount: 12000, currency: 'CLP' }, orderSecret);
  const response = await fetch(`${server.url}/api/sessions`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ provider: 'pagosimple', order }),
  });
  expect(response.status).toBe(201);
  return (await response.json()) as CreatedSession;
}

async function statusOf(server: Running, id: string): Promise<string> {
  const response = await fetch(`${server.url}/api/sessions/${id}`);
  return ((await response.json()) as { status: string }).status;
}

/** A notification as Pago Simple sends it, signed with `secret`. */
async function notify(server: Running, paymentId: string, secret: string | null): Promise<Response> {
  const body = JSON.stringify({ id: paymentId });
  return fetch(`${server.url}/webhooks/pagosimple`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      ...(secret !== null && { [signatureHeader]: await signBody(secret, body) }),
    },
    body,
  });
}

/** The payment id is the pay_url's last segment, as the buyer's browser sees it. */
const paymentIdOf = (session: CreatedSession) => new URL(session.action.url).pathname.split('/').at(-1)!;

describe('an example provider module in a whole Pasarela', () => {
  it('is offered with its mark, and a buyer pays through its sandbox page', async () => {
    const server = await start();
    const { providers: offered } = (await (await fetch(`${server.url}/api/config`)).json()) as {
      providers: Array<{ id: string; name: string; mark: string }>;
    };
    expect(offered.map((p) => p.id)).toEqual(['etpay', 'tpaga', 'pagosimple']);
    expect(offered.at(-1)).toMatchObject({
      name: 'Pago Simple',
      currency: 'CLP',
      country: 'CL',
      flow: 'redirect',
      mark: expect.stringMatching(/^data:image\/svg\+xml,/),
    });

    const session = await createSession(server, 'OC-2001');
    expect(session).toMatchObject({ status: 'pending', action: { type: 'redirect' } });
    expect(session.action.url).toMatch(`${server.url}/sandbox/pagosimple/pay/`);

    const page = await fetch(session.action.url);
    expect(await page.text()).toContain('Pagar');
    const paid = await fetch(session.action.url, {
      method: 'POST',
      body: new URLSearchParams({ action: 'approve' }),
      redirect: 'manual',
    });
    expect(paid.status).toBe(303);
    expect(paid.headers.get('location')).toBe(`${server.url}/return/${session.id}`);
    const back = await fetch(paid.headers.get('location')!, { redirect: 'manual' });
    expect(back.status).toBe(303);

    await eventually(async () => (await statusOf(server, session.id)) === 'paid', 'the session to be paid');
    const [notification] = await server.merchant.waitFor(1);
    const verified = await verifyWebhook<{ type: string; data: { id: string; status: string } }>(
      notification!.body,
      notification!.headers,
      webhookSecret,
    );
    expect(verified.payload).toMatchObject({
      type: 'session.paid',
      data: { id: session.id, status: 'paid' },
    });
  });

  it('answers a notification with a bad or missing signature 401 and changes nothing', async () => {
    const server = await start();
    const session = await createSession(server, 'OC-2002');
    const paymentId = paymentIdOf(session);
    // Paid at the provider, its notification lost: only a forged one could tell Pasarela now.
    server.sandbox.setSessionWebhookBehaviour(paymentId, { mode: 'drop' });
    expect(await server.sandbox.pay(paymentId)).toBe(true);

    for (const forged of [
      await notify(server, paymentId, 'not-the-signing-secret'),
      await notify(server, paymentId, null),
    ]) {
      expect(forged.status).toBe(401);
      expect(await forged.json()).toMatchObject({ error: { code: 'invalid_signature' } });
    }
    expect(await statusOf(server, session.id)).toBe('pending');

    // The same notification, signed: Pasarela asks the API and stores what it answers.
    const genuine = await notify(server, paymentId, pagoSimpleSandboxCredentials.secret);
    expect(genuine.status).toBe(200);
    expect(await statusOf(server, session.id)).toBe('paid');
  });

  it('answers a signed notification for an unknown payment 404', async () => {
    const server = await start();
    const response = await notify(server, 'pay_0000000000000000unknown', pagoSimpleSandboxCredentials.secret);
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: { code: 'session_not_found' } });
  });

  it('stays off outside sandbox mode without its credentials', async () => {
    const config = loadConfig(
      {
        PUBLIC_URL: 'https://pay.shop.example',
        PASARELA_ORDER_SECRET: orderSecret,
        TPAGA_USERNAME: 'merchant-user',
        TPAGA_PASSWORD: 'merchant-password',
      },
      { providers },
    );
    expect(Object.keys(config.providers)).toEqual(['tpaga']);
    const store = await openStore({ kind: 'sqlite', path: ':memory:' });
    closers.push(() => store.close());
    const app = createPasarela({
      config,
      store,
      providers,
      logger: createLogger({ write: () => {} }),
      reconciler: false,
    });
    closers.push(() => app.close());

    const { providers: offered } = (await (await app.request('/api/config')).json()) as {
      providers: Array<{ id: string }>;
    };
    expect(offered.map((p) => p.id)).toEqual(['tpaga']);
    const notification = await app.request('/webhooks/pagosimple', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ id: 'pay_0000000000000000unknown' }),
    });
    expect(notification.status).toBe(404);
    expect(await notification.json()).toMatchObject({ error: { code: 'provider_not_available' } });
  });
});
