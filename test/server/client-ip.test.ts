import fc from 'fast-check';
// The client address behind trusted proxies: the X-Forwarded-For entry the nearest trusted
// proxy added, never one the client wrote itself.
import { Hono } from 'hono';
import { afterEach, describe, expect, it } from 'vitest';
import { clientIpResolver, forwardedFor } from '../../server/middleware/client-ip.js';
import { startTestServer, type TestServer } from './app.fixture.js';

async function resolvedIp(trustProxy: number, forwarded: string | undefined) {
  const app = new Hono();
  const resolve = clientIpResolver({ trustProxy, remoteAddress: () => '10.0.0.9' });
  app.get('/', (c) => c.text(resolve(c) ?? 'none'));
  const response = await app.request(
    '/',
    forwarded === undefined ? {} : { headers: { 'X-Forwarded-For': forwarded } },
  );
  return response.text();
}

describe('clientIpResolver', () => {
  it('takes the rightmost entry behind one proxy: the left ones are the client’s own words', async () => {
    expect(await resolvedIp(1, '198.51.100.8')).toBe('198.51.100.8');
    expect(await resolvedIp(1, '1.2.3.4, 198.51.100.8')).toBe('198.51.100.8');
    expect(await resolvedIp(1, ' 1.2.3.4 ,  198.51.100.8 ')).toBe('198.51.100.8');
  });

  it('counts hops from the right behind several proxies', async () => {
    expect(await resolvedIp(2, '1.2.3.4, 198.51.100.8, 10.1.1.1')).toBe('198.51.100.8');
    expect(await resolvedIp(2, '198.51.100.8, 10.1.1.1')).toBe('198.51.100.8');
  });

  it('ignores the header when no proxy is trusted, and falls back to the socket without one', async () => {
    expect(await resolvedIp(0, '198.51.100.8')).toBe('10.0.0.9');
    expect(await resolvedIp(1, undefined)).toBe('10.0.0.9');
    expect(await resolvedIp(1, ' , ')).toBe('10.0.0.9');
  });
});

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('rate limits behind a proxy', () => {
  it('cannot be dodged by writing a new X-Forwarded-For entry on each request', async () => {
    server = await startTestServer({ env: { PASARELA_TRUST_PROXY: '1' } });
    const statuses: number[] = [];
    for (let i = 0; i < 22; i++) {
      const response = await server.createSession(
        'tpaga',
        { currency: 'COP' },
        {
          'X-Forwarded-For': `1.2.3.${i}, 198.51.100.8`,
        },
      );
      statuses.push(response.status);
      await response.body?.cancel();
    }
    expect(statuses.slice(0, 20).every((s) => s === 201)).toBe(true);
    expect(statuses.slice(20)).toEqual([429, 429]);
  });
});

describe('forwardedFor', () => {
  it('answers what splitting the header would, for any header and number of hops', () => {
    const reference = (header: string, hops: number) => {
      const entries = header
        .split(',')
        .map((entry) => entry.trim())
        .filter(Boolean);
      return entries[Math.max(0, entries.length - hops)];
    };
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('10.0.0.1', ' 203.0.113.9 ', '', ' ', '::1', 'unknown'), { maxLength: 6 }),
        fc.integer({ min: 1, max: 10 }),
        (parts, hops) => {
          const header = parts.join(',');
          expect(forwardedFor(header, hops)).toBe(reference(header, hops));
        },
      ),
      { numRuns: 2_000 },
    );
  });
});
