import { generateKeyPair, SignJWT } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './app.fixture.js';
import { created, etpayFunnel, statusOf } from './flows.fixture.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function webhook(body: unknown) {
  return fetch(`${server!.url}/webhooks/etpay`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

describe('ETpay end to end against the sandbox', () => {
  it('marks the session paid from the notification and redirects the buyer back with pasarela_session', async () => {
    server = await startTestServer({ env: { PASARELA_ALLOWED_ORIGINS: 'https://shop.example' } });
    const session = await created(server, 'etpay', { return_url: 'https://shop.example/checkout?step=3' });
    const back = await etpayFunnel(session, 'approve');
    expect(await statusOf(server, session.id)).toBe('paid');
    expect(back).toMatch(new RegExp(`^${server.url}/return/${session.id}\\?jwt=`));
    const landing = await fetch(back, { redirect: 'manual' });
    expect(landing.status).toBe(303);
    const target = new URL(landing.headers.get('location')!);
    expect(target.origin + target.pathname).toBe('https://shop.example/checkout');
    expect(target.searchParams.get('step')).toBe('3');
    expect(target.searchParams.get('pasarela_session')).toBe(session.id);
    const events = await server.store.listEvents(session.id);
    expect(events.map((e) => [e.source, e.to, e.providerStatus])).toEqual([['webhook', 'paid', 'success']]);
  });

  it('marks the session failed when the buyer rejects', async () => {
    server = await startTestServer();
    const session = await created(server, 'etpay');
    await etpayFunnel(session, 'reject');
    expect(await statusOf(server, session.id)).toBe('failed');
  });

  it('applies the verified ?jwt= on the return when the notification was dropped', async () => {
    server = await startTestServer();
    const session = await created(server, 'etpay');
    server.sandboxes.etpay.setWebhookBehaviour({ mode: 'drop' });
    const back = await etpayFunnel(session, 'approve');
    expect(await statusOf(server, session.id)).toBe('pending');
    await fetch(back, { redirect: 'manual' });
    expect(await statusOf(server, session.id)).toBe('paid');
    expect((await server.store.listEvents(session.id)).map((e) => e.source)).toEqual(['return']);
  });

  it('changes nothing for a return without a JWT or with a forged one, and still redirects', async () => {
    server = await startTestServer();
    const session = await created(server, 'etpay');
    for (const query of ['', '?jwt=garbage', '?jwt=eyJhbGciOiJub25lIn0.eyJ4IjoxfQ.']) {
      const response = await fetch(`${server.url}/return/${session.id}${query}`, { redirect: 'manual' });
      expect(response.status).toBe(303);
      expect(response.headers.get('location')).toBe(`${server.url}/?pasarela_session=${session.id}`);
    }
    expect(await statusOf(server, session.id)).toBe('pending');
  });

  it('acknowledges a duplicate notification without a second change', async () => {
    server = await startTestServer();
    const session = await created(server, 'etpay');
    server.sandboxes.etpay.setWebhookBehaviour({ mode: 'duplicate' });
    await etpayFunnel(session, 'approve');
    const [first, second] = server.sandboxes.etpay.webhooks.deliveries;
    expect([first?.status, second?.status]).toEqual([200, 200]);
    expect(await server.store.listEvents(session.id)).toHaveLength(1);
  });

  it('keeps a late success after a failure (money wins), whatever the order of arrival', async () => {
    server = await startTestServer();
    const session = await created(server, 'etpay');
    const token = (await server.store.getSession(session.id))!.providerRef!;
    await etpayFunnel(session, 'reject');
    expect(await statusOf(server, session.id)).toBe('failed');
    await server.sandboxes.etpay.attempt(token, 'success');
    expect(await statusOf(server, session.id)).toBe('paid');
    await server.sandboxes.etpay.attempt(token, 'error');
    expect(await statusOf(server, session.id)).toBe('paid');
  });

  it('applies a failed or expired notification arriving after ETPAY_SESSION_MINUTES as such, never as an error', async () => {
    const clock = { now: Date.now() };
    server = await startTestServer({
      env: { ETPAY_SESSION_MINUTES: '5' },
      options: { now: () => clock.now, reconciler: { intervalMs: 3_600_000 } },
    });
    const notify = async (sessionId: string, orderId: string, status: string) => {
      const stored = (await server!.store.getSession(sessionId))!;
      const payment = await new SignJWT({
        session_token: stored.providerRef,
        merchant_order_id: orderId,
        payment_token: 'p'.repeat(64),
        payment_status: status,
      })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setIssuedAt()
        .sign(new TextEncoder().encode(stored.providerSecret!));
      return webhook({ payment });
    };
    const late = await created(server, 'etpay', { order_id: 'OC-LATE' });
    const stored = (await server.store.getSession(late.id))!;
    expect(Date.parse(stored.expiresAt!) - Date.parse(stored.createdAt)).toBe(5 * 60_000);
    clock.now = Date.parse(stored.expiresAt!) + 60_000;
    const failed = await notify(late.id, 'OC-LATE', 'error');
    expect(failed.status).toBe(200);
    expect(await statusOf(server, late.id)).toBe('failed');

    // Already expired here (the provider never answered): the failure is taken, nothing moves.
    clock.now = Date.now();
    const gone = await created(server, 'etpay', { order_id: 'OC-GONE' });
    server.sandboxes.etpay.failApi('5xx', 10_000);
    clock.now = Date.parse((await server.store.getSession(gone.id))!.expiresAt!) + 11 * 60_000;
    await server.app.reconciler!.runOnce();
    expect(await statusOf(server, gone.id)).toBe('expired');
    for (const status of ['error', 'expired']) {
      const answer = await notify(gone.id, 'OC-GONE', status);
      expect(answer.status).toBe(200);
    }
    expect(await statusOf(server, gone.id)).toBe('expired');
    // A success still counts after expiry (money wins).
    expect((await notify(gone.id, 'OC-GONE', 'success')).status).toBe(200);
    expect(await statusOf(server, gone.id)).toBe('paid');
  });

  it('refuses forged notifications with 401 and changes nothing', async () => {
    server = await startTestServer();
    const session = await created(server, 'etpay');
    const other = await created(server, 'etpay', { order_id: 'OC-2' });
    const stored = (await server.store.getSession(session.id))!;
    const otherKey = (await server.store.getSession(other.id))!.providerSecret!;
    const claims = {
      session_token: stored.providerRef,
      merchant_order_id: 'OC-1001',
      payment_token: 'p'.repeat(64),
      payment_status: 'success',
      user_rut: '11111111-1',
    };
    const sign = (key: string, alg = 'HS256') =>
      new SignJWT(claims)
        .setProtectedHeader({ alg, typ: 'JWT' })
        .setIssuedAt()
        .sign(new TextEncoder().encode(key));
    const forged = [
      await sign('not-the-signature-token'),
      await sign(otherKey),
      await sign(stored.providerSecret!, 'HS512'),
      `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.`,
      await new SignJWT({ ...claims, merchant_order_id: 'OC-9999' })
        .setProtectedHeader({ alg: 'HS256' })
        .sign(new TextEncoder().encode(stored.providerSecret!)),
      await new SignJWT({ ...claims, session_token: 'unknown'.padEnd(64, 'x') })
        .setProtectedHeader({ alg: 'HS256' })
        .sign(new TextEncoder().encode(stored.providerSecret!)),
    ];
    for (const payment of forged) {
      const response = await webhook({ payment });
      expect(response.status).toBe(401);
      expect(await response.json()).toMatchObject({ error: { code: 'invalid_signature' } });
    }
    expect(await statusOf(server, session.id)).toBe('pending');
    expect(await server.store.listEvents(session.id)).toEqual([]);
  });

  it('reads a body with a duplicated key as JSON does (the last wins), and only a verified JWT changes anything', async () => {
    server = await startTestServer();
    const session = await created(server, 'etpay');
    const stored = (await server.store.getSession(session.id))!;
    const valid = await new SignJWT({
      session_token: stored.providerRef,
      merchant_order_id: 'OC-1001',
      payment_token: 'p'.repeat(64),
      payment_status: 'success',
    })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .sign(new TextEncoder().encode(stored.providerSecret!));
    const rs256 = await new SignJWT({ session_token: stored.providerRef, payment_status: 'success' })
      .setProtectedHeader({ alg: 'RS256' })
      .sign((await generateKeyPair('RS256')).privateKey);

    // The valid JWT first, then a forged one under the same key: the forged one is read, and refused.
    const shadowed = await webhook(
      `{"payment": ${JSON.stringify(valid)}, "payment": ${JSON.stringify(rs256)}}`,
    );
    expect(shadowed.status).toBe(401);
    expect(await statusOf(server, session.id)).toBe('pending');
    expect(await server.store.listEvents(session.id)).toEqual([]);

    // The other way round, the verified JWT is read and applied, once.
    const applied = await webhook(`{"payment": "x.y.z", "payment": ${JSON.stringify(valid)}}`);
    expect(applied.status).toBe(200);
    expect(await statusOf(server, session.id)).toBe('paid');
    expect(await server.store.listEvents(session.id)).toHaveLength(1);
  });

  it('answers malformed notifications with 400', async () => {
    server = await startTestServer();
    for (const body of ['not json', {}, { payment: 42 }, { payment: 'only.two' }, []]) {
      const response = await webhook(body);
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ error: { code: expect.stringMatching(/^invalid_/) } });
    }
  });

  it('sends the notification to PUBLIC_URL/webhooks/etpay and the buyer to PUBLIC_URL/return/<id>', async () => {
    server = await startTestServer();
    const session = await created(server, 'etpay');
    const [summary] = server.sandboxes.etpay.listSessions();
    expect(summary?.token).toBe((await server.store.getSession(session.id))!.providerRef);
    const back = await etpayFunnel(session, 'approve');
    expect(server.sandboxes.etpay.webhooks.deliveries[0]?.url).toBe(`${server.url}/webhooks/etpay`);
    expect(back.startsWith(`${server.url}/return/${session.id}?jwt=`)).toBe(true);
  });
});
