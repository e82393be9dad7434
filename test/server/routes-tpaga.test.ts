import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './app.fixture.js';
import { created, statusOf, tpagaWallet } from './flows.fixture.js';
import { eventually } from './helpers/eventually.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const cop = { currency: 'COP', amount: 12000 };

describe('Tpaga end to end against the sandbox', () => {
  it('turns the webhook hint into a verified paid status and redirects the buyer back', async () => {
    server = await startTestServer();
    const session = await created(server, 'tpaga', cop);
    const back = await tpagaWallet(session, 'approve');
    expect(back).toBe(`${server.url}/return/${session.id}`);
    expect(await statusOf(server, session.id)).toBe('paid');
    const events = await server.store.listEvents(session.id);
    expect(events.map((e) => [e.source, e.to, e.providerStatus])).toEqual([['webhook', 'paid', 'paid']]);
    const landing = await fetch(back, { redirect: 'manual' });
    expect(landing.headers.get('location')).toBe(`${server.url}/?pasarela_session=${session.id}`);
  });

  it('marks the session failed when the buyer rejects in the wallet', async () => {
    server = await startTestServer();
    const session = await created(server, 'tpaga', cop);
    await tpagaWallet(session, 'reject');
    expect(await statusOf(server, session.id)).toBe('failed');
  });

  it('asks Tpaga on the buyer’s return when the webhook was dropped', async () => {
    server = await startTestServer();
    server.sandboxes.tpaga.setWebhookBehaviour({ mode: 'drop' });
    const session = await created(server, 'tpaga', cop);
    const back = await tpagaWallet(session, 'approve');
    expect(await statusOf(server, session.id)).toBe('pending');
    await fetch(back, { redirect: 'manual' });
    expect(await statusOf(server, session.id)).toBe('paid');
  });

  it('confirms delivery automatically when TPAGA_AUTO_DELIVERY is on', async () => {
    server = await startTestServer({ env: { TPAGA_AUTO_DELIVERY: '1' } });
    const session = await created(server, 'tpaga', cop);
    await tpagaWallet(session, 'approve');
    // A durable job in the outbox, run by the dispatcher right after the payment is stored.
    await eventually(async () => (await statusOf(server!, session.id)) === 'delivered', 'the delivery');
    const token = (await server.store.getSession(session.id))!.providerRef!;
    expect(server.sandboxes.tpaga.listSessions().find((s) => s.token === token)?.status).toBe('delivered');
  });

  it('refuses webhooks for malformed or unknown tokens without calling Tpaga', async () => {
    server = await startTestServer();
    const malformed = await fetch(`${server.url}/webhooks/tpaga/not-a-token`, { method: 'POST' });
    expect(malformed.status).toBe(400);
    const unknown = await fetch(`${server.url}/webhooks/tpaga/pr-${'a'.repeat(72)}`, { method: 'POST' });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: { code: 'session_not_found' } });
  });

  it('does not acknowledge a webhook while Tpaga is down, and nothing changes', async () => {
    server = await startTestServer();
    server.sandboxes.tpaga.setWebhookBehaviour({ mode: 'drop' });
    const session = await created(server, 'tpaga', cop);
    await tpagaWallet(session, 'approve');
    const token = (await server.store.getSession(session.id))!.providerRef!;
    server.sandboxes.tpaga.failApi('5xx', 3);
    const response = await fetch(`${server.url}/webhooks/tpaga/${token}`, { method: 'POST' });
    expect(response.status).toBe(503);
    expect(await statusOf(server, session.id)).toBe('pending');
  });

  it('takes a webhook with a trailing slash like one without (a base registered with a "/")', async () => {
    server = await startTestServer();
    server.sandboxes.tpaga.setWebhookBehaviour({ mode: 'drop' });
    const session = await created(server, 'tpaga', cop);
    await tpagaWallet(session, 'approve');
    const token = (await server.store.getSession(session.id))!.providerRef!;
    expect(await statusOf(server, session.id)).toBe('pending');
    const response = await fetch(`${server.url}/webhooks/tpaga/${token}/`, { method: 'POST' });
    expect(response.status).toBe(200);
    expect(await statusOf(server, session.id)).toBe('paid');
    const malformed = await fetch(`${server.url}/webhooks/tpaga/not-a-token/`, { method: 'POST' });
    expect(malformed.status).toBe(400);
  });

  it('has no QR code for a redirect session', async () => {
    server = await startTestServer();
    const session = await created(server, 'etpay');
    const response = await fetch(`${server.url}/api/sessions/${session.id}/qr.svg`);
    expect(response.status).toBe(404);
  });
});
