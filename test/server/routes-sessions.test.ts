import { createHmac } from 'node:crypto';
import { SignJWT } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { orderSecret, startTestServer, type TestServer } from './app.fixture.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function post(body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${server!.url}/api/sessions`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

describe('POST /api/sessions', () => {
  it('creates an ETpay session that redirects to the funnel', async () => {
    server = await startTestServer();
    const response = await server.createSession('etpay', { amount: 50000 });
    expect(response.status).toBe(201);
    const session = (await response.json()) as Record<string, unknown>;
    expect(session).toMatchObject({
      provider: 'etpay',
      status: 'pending',
      amount: 50000,
      currency: 'CLP',
      orderId: 'OC-1001',
      description: 'Café de grano',
      action: { type: 'redirect' },
    });
    expect(session.id).toMatch(/^ps_[A-Za-z0-9]{22}$/);
    expect((session.action as { url: string }).url).toMatch(
      new RegExp(`^${server.url}/sandbox/etpay/pmt/session/[A-Za-z0-9]{64}$`),
    );
    expect(Object.keys(session).sort()).toEqual(
      [
        'action',
        'amount',
        'createdAt',
        'currency',
        'description',
        'expiresAt',
        'id',
        'orderId',
        'provider',
        'status',
        'updatedAt',
      ].sort(),
    );
  });

  it('creates a Tpaga session with a wallet link and a QR code', async () => {
    server = await startTestServer();
    const response = await server.createSession('tpaga', { amount: 12000 });
    expect(response.status).toBe(201);
    const session = (await response.json()) as {
      id: string;
      action: { type: string; url: string; qr: string };
    };
    expect(session.action.type).toBe('wallet');
    expect(session.action.url.startsWith(`${server.url}/sandbox/tpaga/w/`)).toBe(true);
    expect(session.action.qr).toBe(`/api/sessions/${session.id}/qr.svg`);
    const qr = await fetch(`${server.url}${session.action.qr}`);
    expect(qr.headers.get('content-type')).toMatch(/^image\/svg\+xml/);
    expect(await qr.text()).toMatch(/^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  });

  it('never exposes the signature_token or provider reference', async () => {
    server = await startTestServer();
    const created = (await (await server.createSession('etpay')).json()) as { id: string };
    const stored = await server.store.getSession(created.id);
    expect(stored?.providerSecret).toMatch(/^[A-Za-z0-9]{64}$/);
    const text = await (await fetch(`${server.url}/api/sessions/${created.id}`)).text();
    expect(text).not.toContain(stored!.providerSecret!);
    expect(text).not.toContain('providerSecret');
  });

  it('returns the stored session on GET', async () => {
    server = await startTestServer();
    const created = (await (await server.createSession('tpaga')).json()) as { id: string };
    const response = await fetch(`${server.url}/api/sessions/${created.id}`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(created);
  });

  it.each([
    ['not JSON', '{nope', 400, 'invalid_json'],
    ['an empty body', '', 400, 'invalid_json'],
    ['no order', { provider: 'etpay' }, 400, 'invalid_request'],
    ['an extra amount field', { provider: 'etpay', order: 'x', amount: 1 }, 400, 'invalid_request'],
    ['an unknown provider', { provider: 'paypal', order: 'x.y.z' }, 422, 'provider_not_available'],
    ['a garbage order token', { provider: 'etpay', order: 'x.y.z' }, 400, 'invalid_order'],
  ])('refuses %s with a clear error and creates nothing', async (_name, body, status, code) => {
    server = await startTestServer();
    const response = await post(body);
    expect(response.status).toBe(status);
    expect(await response.json()).toMatchObject({ error: { code, message: expect.any(String) } });
    expect(await server.store.listSessions()).toEqual([]);
  });

  it('refuses an order in the other provider’s currency', async () => {
    server = await startTestServer();
    const response = await post({ provider: 'tpaga', order: await server.order({ currency: 'CLP' }) });
    expect(response.status).toBe(422);
    expect(await response.json()).toMatchObject({ error: { code: 'currency_not_supported' } });
  });

  it('refuses tampered, expired, unsigned and foreign-key order tokens', async () => {
    server = await startTestServer();
    const good = await server.order();
    const [h, p, s] = good.split('.');
    const payload = JSON.parse(Buffer.from(p!, 'base64url').toString());
    const tampered = `${h}.${Buffer.from(JSON.stringify({ ...payload, amount: 1 })).toString('base64url')}.${s}`;
    const unsigned = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${p}.`;
    const expired = await new SignJWT({ ...payload, exp: Math.floor(Date.now() / 1000) - 60 })
      .setProtectedHeader({ alg: 'HS256' })
      .sign(new TextEncoder().encode(orderSecret));
    const foreign = await new SignJWT(payload)
      .setProtectedHeader({ alg: 'HS256' })
      .sign(new TextEncoder().encode('another-secret-that-is-32-bytes-long!!'));
    const codes = [];
    for (const order of [tampered, unsigned, expired, foreign]) {
      const response = await post({ provider: 'etpay', order });
      codes.push([response.status, ((await response.json()) as { error: { code: string } }).error.code]);
    }
    expect(codes).toEqual([
      [400, 'invalid_order'],
      [400, 'invalid_order'],
      [400, 'order_expired'],
      [400, 'invalid_order'],
    ]);
    expect(await server.store.listSessions()).toEqual([]);
  });

  it('refuses a return_url outside the allowed origins', async () => {
    server = await startTestServer();
    const response = await server.createSession('etpay', { return_url: 'https://evil.example/thanks' });
    expect(response.status).toBe(422);
    expect(await response.json()).toMatchObject({ error: { code: 'return_url_not_allowed' } });
  });

  it('sends the buyer back only to the return_url the signed order named, whatever the return query says', async () => {
    server = await startTestServer({ env: { PASARELA_ALLOWED_ORIGINS: 'https://shop.example' } });
    const own = (await (await server.createSession('etpay')).json()) as { id: string };
    const named = (await (
      await server.createSession('etpay', { return_url: 'https://shop.example/thanks' })
    ).json()) as { id: string };
    const tries = [
      'return_url=https://evil.example/',
      'next=//evil.example',
      'url=javascript:alert(1)',
      'jwt=x',
    ];
    for (const query of tries) {
      const back = await fetch(`${server.url}/return/${own.id}?${query}`, { redirect: 'manual' });
      expect(back.status).toBe(303);
      expect(back.headers.get('location')).toBe(`${server.url}/?pasarela_session=${own.id}`);
      const shop = await fetch(`${server.url}/return/${named.id}?${query}`, { redirect: 'manual' });
      expect(shop.headers.get('location')).toBe(`https://shop.example/thanks?pasarela_session=${named.id}`);
    }
    const unknown = await fetch(
      `${server.url}/return/ps_${'x'.repeat(22)}?return_url=https://evil.example/`,
      {
        redirect: 'manual',
      },
    );
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('location')).toBeNull();
  });

  it('answers 404 for unknown and malformed session ids', async () => {
    server = await startTestServer();
    for (const id of ['ps_AAAAAAAAAAAAAAAAAAAAAA', 'nope', "ps_'; drop table sessions"]) {
      const response = await fetch(`${server.url}/api/sessions/${encodeURIComponent(id)}`);
      expect(response.status).toBe(404);
      expect(await response.json()).toMatchObject({ error: { code: 'session_not_found' } });
    }
  });

  it('reports a provider outage as 502 provider_unavailable', async () => {
    server = await startTestServer();
    server.sandboxes.etpay.failApi('5xx', 1);
    const response = await server.createSession('etpay');
    expect(response.status).toBe(502);
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('provider_unavailable');
    expect(body.error.message).toMatch(/try again/i);
  });

  it('marks the session of a failed create failed, with the reason, instead of leaving it pending', async () => {
    server = await startTestServer();
    server.sandboxes.etpay.failApi('5xx', 1);
    expect((await server.createSession('etpay')).status).toBe(502);
    const listed = (await (await server.admin('/sessions')).json()) as {
      sessions: { id: string; status: string; nextCheckAt: string | null }[];
    };
    expect(listed.sessions).toHaveLength(1);
    expect(listed.sessions[0]).toMatchObject({ status: 'failed', nextCheckAt: null });
    expect((await (await server.admin('/sessions?status=pending')).json()) as object).toEqual({
      sessions: [],
    });
    const history = (await (await server.admin(`/sessions/${listed.sessions[0]!.id}`)).json()) as {
      events: { source: string; to: string; detail: Record<string, string> }[];
    };
    expect(history.events).toMatchObject([
      { source: 'create', to: 'failed', detail: { reason: 'provider_unavailable' } },
    ]);
  });

  it('marks a create the buyer abandoned failed too', async () => {
    server = await startTestServer();
    server.sandboxes.tpaga.failApi('timeout', 1);
    const leaving = new AbortController();
    const request = fetch(`${server.url}/api/sessions`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ provider: 'tpaga', order: await server.order({ currency: 'COP' }) }),
      signal: leaving.signal,
    });
    // The session row is stored before the provider is called; once it is there, the buyer leaves.
    for (let i = 0; i < 200 && (await server.store.listSessions()).length === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    leaving.abort();
    await request.catch(() => undefined);
    let stored = (await server.store.listSessions())[0];
    for (let i = 0; i < 400 && stored?.status === 'pending'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      stored = (await server.store.listSessions())[0];
    }
    expect(stored).toMatchObject({ status: 'failed', nextCheckAt: null });
    const [event] = await server.store.listEvents(stored!.id);
    expect(event).toMatchObject({ source: 'create', detail: { reason: 'create_aborted' } });
  });
});

