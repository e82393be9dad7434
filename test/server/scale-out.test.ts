// Instances sharing one PostgreSQL database: sessions, live status, caches and rate limits are
// the same whichever instance a request reaches (no sticky sessions).
import { afterEach, describe, expect, it } from 'vitest';
import { type Cluster, startCluster } from './cluster.fixture.js';
import { eventually } from './helpers/eventually.js';
import { skipReason, testDatabaseUrl } from './helpers/postgres.js';

let cluster: Cluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

async function create(on: string, order: string) {
  const response = await fetch(`${on}/api/sessions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ provider: 'tpaga', order }),
  });
  expect(response.status).toBe(201);
  return (await response.json()) as { id: string; status: string; action: { url: string } };
}

const read = async (on: string, id: string) => (await fetch(`${on}/api/sessions/${id}`)).json();

if (!testDatabaseUrl) {
  describe('scale-out on PostgreSQL', () => {
    it.skip(skipReason, () => undefined);
  });
} else {
  describe('scale-out on PostgreSQL', () => {
    it('serves a session created on one instance, the same, from the others, and keeps their caches current', async () => {
      cluster = await startCluster(3);
      const [a, b, c] = cluster.instances.map((i) => i.url);
      const session = await create(a!, await cluster.order({}));
      const fromA = await read(a!, session.id);
      // B and C cache what they read; the payment is stored by A (Tpaga notifies A).
      expect(await read(b!, session.id)).toEqual(fromA);
      expect(await read(c!, session.id)).toEqual(fromA);
      const wallet = await fetch(session.action.url, {
        method: 'POST',
        body: new URLSearchParams({ action: 'approve' }),
        redirect: 'manual',
      });
      expect(wallet.status).toBe(303);
      expect((await read(a!, session.id)).status).toBe('paid');
      await eventually(async () => (await read(b!, session.id)).status === 'paid', 'B to see paid');
      await eventually(async () => (await read(c!, session.id)).status === 'paid', 'C to see paid');
    });

    it('pushes a change stored by one instance to an event stream on another within a second', async () => {
      cluster = await startCluster(2);
      const [a, b] = cluster.instances.map((i) => i.url);
      const session = await create(a!, await cluster.order({}));
      const stream = await fetch(`${b}/api/sessions/${session.id}/events`);
      const reader = stream.body!.pipeThrough(new TextDecoderStream()).getReader();
      let text = '';
      while (!text.includes('event: status')) text += (await reader.read()).value ?? '';
      const paidAt = Date.now();
      await fetch(session.action.url, {
        method: 'POST',
        body: new URLSearchParams({ action: 'approve' }),
        redirect: 'manual',
      });
      while (!text.includes('"status":"paid"')) {
        const { value, done } = await reader.read();
        if (done) break;
        text += value;
      }
      const latency = Date.now() - paidAt;
      expect(text).toContain('"status":"paid"');
      expect(latency).toBeLessThan(15_000);
      await reader.cancel();
    });

    it('counts rate limits across instances', async () => {
      cluster = await startCluster(2, { rateLimits: { create: { limit: 4, windowMs: 60_000 } } });
      const [a, b] = cluster.instances.map((i) => i.url);
      const statusOf = async (on: string) =>
        (
          await fetch(`${on}/api/sessions`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ provider: 'tpaga', order: await cluster!.order({}) }),
          })
        ).status;
      const shared = async () => {
        const { default: pg } = await import('pg');
        const client = new pg.Client({ connectionString: cluster!.databaseUrl });
        await client.connect();
        try {
          const { rows } = await client.query<{ count: number }>(
            "SELECT coalesce(sum(count), 0)::int AS count FROM rate_limits WHERE key LIKE 'session creation|%'",
          );
          return rows[0]!.count;
        } finally {
          await client.end();
        }
      };
      expect([await statusOf(a!), await statusOf(a!), await statusOf(a!)]).toEqual([201, 201, 201]);
      await eventually(async () => (await shared()) === 3, 'A to share its count');
      expect(await statusOf(b!)).toBe(201);
      await eventually(async () => (await shared()) === 4, 'B to share its count');
      // B now knows the four made on both: the fifth is refused, on either instance.
      expect(await statusOf(b!)).toBe(429);
    });
  });
}
