// Issue 13, "Faults": a provider outage. The sandboxes answer 5xx, hang past the timeout, close the
// connection or answer garbage; session creation fails fast with provider_unavailable, retries
// happen only where repeating is safe (counted on the fetch Pasarela is given), and reconciliation
// recovers the pending sessions once the provider is back. Already covered elsewhere, so not here:
// ETpay's 5xx at the route (routes-sessions), the clients' own retry counts for 5xx and timeouts
// (provider-*-create, provider-etpay-query) and Tpaga's 5xx during reconciliation.
import { afterEach, describe, expect, it } from 'vitest';
import { ApiFault, garbagePage } from '../../server/sandbox/shared/faults.js';
import { startTestServer, type TestServer } from './app.fixture.js';
import { created, etpayFunnel, statusOf, tpagaWallet } from './flows.fixture.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

type Provider = 'etpay' | 'tpaga';

/** The provider API calls Pasarela makes, by operation. */
const operations = {
  etpayCreate: '/sandbox/etpay/api/session/initialize',
  etpayQuery: '/sandbox/etpay/api/merchant/check_payment_status',
  tpagaCreate: '/sandbox/tpaga/merchants/api/v1/payment_requests/create',
  tpagaQuery: /^\/sandbox\/tpaga\/merchants\/api\/v1\/payment_requests\/[^/]+\/info$/,
} as const;

/**
 * Pasarela's outgoing fetch, counted per path. Pasarela's own per-attempt timeout is 10 s and is
 * not an option of createPasarela; this one, shorter, stands in for it so a hang costs 2.5 s.
 */
function countingFetch(timeoutMs = 2_500) {
  const calls: string[] = [];
  const wrapped: typeof fetch = (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    calls.push(url.pathname);
    const signals = [AbortSignal.timeout(timeoutMs)];
    if (init?.signal) signals.push(init.signal);
    return fetch(input, { ...init, signal: AbortSignal.any(signals) });
  };
  const count = (operation: string | RegExp) =>
    calls.filter((path) => (typeof operation === 'string' ? path === operation : operation.test(path)))
      .length;
  return { fetch: wrapped, count };
}

async function startCounted(options: { now?: () => number } = {}) {
  const counted = countingFetch();
  server = await startTestServer({
    options: {
      fetch: counted.fetch,
      ...(options.now && { now: options.now, reconciler: { intervalMs: 3_600_000 } }),
    },
  });
  return { server, count: counted.count };
}

const currencyOf = (provider: Provider) => (provider === 'etpay' ? 'CLP' : 'COP');

async function createWith(s: TestServer, provider: Provider, order: string): Promise<Response> {
  return fetch(`${s.url}/api/sessions`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ provider, order }),
  });
}

/** The answer is the documented 502/503 provider_unavailable, never a 500 and never a 2xx. */
async function expectProviderUnavailable(response: Response) {
  expect([502, 503]).toContain(response.status);
  const body = (await response.json()) as { error: { code: string; message: string } };
  expect(Object.keys(body)).toEqual(['error']);
  expect(body.error).toEqual({ code: 'provider_unavailable', message: expect.stringMatching(/try again/i) });
}

/** After a failed create nothing is left pending, and the same order goes through once it is back. */
async function expectRetryableByBuyer(s: TestServer, provider: Provider, order: string) {
  const sessions = await s.store.listSessions();
  expect(sessions.map((session) => session.status)).not.toContain('pending');
  expect(sessions.every((session) => session.nextCheckAt === null)).toBe(true);
  s.sandboxes[provider].resetBehaviours();
  const again = await createWith(s, provider, order);
  expect(again.status).toBe(201);
  expect(await again.json()).toMatchObject({ status: 'pending', orderId: expect.any(String) });
}

const etpayGarbage = {
  'an HTML error page with 200': undefined,
  'a body that is not JSON': 'upstream connect error or disconnect/reset before headers',
  'JSON of the wrong shape': JSON.stringify({ session: { id: 'x' }, ok: true }),
} as const;

