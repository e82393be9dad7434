// The example third provider (examples/provider/) passes the same contract as the built-in ones,
// its client built through its module as Pasarela builds it, against its own sandbox over HTTP.
import { Hono } from 'hono';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type PagoSimpleSettings,
  pagoSimpleSandboxCredentials,
  pagosimple,
} from '../../examples/provider/pagosimple.js';
import { createPagoSimpleSandbox, type PagoSimpleSandbox } from '../../examples/provider/sandbox.js';
import { newPaymentSession, type PaymentSession } from '../../server/core/session.js';
import type { PaymentProvider } from '../../server/index.js';
import { type Listener, listen, type Receiver, receiver } from './helpers/listen.js';
import { describeProviderContract } from './provider-contract.js';

interface PagoSimpleFixture {
  sandbox: PagoSimpleSandbox;
  provider: PaymentProvider;
  client(overrides?: Partial<PagoSimpleSettings>): PaymentProvider;
  newSession(overrides?: Partial<PaymentSession>): PaymentSession;
  /** Opens the pay page as the buyer and presses Pagar / Rechazar. */
  decide(session: PaymentSession, action: 'approve' | 'reject'): Promise<void>;
  close(): Promise<void>;
}

let sequence = 0;

async function startPagoSimple(): Promise<PagoSimpleFixture> {
  let mounted: Hono | undefined;
  const listener: Listener = await listen({ fetch: (request, env) => mounted!.fetch(request, env) });
  // Stands in for Pasarela's PUBLIC_URL: receives the notifications.
  const pasarela: Receiver = await receiver();
  // The client gives up after 1.5 s (generous for a loaded machine); a scripted hang lasts longer.
  const sandbox = createPagoSimpleSandbox({
    publicUrl: `${listener.url}/sandbox/pagosimple`,
    hangMs: 10_000,
  });
  mounted = new Hono().route('/sandbox/pagosimple', sandbox.app);
  const client = (overrides: Partial<PagoSimpleSettings> = {}) => {
    const settings: PagoSimpleSettings = {
      ...pagoSimpleSandboxCredentials,
      apiUrl: `${listener.url}/sandbox/pagosimple/api`,
      timeoutMs: 1_500,
      backoffMs: 5,
      ...overrides,
    };
    return pagosimple.create(settings, { publicUrl: pasarela.url });
  };
  return {
    sandbox,
    provider: client(),
    client,
    newSession: (overrides = {}) =>
      newPaymentSession({
        id: `ps_pagoSimpleTest${++sequence}x${Math.random().toString(36).slice(2, 12)}`,
        provider: 'pagosimple',
        amount: 12000,
        currency: 'CLP',
        orderId: 'OC-1001',
        ...overrides,
      }),
    async decide(session, action) {
      const url = session.action?.url;
      if (!url) throw new Error('the session has no pay_url: create it first');
      const page = await fetch(url);
      expect(await page.text()).toContain(`data-action="${action}"`);
      const decision = await fetch(url, {
        method: 'POST',
        body: new URLSearchParams({ action }),
        redirect: 'manual',
      });
      expect(decision.status).toBe(303);
      expect(decision.headers.get('location')).toBe(`${pasarela.url}/return/${session.id}`);
      await decision.text();
    },
    async close() {
      await sandbox.close();
      await Promise.all([listener.close(), pasarela.close()]);
    },
  };
}

describeProviderContract('Pago Simple', async () => {
  const fixture = await startPagoSimple();
  return {
    provider: fixture.provider,
    newSession: fixture.newSession,
    pay: (session) => fixture.decide(session, 'approve'),
    fail: (session) => fixture.decide(session, 'reject'),
    async expire(session) {
      fixture.sandbox.expire(session.providerRef!);
    },
    failApi: (kind, count) => fixture.sandbox.failApi(kind, count),
    withWrongCredentials: () => fixture.client({ apiKey: 'not-the-sandbox-key' }),
    close: fixture.close,
  };
});

describe('Pago Simple: answers about another payment', () => {
  let fixture: PagoSimpleFixture | undefined;
  afterEach(async () => {
    await fixture?.close();
    fixture = undefined;
  });

  it('refuses a query answer whose reference or amount is not the session’s', async () => {
    fixture = await startPagoSimple();
    const { provider, newSession } = fixture;
    const first = newSession();
    const second = newSession();
    const attached = { ...first, ...(await provider.create(first, { clientIp: '203.0.113.7' })) };
    await provider.create(second, { clientIp: '203.0.113.7' });
    await expect(provider.query({ ...second, providerRef: attached.providerRef })).rejects.toMatchObject({
      kind: 'answer_mismatch',
    });
    await expect(provider.query({ ...attached, amount: 13000 })).rejects.toMatchObject({
      kind: 'answer_mismatch',
    });
  });
});
