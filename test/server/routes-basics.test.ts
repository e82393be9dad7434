import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './app.fixture.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** A provider's mark: an SVG image the widget shows as an `<img>`. */
const mark = expect.stringMatching(/^data:image\/svg\+xml,%3Csvg/);

describe('GET /api/config and /healthz', () => {
  it('lists both providers with their currency, country, flow and mark', async () => {
    server = await startTestServer();
    const response = await fetch(`${server.url}/api/config`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      providers: [
        { id: 'etpay', name: 'ETpay', currency: 'CLP', country: 'CL', flow: 'redirect', mark },
        { id: 'tpaga', name: 'Tpaga', currency: 'COP', country: 'CO', flow: 'wallet', mark },
      ],
      sandbox: true,
    });
  });

  it('answers the health check while the store answers', async () => {
    server = await startTestServer();
    const response = await fetch(`${server.url}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true });
  });

  it('answers 503 on the health check once the store is closed', async () => {
    server = await startTestServer();
    await server.store.close();
    const response = await fetch(`${server.url}/healthz`);
    expect(response.status).toBe(503);
  });
});

describe('edges', () => {
  it('answers unknown routes with a 404 in the error shape', async () => {
    server = await startTestServer();
    const response = await fetch(`${server.url}/api/nope`);
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: { code: 'not_found' } });
  });

  it('allows CORS only for allowed origins and varies on Origin', async () => {
    server = await startTestServer({ env: { PASARELA_ALLOWED_ORIGINS: 'https://shop.example' } });
    const allowed = await fetch(`${server.url}/api/config`, { headers: { Origin: 'https://shop.example' } });
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://shop.example');
    expect(allowed.headers.get('vary')).toMatch(/origin/i);
    const other = await fetch(`${server.url}/api/config`, { headers: { Origin: 'https://evil.example' } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('answers a CORS preflight for session creation with the Idempotency-Key header allowed', async () => {
    server = await startTestServer({ env: { PASARELA_ALLOWED_ORIGINS: 'https://shop.example' } });
    const response = await fetch(`${server.url}/api/sessions`, {
      method: 'OPTIONS',
      headers: {
        Origin: 'https://shop.example',
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'content-type, idempotency-key',
      },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('idempotency-key');
  });

  it('sets security headers and a request id', async () => {
    server = await startTestServer();
    const response = await fetch(`${server.url}/api/config`);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('x-request-id')).toMatch(/\S{8,}/);
  });

  it('sends the API headers with a status read, cached or not, with CORS and on a 404', async () => {
    server = await startTestServer();
    const { id } = (await (await server.createSession('tpaga')).json()) as { id: string };
    const origin = server.config.allowedOrigins[0]!;
    for (const headers of [{}, {}, { Origin: origin }] as Record<string, string>[]) {
      const response = await fetch(`${server.url}/api/sessions/${id}`, { headers });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('application/json');
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('x-request-id')).toMatch(/\S{8,}/);
      expect(response.headers.get('vary')).toBe('Origin');
      expect(response.headers.get('access-control-allow-origin')).toBe(headers.Origin ?? null);
      expect(((await response.json()) as { id: string }).id).toBe(id);
    }
    const missing = await fetch(`${server.url}/api/sessions/ps_0000000000000000000000`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('x-content-type-options')).toBe('nosniff');
    expect(missing.headers.get('x-request-id')).toMatch(/\S{8,}/);
  });

  it('keeps a sane X-Request-Id the load balancer sent, and replaces any other', async () => {
    server = await startTestServer();
    const kept = await fetch(`${server.url}/api/config`, { headers: { 'X-Request-Id': 'lb-7f3a=9' } });
    expect(kept.headers.get('x-request-id')).toBe('lb-7f3a=9');
    const replaced = await fetch(`${server.url}/api/config`, { headers: { 'X-Request-Id': 'a b<c>' } });
    expect(replaced.headers.get('x-request-id')).not.toBe('a b<c>');
    expect(replaced.headers.get('x-request-id')).toMatch(/^[\w=-]{8,}$/);
    const page = await fetch(`${server.url}/sandbox/etpay/pmt/unknown`);
    expect(page.headers.get('x-request-id')).toMatch(/^[\w=-]{8,}$/);
    expect(server.logs.some((line) => line.includes('"requestId":"lb-7f3a=9"'))).toBe(true);
  });

  it('refuses bodies over 64 KB with 413 and changes nothing', async () => {
    server = await startTestServer();
    const response = await fetch(`${server.url}/api/sessions`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ provider: 'etpay', order: 'x'.repeat(70_000) }),
    });
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ error: { code: 'payload_too_large' } });
    expect(await server.store.listSessions()).toEqual([]);
  });

  it('ends the connection with a 413 for a body over the limit, so a client reusing it loses nothing', async () => {
    server = await startTestServer();
    const { port } = new URL(server.url);
    // One kept-alive connection, as curl, Node's fetch or a load balancer's pool would reuse.
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const send = (path: string, body: string) =>
      new Promise<{ status?: number; connection?: string; error?: string }>((resolve) => {
        const request = http.request(
          {
            agent,
            host: '127.0.0.1',
            port,
            method: 'POST',
            path,
            headers: { 'content-type': 'application/json' },
          },
          (response) => {
            response.resume();
            response.on('end', () =>
              resolve({ status: response.statusCode, connection: response.headers.connection }),
            );
          },
        );
        request.on('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code }));
        request.end(body);
      });
    try {
      const huge = await send('/webhooks/etpay', JSON.stringify({ payment: 'x'.repeat(2_000_000) }));
      expect(huge).toEqual({ status: 413, connection: 'close' });
      const next = await send('/webhooks/etpay', '{"payment":"a.b.c"}');
      expect(next.status).toBe(400);
    } finally {
      agent.destroy();
    }
  });

  it('rate-limits session creation per client IP with Retry-After', async () => {
    server = await startTestServer({ options: { rateLimits: { create: { limit: 2, windowMs: 60_000 } } } });
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await server.createSession('etpay')).status);
    expect(statuses).toEqual([201, 201, 429]);
    const limited = await server.createSession('etpay');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await limited.json()).toMatchObject({ error: { code: 'rate_limited' } });
    expect(await server.store.listSessions()).toHaveLength(2);
  });

  it('rate-limits status reads per client IP', async () => {
    server = await startTestServer({ options: { rateLimits: { read: { limit: 3, windowMs: 60_000 } } } });
    const { id } = (await (await server.createSession('etpay')).json()) as { id: string };
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await fetch(`${server.url}/api/sessions/${id}`)).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
  });
});

describe('status reads and the in-memory session cache', () => {
  it('shows a change written by another process to the shared store when the cache is off', async () => {
    server = await startTestServer({ options: { sessionCacheSize: 0 } });
    const { id } = (await (await server.createSession('etpay')).json()) as { id: string };
    await server.store.applyObservation(id, {
      statuses: ['paid'],
      source: 'admin',
      providerStatus: 'success',
      dedupeKey: null,
      at: new Date().toISOString(),
    });
    const body = (await (await fetch(`${server.url}/api/sessions/${id}`)).json()) as { status: string };
    expect(body.status).toBe('paid');
  });

  it('answers status reads with no-store JSON', async () => {
    server = await startTestServer();
    const { id } = (await (await server.createSession('etpay')).json()) as { id: string };
    const response = await fetch(`${server.url}/api/sessions/${id}`);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response.headers.get('cache-control')).toBe('no-store');
  });
});
