// The Tpaga sandbox mounted at `/sandbox/tpaga` of a parent app on a real listener, as the
// Pasarela server mounts it, with a receiver standing for the merchant's webhook endpoint.
import { Hono } from 'hono';
import { afterEach } from 'vitest';
import {
  createTpagaSandbox,
  type TpagaMerchant,
  type TpagaSandbox,
  TpagaSandboxMerchant,
  type TpagaSandboxOptions,
} from '../../server/sandbox/tpaga/index.js';
import { listen, type Receiver, receiver } from './helpers/listen.js';

/** The fields of a created payment request the tests read (the answer carries them all). */
export type TpagaCreated = {
  token: string;
  tpaga_payment_url: string;
  idempotency_token: string;
} & Record<string, unknown>;

export interface TpagaFixture {
  sandbox: TpagaSandbox;
  /** The sandbox's external base URL: `http://127.0.0.1:<port>/sandbox/tpaga`. */
  base: string;
  /** The merchant's webhook endpoint. */
  merchant: Receiver;
  /**
   * Calls `/merchants/api/v1/<path>`, by default as the sandbox merchant with a JSON content
   * type; a string body goes as is, anything else as JSON.
   */
  api(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Response>;
  /** Creates a payment request from `createInput(fields)`; throws unless the sandbox answers 201. */
  create(fields?: Record<string, unknown>, authorization?: string): Promise<TpagaCreated>;
  /** The request's Tpaga status word, from its `info`. */
  status(token: string): Promise<string>;
  /** Posts the buyer's choice on a wallet page without following the redirect. */
  decide(url: string, action: string): Promise<Response>;
  /** Calls the control API (`/_sim/<path>`): a POST with a JSON body, or a GET when `body` is 'GET'. */
  sim(path: string, body?: unknown): Promise<{ status: number; body: Awaited<ReturnType<Response['json']>> }>;
  close(): Promise<void>;
}

/** `Authorization: Basic …` for a merchant (the sandbox's own by default). */
export function basicAuth(
  merchant: Pick<TpagaMerchant, 'username' | 'password'> = TpagaSandboxMerchant,
): string {
  return `Basic ${btoa(`${merchant.username}:${merchant.password}`)}`;
}

let serial = 0;
/** The create body of TPAGA.md §4.1 with a fresh idempotency token. */
export function createInput(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    cost: '12000',
    purchase_details_url: 'https://pay.shop.example/return/ps_1',
    idempotency_token: `ps_fixture_${++serial}`,
    order_id: '348820',
    terminal_id: 'web',
    purchase_description: 'Compra en Tienda X',
    purchase_items: [{ name: '2 x Café molido 500 g', value: '12000' }],
    user_ip_address: '203.0.113.7',
    expires_at: '2099-11-22T15:30:00.000+00:00',
    ...overrides,
  };
}

type FixtureOptions = Partial<TpagaSandboxOptions>;

/** Options may depend on the merchant receiver's URL (for its webhook base). */
export async function startTpaga(
  options: FixtureOptions | ((merchantUrl: string) => FixtureOptions) = {},
): Promise<TpagaFixture> {
  const merchant = await receiver();
  const parent = new Hono();
  const server = await listen({ fetch: (request, env) => parent.fetch(request, env) });
  const base = `${server.url}/sandbox/tpaga`;
  const resolved = typeof options === 'function' ? options(merchant.url) : options;
  const sandbox = createTpagaSandbox({ publicUrl: base, ...resolved });
  parent.route('/sandbox/tpaga', sandbox.app);

  const api: TpagaFixture['api'] = (
    method,
    path,
    body,
    headers = { Authorization: basicAuth(), 'Content-Type': 'application/json' },
  ) =>
    fetch(`${base}/merchants/api/v1/${path}`, {
      method,
      headers,
      ...(body !== undefined && { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });

  return {
    sandbox,
    base,
    merchant,
    api,
    async create(fields = {}, authorization = basicAuth()) {
      const response = await api('POST', 'payment_requests/create', createInput(fields), {
        Authorization: authorization,
        'Content-Type': 'application/json',
      });
      if (response.status !== 201) throw new Error(`create: ${response.status} ${await response.text()}`);
      return (await response.json()) as TpagaCreated;
    },
    async status(token) {
      const response = await api('GET', `payment_requests/${token}/info`, undefined, {
        Authorization: basicAuth(),
      });
      return ((await response.json()) as { status: string }).status;
    },
    decide: (url, action) =>
      fetch(url, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ action }).toString(),
      }),
    async sim(path, body) {
      const response = await fetch(`${base}/_sim/${path}`, {
        method: body === 'GET' ? 'GET' : 'POST',
        ...(body !== undefined &&
          body !== 'GET' && {
            headers: { 'Content-Type': 'application/json' },
            body: typeof body === 'string' ? body : JSON.stringify(body),
          }),
      });
      return { status: response.status, body: await response.json() };
    },
    async close() {
      await sandbox.close();
      await server.close();
      await merchant.close();
    },
  };
}

/**
 * One sandbox per test: the returned function starts it (replacing any earlier one) and an
 * `afterEach` registered here closes it.
 */
export function tpagaPerTest(): (
  options?: FixtureOptions | ((merchantUrl: string) => FixtureOptions),
) => Promise<TpagaFixture> {
  let current: TpagaFixture | undefined;
  afterEach(async () => {
    await current?.close();
    current = undefined;
  });
  return async (options = {}) => {
    current = await startTpaga(options);
    return current;
  };
}