describe('Provider outage: the sandboxes close connections and answer garbage', () => {
  it('closes the connection without an answer, then answers normally', async () => {
    const s = await startTestServer();
    server = s;
    s.sandboxes.tpaga.failApi(ApiFault.closed, 1);
    const info = `${s.url}/sandbox/tpaga/merchants/api/v1/payment_requests/pr_none/info`;
    await expect(fetch(info)).rejects.toThrow(/fetch failed/);
    // The next call is no longer faulted: Basic auth refuses it, as it would any unauthenticated call.
    expect((await fetch(info)).status).toBe(401);
  });

  it('answers 200 with an HTML error page, or with the body it is given, typed as what it is', async () => {
    const s = await startTestServer();
    server = s;
    const initialize = `${s.url}/sandbox/etpay/api/session/initialize`;
    s.sandboxes.etpay.failApi(ApiFault.garbage, 1);
    s.sandboxes.etpay.failApi(ApiFault.garbage, 1, '{"unexpected":true}');
    const page = await fetch(initialize, { method: 'POST', body: '{}' });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await page.text()).toBe(garbagePage);
    const json = await fetch(initialize, { method: 'POST', body: '{}' });
    expect(json.status).toBe(200);
    expect(json.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await json.json()).toEqual({ unexpected: true });
    expect(s.sandboxes.etpay.listSessions()).toEqual([]); // a faulted call reaches nothing
  });

  it.each(['etpay', 'tpaga'] as const)(
    'scripts the new faults through the %s control API',
    async (provider) => {
      const s = await startTestServer();
      server = s;
      const sim = (body: unknown) =>
        fetch(`${s.url}/sandbox/${provider}/_sim/api`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify(body),
        });
      expect(await (await sim({ fault: 'closed', count: 2 })).json()).toEqual({ fault: 'closed', count: 2 });
      expect(await (await sim({ fault: 'garbage', body: '<h1>502</h1>' })).json()).toEqual({
        fault: 'garbage',
        count: 1,
      });
      const refused = await sim({ fault: '5xx', body: 'only garbage has a body' });
      expect(refused.status).toBe(400);
      expect(await refused.json()).toMatchObject({
        error: { code: 'invalid_request', message: expect.stringContaining('body') },
      });
      expect((await sim({ fault: 'teapot' })).status).toBe(400);
    },
  );
});

describe('Provider outage: session creation fails fast with provider_unavailable', () => {
  const etpayFaults: [string, ApiFault, string | undefined][] = [
    ['closes the connection', ApiFault.closed, undefined],
    ['hangs past the timeout', ApiFault.timeout, undefined],
    ...Object.entries(etpayGarbage).map(([what, body]): [string, ApiFault, string | undefined] => [
      `answers ${what}`,
      ApiFault.garbage,
      body,
    ]),
  ];
  it.each(etpayFaults)('ETpay %s: 502, one call only, nothing left pending', async (_what, fault, body) => {
    const { server: s, count } = await startCounted();
    s.sandboxes.etpay.failApi(fault, 5, body);
    const order = await s.order({ currency: 'CLP' });
    const started = Date.now();
    await expectProviderUnavailable(await createWith(s, 'etpay', order));
    // Well under the 30 s the sandbox would hang: the client's timeout ended it.
    expect(Date.now() - started).toBeLessThan(20_000);
    // Initialize is not idempotent at ETpay: a call that may have reached it is never repeated.
    expect(count(operations.etpayCreate)).toBe(1);
    await expectRetryableByBuyer(s, 'etpay', order);
  });

  it.each([
    ['answers 5xx', ApiFault.serverError],
    ['closes the connection', ApiFault.closed],
  ])('Tpaga %s on every try: 502 after three calls, nothing left pending', async (_what, fault) => {
    const { server: s, count } = await startCounted();
    s.sandboxes.tpaga.failApi(fault, 3);
    const order = await s.order({ currency: 'COP' });
    await expectProviderUnavailable(await createWith(s, 'tpaga', order));
    expect(count(operations.tpagaCreate)).toBe(3);
    expect(s.sandboxes.tpaga.listSessions()).toEqual([]);
    await expectRetryableByBuyer(s, 'tpaga', order);
  });

  it('Tpaga answers garbage: 502 at once, since a 200 is an answer and not a lost one', async () => {
    const { server: s, count } = await startCounted();
    s.sandboxes.tpaga.failApi(ApiFault.garbage, 1);
    const order = await s.order({ currency: 'COP' });
    await expectProviderUnavailable(await createWith(s, 'tpaga', order));
    expect(count(operations.tpagaCreate)).toBe(1);
    await expectRetryableByBuyer(s, 'tpaga', order);
  });

  it('never answers 500 whatever the fault, for either provider', async () => {
    const { server: s } = await startCounted();
    const faults = [ApiFault.serverError, ApiFault.closed, ApiFault.garbage] as const;
    for (const provider of ['etpay', 'tpaga'] as const) {
      for (const fault of faults) {
        s.sandboxes[provider].failApi(fault, 3);
        const response = await createWith(s, provider, await s.order({ currency: currencyOf(provider) }));
        expect(response.status, `${provider} ${fault}`).toBe(502);
        s.sandboxes[provider].resetBehaviours();
      }
    }
    expect(await s.store.listSessions({ status: 'pending' })).toEqual([]);
  });
});

