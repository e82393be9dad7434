// Hostile input on every public route (issue 13, "Hostile input"): random paths, ids, queries,
// bodies, content types and credentials. Whatever arrives: never a 5xx, never a hang, an API or
// webhook error always in the `{ error: { code, message } }` shape, and nothing stored changes.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminToken, startTestServer, type TestServer } from './app.fixture.js';
import { created } from './flows.fixture.js';

let server: TestServer;
let known: string[] = [];
beforeAll(async () => {
  server = await startTestServer({
    options: {
      // The limits answer 429, which is fine, but would leave little else to test.
      rateLimits: {
        create: { limit: 1_000_000, windowMs: 60_000 },
        read: { limit: 1_000_000, windowMs: 60_000 },
        hints: { perSession: 1_000_000, perAddress: 1_000_000, windowMs: 60_000 },
      },
    },
  });
  known = [(await created(server, 'etpay')).id, (await created(server, 'tpaga', { currency: 'COP' })).id];
});
afterAll(() => server.close());

/** What is stored: every session with its status and history, and every notification. */
async function snapshot() {
  const sessions = await server.store.listSessions();
  return {
    sessions: sessions.map((s) => [s.id, s.status, s.amount, s.currency]),
    events: await Promise.all(sessions.map((s) => server.store.listEvents(s.id))),
    notifications: (await server.store.listNotifications()).length,
  };
}

const oddText = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.constantFrom(
    '',
    '..',
    '%00',
    '%2e%2e%2f',
    'ps_',
    `ps_${'A'.repeat(22)}`,
    'null',
    '<script>',
    "' OR 1=1 --",
    '\u202e',
    'x'.repeat(3000),
  ),
);
const segment = oddText.map((text) => encodeURIComponent(text));
const id = fc.oneof(fc.constantFrom(...['ps_known0', 'ps_known1']), segment);
const token = fc.oneof(
  segment,
  fc
    .string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 72, maxLength: 72 })
    .map((hex: string) => `pr-${hex}`),
);

/** A route, its method, and whether its errors are JSON. Ids may be ones that exist. */
const route = fc.oneof(
  fc.constant({ method: 'POST', path: '/api/sessions', json: true }),
  id.map((i) => ({ method: 'GET', path: `/api/sessions/${i}`, json: true })),
  segment.map((i) => ({ method: 'GET', path: `/api/sessions/${i}/events`, json: true })),
  id.map((i) => ({ method: 'GET', path: `/api/sessions/${i}/qr.svg`, json: true })),
  fc.constant({ method: 'POST', path: '/webhooks/etpay', json: true }),
  token.map((t) => ({ method: 'POST', path: `/webhooks/tpaga/${t}`, json: true })),
  id.map((i) => ({ method: 'GET', path: `/return/${i}`, json: false })),
  fc.constant({ method: 'GET', path: '/api/admin/sessions', json: true }),
  fc.constant({ method: 'GET', path: '/api/admin/events', json: true }),
  id.map((i) => ({ method: 'GET', path: `/api/admin/sessions/${i}`, json: true })),
  segment.map((i) => ({ method: 'GET', path: `/api/admin/events/${i}`, json: true })),
  fc
    .tuple(segment, fc.constantFrom('deliver', 'refund', 'cancel', 'sync'))
    .map(([i, op]) => ({ method: 'POST', path: `/api/admin/sessions/${i}/${op}`, json: true })),
  segment.map((i) => ({ method: 'POST', path: `/api/admin/events/${i}/redeliver`, json: true })),
  fc
    .tuple(fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH'), segment)
    .map(([method, s]) => ({ method, path: `/api/${s}`, json: true })),
);

const query = fc.dictionary(
  fc.constantFrom(
    'jwt',
    'status',
    'provider',
    'limit',
    'after',
    'awaiting_delivery',
    'q',
    'from',
    'to',
    'order_id',
  ),
  oddText,
  { maxKeys: 4 },
);

const body = fc.oneof(
  fc.constant(undefined),
  fc.json({ maxDepth: 3 }),
  fc.string({ maxLength: 200 }),
  fc
    .record(
      {
        provider: fc.oneof(fc.constantFrom('etpay', 'tpaga', 'ETPAY', 'paypal'), fc.anything()),
        order: fc.oneof(oddText, fc.anything()),
        orderId: fc.oneof(oddText, fc.anything()),
        payment: fc.oneof(oddText, fc.anything()),
        amount: fc.oneof(fc.integer(), fc.double(), fc.string()),
      },
      { requiredKeys: [] },
    )
    .map((value) => JSON.stringify(value)),
);

const headers = fc.record(
  {
    'content-type': fc.constantFrom(
      'application/json',
      'text/plain',
      'application/x-www-form-urlencoded',
      'application/json; charset=latin1',
      '',
    ),
    authorization: fc.oneof(
      fc.constant(`Bearer ${adminToken}`),
      fc.constant(`Bearer ${'x'.repeat(adminToken.length)}`),
      oddText.map((text) => `Bearer ${text.replace(/[^\x20-\x7e]/g, '')}`),
      fc.constant('Basic Og=='),
    ),
    origin: fc.constantFrom('https://evil.example', 'null', 'http://localhost:3000'),
    'idempotency-key': oddText.map((text) => text.replace(/[^\x20-\x7e]/g, '')),
    'x-forwarded-for': fc.constantFrom('1.2.3.4', '::1, 10.0.0.1', 'garbage', ''),
  },
  { requiredKeys: [] },
);

describe('hostile input on every public route', () => {
  it('is answered with a 4xx in the error shape (or a normal answer), never a 5xx or a hang, and changes nothing', async () => {
    const before = await snapshot();
    const codes = new Set<string>();
    await fc.assert(
      fc.asyncProperty(route, query, body, headers, async (target, params, payload, sent) => {
        // A valid admin token may only read: an action on a real session is a change by design.
        const safeHeaders =
          target.method !== 'GET' && sent.authorization === `Bearer ${adminToken}`
            ? { ...sent, authorization: 'Bearer nope' }
            : sent;
        const path = target.path.replace(/ps_known(\d)/, (_, n: string) => known[Number(n)]!);
        const search = new URLSearchParams(params as Record<string, string>).toString();
        const response = await fetch(`${server.url}${path}${search ? `?${search}` : ''}`, {
          method: target.method,
          headers: safeHeaders,
          redirect: 'manual',
          signal: AbortSignal.timeout(15_000),
          ...(payload !== undefined && target.method !== 'GET' && { body: payload }),
        });
        const text = await response.text();
        expect(response.status, `${target.method} ${path}: ${text.slice(0, 200)}`).toBeLessThan(500);
        if (sent.origin === 'https://evil.example') {
          expect(response.headers.get('access-control-allow-origin')).toBeNull();
        }
        if (response.status >= 400 && target.json) {
          const parsed = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
          expect(typeof parsed.error?.code, `${target.method} ${path}: ${text}`).toBe('string');
          expect(typeof parsed.error?.message).toBe('string');
          expect(Object.keys(parsed)).toEqual(['error']);
          codes.add(parsed.error!.code as string);
        }
      }),
      { numRuns: 400 },
    );
    expect(await snapshot()).toEqual(before);
    // The input reached the handlers, not only the router: their own refusals were seen.
    for (const code of ['session_not_found', 'unauthorized', 'invalid_notification', 'not_found']) {
      expect(codes, [...codes].join(', ')).toContain(code);
    }
    expect(codes.size).toBeGreaterThanOrEqual(6);
  }, 120_000);
});
