import { Hono } from 'hono';
import { expect } from 'vitest';
import { newPaymentSession, type PaymentSession } from '../../server/core/session.js';
import {
  createEtpayProvider,
  type EtpayProvider,
  type EtpayProviderOptions,
} from '../../server/providers/etpay/index.js';
import {
  createEtpaySandbox,
  type EtpaySandbox,
  EtpaySandboxMerchant,
  type EtpaySandboxOptions,
} from '../../server/sandbox/etpay/index.js';
import { type Listener, listen, type Receiver, receiver } from './helpers/listen.js';

export interface SentRequest {
  url: string;
  body: string;
}

export interface EtpayClientFixture {
  sandbox: EtpaySandbox;
  /** `…/sandbox/etpay/api` and `…/sandbox/etpay/pmt`, as the server points ETpay at them. */
  apiUrl: string;
  pmtUrl: string;
  /** Stands in for Pasarela's PUBLIC_URL: receives the webhook and the buyer's return. */
  pasarela: Receiver;
  provider: EtpayProvider;
  /** Every request the provider sent to the API, in order. */
  sent: SentRequest[];
  /** Another client on the same sandbox, with some options changed. */
  client(overrides?: Partial<EtpayProviderOptions>): EtpayProvider;
  newSession(overrides?: Partial<PaymentSession>): PaymentSession;
  /** `create` plus the attachment, as the store would hold it. */
  created(overrides?: Partial<PaymentSession>): Promise<PaymentSession>;
  /** Walks the funnel as a buyer: session page, Banco Prueba, then the decision. Returns the 303. */
  decide(session: PaymentSession, action: 'approve' | 'reject'): Promise<Response>;
  close(): Promise<void>;
}

let sequence = 0;

/** A real ETpay sandbox on a listener, and the real client pointed at it. */
export async function startEtpayClient(
  options: { sandbox?: Partial<EtpaySandboxOptions>; provider?: Partial<EtpayProviderOptions> } = {},
): Promise<EtpayClientFixture> {
  let mounted: Hono | undefined;
  const listener: Listener = await listen({ fetch: (request, env) => mounted!.fetch(request, env) });
  const pasarela = await receiver();
  const sandbox = createEtpaySandbox({ publicUrl: `${listener.url}/sandbox/etpay`, ...options.sandbox });
  mounted = new Hono().route('/sandbox/etpay', sandbox.app);

  const sent: SentRequest[] = [];
  const recordingFetch: typeof fetch = async (input, init) => {
    sent.push({ url: String(input), body: typeof init?.body === 'string' ? init.body : '' });
    return fetch(input, init);
  };
  const apiUrl = `${listener.url}/sandbox/etpay/api`;
  const pmtUrl = `${listener.url}/sandbox/etpay/pmt`;
  const client = (overrides: Partial<EtpayProviderOptions> = {}) =>
    createEtpayProvider({
      merchantCode: EtpaySandboxMerchant.merchantCode,
      apiToken: EtpaySandboxMerchant.apiToken,
      apiUrl,
      pmtUrl,
      publicUrl: pasarela.url,
      fetch: recordingFetch,
      timeoutMs: 1_500,
      backoffMs: 5,
      ...options.provider,
      ...overrides,
    });
  const provider = client();

  function newSession(overrides: Partial<PaymentSession> = {}): PaymentSession {
    return newPaymentSession({
      id: `ps_etpayClientTest${++sequence}x${Math.random().toString(36).slice(2, 12)}`,
      provider: 'etpay',
      amount: 50000,
      currency: 'CLP',
      orderId: 'OC-700104',
      description: null,
      items: [{ name: 'Entrada general', quantity: 2, amount: 50000 }],
      customerEmail: 'buyer@example.com',
      ...overrides,
    });
  }

  async function decide(session: PaymentSession, action: 'approve' | 'reject'): Promise<Response> {
    const funnel = session.action?.url;
    if (!funnel) throw new Error('the session has no funnel URL: create it first');
    const page = await fetch(funnel);
    expect(page.status).toBe(200);
    await page.text();
    const post = (path: string, fields: Record<string, string>) =>
      fetch(`${funnel}${path}`, { method: 'POST', body: new URLSearchParams(fields), redirect: 'manual' });
    const bank = await post('/bank', { bank_code: 'ETPAY_BANCOPRUEBA' });
    expect(bank.status).toBe(200);
    await bank.text();
    const decision = await post('/decision', { action });
    expect(decision.status).toBe(303);
    await decision.text();
    return decision;
  }

  return {
    sandbox,
    apiUrl,
    pmtUrl,
    pasarela,
    provider,
    sent,
    client,
    newSession,
    async created(overrides) {
      const session = newSession(overrides);
      return { ...session, ...(await provider.create(session, { clientIp: '203.0.113.7' })) };
    },
    decide,
    async close() {
      await sandbox.close();
      await Promise.all([listener.close(), pasarela.close()]);
    },
  };
}

/** The `{"payment": …}` JWT of a notification Pasarela received. */
export function notifiedJwt(body: string): string {
  return (JSON.parse(body) as { payment: string }).payment;
}

/** The `jwt` query parameter of a return redirect. */
export function returnedJwt(response: Response): string {
  const location = response.headers.get('location');
  const jwt = location ? new URL(location).searchParams.get('jwt') : null;
  if (!jwt) throw new Error(`no jwt in ${location}`);
  return jwt;
}