describe('Idempotency-Key', () => {
  it('gives the same session and response for the same key and body', async () => {
    server = await startTestServer();
    const order = await server.order();
    const first = await post({ provider: 'etpay', order }, { 'Idempotency-Key': 'k-1' });
    const second = await post({ provider: 'etpay', order }, { 'Idempotency-Key': 'k-1' });
    expect(second.status).toBe(201);
    expect(await second.json()).toEqual(await first.json());
    expect(await server.store.listSessions()).toHaveLength(1);
  });

  it('refuses the same key with a different body', async () => {
    server = await startTestServer();
    await post({ provider: 'etpay', order: await server.order() }, { 'Idempotency-Key': 'k-2' });
    const other = await post(
      { provider: 'etpay', order: await server.order({ amount: 999 }) },
      { 'Idempotency-Key': 'k-2' },
    );
    expect(other.status).toBe(409);
    expect(await other.json()).toMatchObject({ error: { code: 'idempotency_mismatch' } });
  });

  it('creates one session for concurrent duplicates', async () => {
    server = await startTestServer();
    const order = await server.order({ currency: 'COP' });
    const responses = await Promise.all(
      Array.from({ length: 5 }, () => post({ provider: 'tpaga', order }, { 'Idempotency-Key': 'k-3' })),
    );
    const bodies = await Promise.all(responses.map((r) => r.json()));
    expect(new Set(bodies.map((b) => JSON.stringify(b))).size).toBe(1);
    expect(await server.store.listSessions()).toHaveLength(1);
  });

  it('lets a retry succeed after the first attempt failed', async () => {
    server = await startTestServer();
    const order = await server.order();
    server.sandboxes.etpay.failApi('5xx', 1);
    expect((await post({ provider: 'etpay', order }, { 'Idempotency-Key': 'k-4' })).status).toBe(502);
    expect((await post({ provider: 'etpay', order }, { 'Idempotency-Key': 'k-4' })).status).toBe(201);
  });
});

