import { Hono } from 'hono';
import {
  createEtpaySandbox,
  type EtpaySandbox,
  type EtpaySandboxOptions,
} from '../../server/sandbox/etpay/index.js';
import { type Listener, listen, type Receiver, receiver } from './helpers/listen.js';

export const credentials = {
  merchant_code: 'cl_sandbox_pasarela',
  merchant_api_token: 'sandbox-etpay-token',
};

export interface EtpayFixture {
  sandbox: EtpaySandbox;
  /** The sandbox's external base URL: `http://127.0.0.1:<port>/sandbox/etpay`. */
  base: string;
  /** The merchant's webhook endpoint. */
  merchant: Receiver;
  webhookUrl: string;
  /** POSTs to the API; a string body goes as is, anything else as JSON. */
  api(path: string, body: unknown, headers?: Record<string, string>): Promise<Response>;
  /** Creates a session with the sandbox credentials, a valid order and the merchant's webhook. */
  initialize(fields?: Record<string, unknown>): Promise<{ token: string; signature_token: string }>;
  /** POSTs a form to the funnel without following redirects. */
  form(path: string, fields: Record<string, string>): Promise<Response>;
  /** Approves or rejects a session from its step-2 form. */
  decide(token: string, action: 'approve' | 'reject', fields?: Record<string, string>): Promise<Response>;
  close(): Promise<void>;
}

type FixtureOptions = Partial<EtpaySandboxOptions>;

/**
 * A sandbox mounted at `/sandbox/etpay` on a real listener, as the server mounts it. Options may
 * depend on the merchant receiver's URL (for merchant default webhooks).
 */
export async function startEtpay(
  options: FixtureOptions | ((merchantUrl: string) => FixtureOptions) = {},
): Promise<EtpayFixture> {
  let mounted: Hono | undefined;
  const listener: Listener = await listen({ fetch: (request, env) => mounted!.fetch(request, env) });
  const merchant = await receiver();
  const base = `${listener.url}/sandbox/etpay`;
  const resolved = typeof options === 'function' ? options(merchant.url) : options;
  const sandbox = createEtpaySandbox({ publicUrl: base, ...resolved });
  mounted = new Hono().route('/sandbox/etpay', sandbox.app);
  const webhookUrl = `${merchant.url}/webhooks/etpay`;

  const api: EtpayFixture['api'] = (path, body, headers = { 'Content-Type': 'application/json' }) =>
    fetch(`${base}/api${path}`, {
      method: 'POST',
      headers,
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  const form: EtpayFixture['form'] = (path, fields) =>
    fetch(`${base}/pmt${path}`, { method: 'POST', body: new URLSearchParams(fields), redirect: 'manual' });

  return {
    sandbox,
    base,
    merchant,
    webhookUrl,
    api,
    form,
    async initialize(fields = {}) {
      const response = await api('/session/initialize', {
        ...credentials,
        merchant_order_id: 'OC-700104',
        order_amount: 50000,
        payment_webhook_url: webhookUrl,
        ...fields,
      });
      if (response.status !== 200) throw new Error(`initialize: ${response.status} ${await response.text()}`);
      return (await response.json()) as { token: string; signature_token: string };
    },
    decide: (token, action, fields = {}) => form(`/session/${token}/decision`, { action, ...fields }),
    async close() {
      await sandbox.close();
      await Promise.all([listener.close(), merchant.close()]);
    },
  };
}

/** The `{"payment": …}` JWT of a received notification. */
export function paymentJwt(body: string): string {
  return (JSON.parse(body) as { payment: string }).payment;
}

export function jwtFromLocation(location: string | null): string {
  const jwt = location?.split('jwt=')[1];
  if (!jwt) throw new Error(`no jwt in ${location}`);
  return jwt;
}
