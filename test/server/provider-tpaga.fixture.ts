import { Hono } from 'hono';
import { expect } from 'vitest';
import { newPaymentSession, type PaymentSession } from '../../server/core/session.js';
import {
  createTpagaProvider,
  type TpagaProvider,
  type TpagaProviderOptions,
} from '../../server/providers/tpaga/index.js';
import {
  createTpagaSandbox,
  type TpagaMerchant,
  type TpagaSandbox,
  TpagaSandboxMerchant,
  type TpagaSandboxOptions,
} from '../../server/sandbox/tpaga/index.js';
import { type Listener, listen, type Receiver, receiver } from './helpers/listen.js';

export interface SentRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
}

export interface TpagaClientFixture {
  sandbox: TpagaSandbox;
  /** `…/sandbox/tpaga/merchants/api/v1`, as the server points TPAGA_API_URL at it. */
  apiUrl: string;
  /** Stands in for Pasarela's PUBLIC_URL: receives the webhooks and the buyer's return. */
  pasarela: Receiver;
  provider: TpagaProvider;
  /** Every request a fixture client sent to the API, in order. */
  sent: SentRequest[];
  /** Another client on the same sandbox, with some options changed (its `fetch` is recorded too). */
  client(overrides?: Partial<TpagaProviderOptions>): TpagaProvider;
  newSession(overrides?: Partial<PaymentSession>): PaymentSession;
  /** `create` plus the attachment, as the store would hold it. */
  created(overrides?: Partial<PaymentSession>, provider?: TpagaProvider): Promise<PaymentSession>;
  /** Opens the payment link as the buyer and presses Pagar / Rechazar. Returns the `303`. */
  decide(session: PaymentSession, action: 'approve' | 'reject'): Promise<Response>;
  close(): Promise<void>;
}

let sequence = 0;

/** A real Tpaga sandbox on a listener, and the real client pointed at it. */
export async function startTpagaClient(
  options: {
    sandbox?: Partial<TpagaSandboxOptions>;
    merchant?: Partial<TpagaMerchant>;
    provider?: Partial<TpagaProviderOptions>;
  } = {},
): Promise<TpagaClientFixture> {
  let mounted: Hono | undefined;
  const listener: Listener = await listen({ fetch: (request, env) => mounted!.fetch(request, env) });
  const pasarela = await receiver();
  const sandbox = createTpagaSandbox({
    publicUrl: `${listener.url}/sandbox/tpaga`,
    merchants: [
      { ...TpagaSandboxMerchant, webhookBase: `${pasarela.url}/webhooks/tpaga`, ...options.merchant },
    ],
    ...options.sandbox,
  });
  mounted = new Hono().route('/sandbox/tpaga', sandbox.app);

  const sent: SentRequest[] = [];
  const recording =
    (inner: typeof fetch): typeof fetch =>
    async (input, init) => {
      sent.push({
        method: init?.method ?? 'GET',
        url: String(input),
        headers: { ...(init?.headers as Record<string, string>) },
        body: typeof init?.body === 'string' ? init.body : '',
      });
      return inner(input, init);
    };
  const apiUrl = `${listener.url}/sandbox/tpaga/merchants/api/v1`;
  const client = (overrides: Partial<TpagaProviderOptions> = {}) => {
    const settings: TpagaProviderOptions = {
      username: TpagaSandboxMerchant.username,
      password: TpagaSandboxMerchant.password,
      apiUrl,
      terminalId: 'web',
      expiryMinutes: 30,
      publicUrl: pasarela.url,
      timeoutMs: 1_500,
      backoffMs: 5,
      ...options.provider,
      ...overrides,
    };
    return createTpagaProvider({ ...settings, fetch: recording(settings.fetch ?? fetch) });
  };
  const provider = client();

  function newSession(overrides: Partial<PaymentSession> = {}): PaymentSession {
    return newPaymentSession({
      id: `ps_tpagaClientTest${++sequence}x${Math.random().toString(36).slice(2, 12)}`,
      provider: 'tpaga',
      amount: 12000,
      currency: 'COP',
      orderId: '348820',
      description: 'Compra en Tienda X',
      items: [{ name: 'Café molido 500 g', quantity: 2, amount: 12000 }],
      ...overrides,
    });
  }

  async function decide(session: PaymentSession, action: 'approve' | 'reject'): Promise<Response> {
    const link = session.action?.url;
    if (!link) throw new Error('the session has no payment link: create it first');
    const page = await fetch(link);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain(`data-action="${action}"`);
    const decision = await fetch(link, {
      method: 'POST',
      body: new URLSearchParams({ action }),
      redirect: 'manual',
    });
    expect(decision.status).toBe(303);
    await decision.text();
    return decision;
  }

  return {
    sandbox,
    apiUrl,
    pasarela,
    provider,
    sent,
    client,
    newSession,
    async created(overrides, using = provider) {
      const session = newSession(overrides);
      return { ...session, ...(await using.create(session, { clientIp: '203.0.113.7' })) };
    },
    decide,
    async close() {
      await sandbox.close();
      await Promise.all([listener.close(), pasarela.close()]);
    },
  };
}

/** A `fetch` that lets `rewrite` replace the answers of matching calls (a doctored or lost answer). */
export function rewritingFetch(
  rewrite: (url: string, response: Response, call: number) => Promise<Response | undefined>,
): typeof fetch {
  let calls = 0;
  return async (input, init) => {
    const response = await fetch(input, init);
    return (await rewrite(String(input), response, ++calls)) ?? response;
  };
}

/** A JSON answer, as a doctored provider response. */
export function jsonResponse(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
}