describe('order size', () => {
  const wide = (length: number) => '€'.repeat(length);
  const largest = {
    order_id: 'a'.repeat(64),
    amount: 50 * 1000,
    currency: 'CLP',
    description: wide(200),
    items: Array.from({ length: 50 }, () => ({ name: wide(120), quantity: 1, amount: 1000 })),
  };

  it('creates a session for the largest order signOrder signs (50 items of 120 characters)', async () => {
    server = await startTestServer();
    const response = await server.createSession('etpay', largest);
    expect(response.status).toBe(201);
  });

  it('takes the largest order from a signer that escapes non-ASCII (Python json.dumps)', async () => {
    server = await startTestServer();
    const now = Math.floor(Date.now() / 1000);
    const ascii = (value: unknown) =>
      JSON.stringify(value).replace(
        /[\u0080-\uffff]/g,
        (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`,
      );
    const b64 = (text: string) => Buffer.from(text).toString('base64url');
    const input = `${b64(ascii({ alg: 'HS256', typ: 'JWT' }))}.${b64(ascii({ ...largest, iat: now, exp: now + 600 }))}`;
    const signature = createHmac('sha256', orderSecret).update(input).digest('base64url');
    const token = `${input}.${signature}`;
    expect(token.length).toBeGreaterThan(48 * 1024);
    const response = await fetch(`${server.url}/api/sessions`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ provider: 'etpay', order: token }),
    });
    expect(response.status).toBe(201);
  });

  it('says an order token past the limit is too large, not that the body is malformed', async () => {
    server = await startTestServer();
    const response = await fetch(`${server.url}/api/sessions`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ provider: 'etpay', order: 'x'.repeat(63 * 1024) }),
    });
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ error: { code: 'order_too_large' } });
  });
});