describe('Provider outage: retries happen only where safe', () => {
  it.each([
    ['closed connection', ApiFault.closed],
    ['hang past the timeout', ApiFault.timeout],
  ])('Tpaga creation is retried after a %s and makes one payment request', async (_what, fault) => {
    const { server: s, count } = await startCounted();
    s.sandboxes.tpaga.failApi(fault, 1);
    const response = await s.createSession('tpaga');
    expect(response.status).toBe(201);
    const session = (await response.json()) as { id: string };
    // The idempotency token (the session id) makes the second try safe: one request at Tpaga.
    expect(count(operations.tpagaCreate)).toBe(2);
    const stored = await s.store.getSession(session.id);
    expect(s.sandboxes.tpaga.listSessions().map((pr) => pr.token)).toEqual([stored?.providerRef]);
  });

  it('status queries are retried through a closed connection and a hang', async () => {
    const clock = { now: Date.now() };
    const { server: s, count } = await startCounted({ now: () => clock.now });
    s.sandboxes.etpay.setWebhookBehaviour({ mode: 'drop' });
    const session = await created(s, 'etpay');
    await etpayFunnel(session, 'approve');
    s.sandboxes.etpay.failApi(ApiFault.closed, 1);
    s.sandboxes.etpay.failApi(ApiFault.timeout, 1);
    clock.now += 2 * 60_000;
    expect(await s.app.reconciler!.runOnce()).toBe(1);
    expect(count(operations.etpayQuery)).toBe(3);
    expect(await statusOf(s, session.id)).toBe('paid');
  });
});

describe('Provider outage: reconciliation recovers the pending sessions once the provider is back', () => {
  it('ETpay: a payment made while check_payment_status was unreachable ends paid', async () => {
    const clock = { now: Date.now() };
    const { server: s, count } = await startCounted({ now: () => clock.now });
    s.sandboxes.etpay.setWebhookBehaviour({ mode: 'drop' });
    const session = await created(s, 'etpay');
    s.sandboxes.etpay.failApi(ApiFault.closed, 1_000);
    await etpayFunnel(session, 'approve'); // the funnel works; ETpay's API and its notification do not

    clock.now += 2 * 60_000;
    await s.app.reconciler!.runOnce();
    expect(count(operations.etpayQuery)).toBe(3); // one query, retried twice
    const waiting = await s.store.getSession(session.id);
    expect(waiting).toMatchObject({ status: 'pending', checkAttempts: 1 });

    s.sandboxes.etpay.resetBehaviours();
    clock.now = Date.parse(waiting!.nextCheckAt!) + 1;
    expect(await s.app.reconciler!.runOnce()).toBe(1);
    expect(await statusOf(s, session.id)).toBe('paid');
    expect((await s.store.getSession(session.id))!.nextCheckAt).toBeNull();
  });

  it('Tpaga: a payment made while /info answered garbage ends paid, each garbage answer asked once', async () => {
    const clock = { now: Date.now() };
    const { server: s, count } = await startCounted({ now: () => clock.now });
    s.sandboxes.tpaga.setWebhookBehaviour({ mode: 'drop' });
    const session = await created(s, 'tpaga', { currency: 'COP' });
    s.sandboxes.tpaga.failApi(ApiFault.garbage, 2);
    await tpagaWallet(session, 'approve');

    for (let look = 1; look <= 2; look++) {
      const due = (await s.store.getSession(session.id))!.nextCheckAt!;
      clock.now = Date.parse(due) + 1;
      await s.app.reconciler!.runOnce();
      expect(await statusOf(s, session.id)).toBe('pending');
      expect(count(operations.tpagaQuery)).toBe(look);
    }

    clock.now = Date.parse((await s.store.getSession(session.id))!.nextCheckAt!) + 1;
    expect(await s.app.reconciler!.runOnce()).toBe(1);
    expect(await statusOf(s, session.id)).toBe('paid');
    const events = await s.store.listEvents(session.id);
    expect(events.map((event) => [event.source, event.to])).toEqual([['reconcile', 'paid']]);
  });
});
