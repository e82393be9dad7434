import { afterEach, describe, expect, it } from 'vitest';
import { ProviderUnavailableError } from '../../server/providers/http.js';
import { ProviderRejectedError } from '../../server/providers/provider.js';
import { TpagaAnswerMismatchError } from '../../server/providers/tpaga/index.js';
import {
  jsonResponse,
  rewritingFetch,
  startTpagaClient,
  type TpagaClientFixture,
} from './provider-tpaga.fixture.js';

const createPath = '/sandbox/tpaga/merchants/api/v1/payment_requests/create';
const isCreate = (url: string) => new URL(url).pathname === createPath;

describe('Tpaga client: create', () => {
  let tpaga: TpagaClientFixture | undefined;
  afterEach(async () => {
    await tpaga?.close();
    tpaga = undefined;
  });
  async function start(options?: Parameters<typeof startTpagaClient>[0]) {
    tpaga = await startTpagaClient(options);
    return tpaga;
  }

  it('sends the §4.1 body as Pasarela fills it, with Basic and JSON headers', async () => {
    const now = Date.parse('2025-11-22T15:00:00.000Z');
    const t = await start({ provider: { now: () => now, terminalId: 'web', expiryMinutes: 30 } });
    const session = t.newSession();
    await t.provider.create(session, { clientIp: '203.0.113.7' });

    expect(t.sent).toHaveLength(1);
    const [request] = t.sent;
    expect(request?.method).toBe('POST');
    expect(request?.url).toBe(`${t.apiUrl}/payment_requests/create`);
    expect(request?.headers).toEqual({
      Authorization: `Basic ${btoa('pasarela-sandbox:sandbox-tpaga-password')}`,
      'Content-Type': 'application/json',
      Accept: 'application/json',
    });
    // Compared as text: the key order is the docs' order.
    expect(request?.body).toBe(
      JSON.stringify({
        cost: '12000',
        purchase_details_url: `${t.pasarela.url}/return/${session.id}`,
        idempotency_token: session.id,
        order_id: '348820',
        terminal_id: 'web',
        purchase_description: 'Compra en Tienda X',
        purchase_items: [{ name: '2 x Café molido 500 g', value: '12000' }],
        user_ip_address: '203.0.113.7',
        expires_at: '2025-11-22T15:30:00.000+00:00',
      }),
    );
  });

  it('describes the order by its id and omits purchase_items when the order has none', async () => {
    const t = await start();
    await t.provider.create(t.newSession({ description: null, items: [], orderId: 'A-17' }), {
      clientIp: '198.51.100.4',
    });
    const body = JSON.parse(t.sent[0]!.body) as Record<string, unknown>;
    expect(body.purchase_description).toBe('Orden A-17');
    expect(body).not.toHaveProperty('purchase_items');
    expect(body.user_ip_address).toBe('198.51.100.4');
  });

  it('writes one quantity for items without one', async () => {
    const t = await start();
    await t.provider.create(t.newSession({ items: [{ name: 'Envío', amount: 12000 }] }), {
      clientIp: '203.0.113.7',
    });
    expect(JSON.parse(t.sent[0]!.body).purchase_items).toEqual([{ name: '1 x Envío', value: '12000' }]);
  });

  it('joins the API and public URLs with exactly one slash', async () => {
    const t = await start();
    const client = t.client({ apiUrl: `${t.apiUrl}/`, publicUrl: `${t.pasarela.url}/` });
    const session = await t.created({}, client);
    expect(t.sent[0]?.url).toBe(`${t.apiUrl}/payment_requests/create`);
    expect(JSON.parse(t.sent[0]!.body).purchase_details_url).toBe(`${t.pasarela.url}/return/${session.id}`);
  });

  it('attaches the token, the payment link, the QR path and the expiry in UTC', async () => {
    const t = await start();
    const session = t.newSession();
    const attachment = await t.provider.create(session, { clientIp: '203.0.113.7' });
    const [stored] = t.sandbox.listSessions();
    expect(attachment).toEqual({
      providerRef: stored?.token,
      providerSecret: null,
      action: { type: 'wallet', url: stored?.buyerUrl, qr: `/api/sessions/${session.id}/qr.svg` },
      expiresAt: new Date(Date.parse(stored!.expiresAt!)).toISOString(),
      providerStatus: 'created',
    });
    expect(attachment.providerRef).toMatch(/^pr-[0-9a-f]{72}$/);
    expect(attachment.action.url.startsWith(`${t.apiUrl.replace('/merchants/api/v1', '')}/w/`)).toBe(true);
    expect(attachment.expiresAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('retries a 5xx and creates one payment request', async () => {
    const t = await start();
    t.sandbox.failApi('5xx', 1);
    const session = await t.created();
    expect(t.sent).toHaveLength(2);
    expect(t.sandbox.listSessions().map((pr) => pr.token)).toEqual([session.providerRef]);
  });

  it('takes the 409 after a lost answer as the same payment request, with its link', async () => {
    let first: { token: string; tpaga_payment_url: string } | undefined;
    const loseFirstAnswer = rewritingFetch(async (url, response) => {
      if (!isCreate(url) || first) return undefined;
      first = (await response.json()) as typeof first;
      return jsonResponse(503, { error: 'Service Unavailable' });
    });
    const t = await start({ provider: { fetch: loseFirstAnswer } });
    const session = await t.created();

    expect(t.sent).toHaveLength(2);
    expect(t.sent[1]?.body).toBe(t.sent[0]?.body);
    expect(t.sandbox.listSessions()).toHaveLength(1);
    expect(session.providerRef).toBe(first?.token);
    expect(session.action?.url).toBe(first?.tpaga_payment_url);
  });

  it('takes the 409 after a timed-out answer as the same payment request', async () => {
    let held = false;
    // The first create reaches the sandbox, but its answer never arrives before the 1.5 s timeout.
    const holdFirstAnswer: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      if (!isCreate(String(input)) || held) return response;
      held = true;
      await response.text();
      return new Promise<Response>((_, reject) => {
        init?.signal?.addEventListener('abort', () => reject(init.signal?.reason), { once: true });
      });
    };
    const t = await start({ provider: { fetch: holdFirstAnswer } });
    const session = await t.created();
    expect(t.sent).toHaveLength(2);
    expect(t.sandbox.listSessions().map((pr) => pr.token)).toEqual([session.providerRef]);
  });

  it('accepts the 2018 form of the 409, with the payment request at the top level', async () => {
    const t = await start();
    const session = t.newSession();
    const first = await t.provider.create(session, { clientIp: '203.0.113.7' });
    t.sandbox.setIdempotencyUnwrapped(true);
    const again = await t.provider.create(session, { clientIp: '203.0.113.7' });
    expect(again).toEqual(first);
    expect(t.sandbox.listSessions()).toHaveLength(1);
  });

  it('accepts the wrapped 409 of a request that has since expired', async () => {
    const t = await start();
    const session = t.newSession();
    const first = await t.provider.create(session, { clientIp: '203.0.113.7' });
    t.sandbox.expire(first.providerRef);
    const again = await t.provider.create(session, { clientIp: '203.0.113.7' });
    expect(again.providerRef).toBe(first.providerRef);
    expect(again.providerStatus).toBe('expired');
  });

  it('refuses a 409 whose payment request has another idempotency token', async () => {
    const otherOwner = rewritingFetch(async (url, response) => {
      if (!isCreate(url) || response.status !== 409) return undefined;
      const body = (await response.json()) as { data: Record<string, unknown> };
      return jsonResponse(409, { ...body, data: { ...body.data, idempotency_token: 'ps_someoneElse' } });
    });
    const t = await start({ provider: { fetch: otherOwner } });
    const mine = t.newSession();
    await t.provider.create(mine, { clientIp: '203.0.113.7' });
    const error = await t.provider.create(mine, { clientIp: '203.0.113.7' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderRejectedError);
    expect(error).toMatchObject({ status: 409, providerCode: '3' });
  });

  it('refuses a 409 that carries no payment request', async () => {
    const bare = rewritingFetch(async (url) =>
      isCreate(url)
        ? jsonResponse(409, {
            error_code: 3,
            error_message: 'Idempotency error: The payment request was already created',
          })
        : undefined,
    );
    const t = await start({ provider: { fetch: bare } });
    await expect(t.created()).rejects.toBeInstanceOf(ProviderRejectedError);
  });

  it('is refused when the merchant is disabled, naming the cause', async () => {
    const t = await start();
    t.sandbox.setDisabled(true);
    const error = await t.created().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderRejectedError);
    expect(error).toMatchObject({ status: 403, providerCode: '1' });
    expect((error as Error).message).toContain('contact Tpaga support');
    expect(t.sent).toHaveLength(1);
  });

  it('is refused on wrong credentials without repeating the password or the answer', async () => {
    const t = await start();
    const client = t.client({ password: 'wrong-password-123' });
    const error = await t.created({}, client).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderRejectedError);
    expect(error).toMatchObject({ status: 401 });
    expect((error as Error).message).toContain('TPAGA_USERNAME');
    expect((error as Error).message).not.toContain('wrong-password-123');
    expect((error as Error).message).not.toContain('Access denied');
  });

  it('reports a validation error with its field and code, and tries once', async () => {
    const t = await start();
    const error = await t.created({ amount: 0, items: [] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderRejectedError);
    expect(error).toMatchObject({ status: 422, providerCode: '1' });
    expect((error as Error).message).toContain('cost');
    expect(t.sent).toHaveLength(1);
  });

  it('refuses a created request for another amount', async () => {
    const otherCost = rewritingFetch(async (url, response) => {
      if (!isCreate(url)) return undefined;
      return jsonResponse(201, { ...((await response.json()) as object), cost: '1200.0' });
    });
    const t = await start({ provider: { fetch: otherCost } });
    await expect(t.created()).rejects.toMatchObject({
      name: TpagaAnswerMismatchError.name,
      field: 'cost',
    });
  });

  it('treats a create answer without a payment link as an unknown outcome', async () => {
    const noLink = rewritingFetch(async (url, response) => {
      if (!isCreate(url)) return undefined;
      const { tpaga_payment_url: _, ...rest } = (await response.json()) as Record<string, unknown>;
      return jsonResponse(201, rest);
    });
    const t = await start({ provider: { fetch: noLink } });
    await expect(t.created()).rejects.toBeInstanceOf(ProviderUnavailableError);
  });
});
