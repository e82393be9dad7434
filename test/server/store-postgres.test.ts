// The store contract against a real PostgreSQL (PASARELA_TEST_DATABASE_URL), plus what only a
// database shared by several processes has: migrations run once by instances starting together,
// changes heard through LISTEN/NOTIFY, claims split between concurrent claimers.
import { afterEach, describe, expect, it } from 'vitest';
import { openPostgresStore } from '../../server/store/postgres/index.js';
import type { Store } from '../../server/store/store.js';
import { freshSchema, skipReason, testDatabaseUrl } from './helpers/postgres.js';
import { createdIn, observation } from './store-contract.fixture.js';
import { describeStoreContract } from './store-contract.js';

if (!testDatabaseUrl) {
  describe('PostgreSQL store', () => {
    it.skip(skipReason, () => undefined);
  });
} else {
  describeStoreContract('PostgreSQL', async () => {
    const schema = await freshSchema();
    let store = await openPostgresStore({ url: schema.url });
    return {
      get store() {
        return store;
      },
      reopen: async () => {
        await store.close();
        store = await openPostgresStore({ url: schema.url });
        return store;
      },
      cleanup: async () => {
        await store.close();
        await schema.drop();
      },
    };
  });

  describe('PostgreSQL store specifics', () => {
    const cleanups: (() => Promise<void>)[] = [];
    afterEach(async () => {
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    });

    async function instances(count: number): Promise<Store[]> {
      const schema = await freshSchema();
      cleanups.push(schema.drop);
      // Started together: the advisory lock lets one migrate while the others wait.
      const stores = await Promise.all(
        Array.from({ length: count }, () => openPostgresStore({ url: schema.url })),
      );
      for (const store of stores) cleanups.push(() => store.close());
      return stores;
    }

    it('migrates once when three instances start at the same time, and reopens without migrating', async () => {
      const [a, b, c] = await instances(3);
      const session = await createdIn(a!);
      expect(await b!.getSession(session.id)).toEqual(session);
      expect(await c!.getSession(session.id)).toEqual(session);
    });

    it('decides a duplicate payment under the order’s lock when two instances apply payments at once', async () => {
      const [a, b] = await instances(2);
      for (let round = 0; round < 10; round++) {
        const first = await createdIn(a!, { orderId: `order-race-${round}` });
        const second = await createdIn(a!, { orderId: `order-race-${round}` });
        await Promise.all([
          a!.applyObservation(first.id, observation(['paid'])),
          b!.applyObservation(second.id, observation(['paid'])),
        ]);
        const flags = [
          (await a!.getSession(first.id))!.duplicate,
          (await a!.getSession(second.id))!.duplicate,
        ];
        expect(flags.filter(Boolean), `round ${round}`).toHaveLength(1);
      }
    });

    it('stores one transition and one notification when instances apply the same verified answer at once', async () => {
      const stores = await instances(3);
      const session = await createdIn(stores[0]!);
      const results = await Promise.all(
        stores.map((store) =>
          store.applyObservation(
            session.id,
            observation(['paid'], { dedupeKey: 'same-payment', announce: [{ name: 'hook:onStatusChange' }] }),
          ),
        ),
      );
      expect(results.filter((r) => r.changed)).toHaveLength(1);
      expect((await stores[0]!.listEvents(session.id)).filter((e) => e.to === 'paid')).toHaveLength(1);
      expect(await stores[1]!.listNotifications({ sessionId: session.id })).toHaveLength(1);
    });

    it('tells every instance of a change, with the session id and its updatedAt', async () => {
      const [a, b] = await instances(2);
      const heard: string[] = [];
      let ready = 0;
      const stop = b!.watchSessions!(
        (id, updatedAt) => heard.push(`${id} ${updatedAt}`),
        () => undefined,
      );
      cleanups.push(async () => stop());
      const session = await createdIn(a!);
      // LISTEN is set up in the background: keep changing sessions until one is heard.
      const deadline = Date.now() + 15_000;
      while (heard.length === 0 && Date.now() < deadline) {
        const probe = await createdIn(a!);
        await a!.applyObservation(probe.id, observation(['failed'], { at: new Date().toISOString() }));
        ready++;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(ready).toBeGreaterThan(0);
      const result = await a!.applyObservation(
        session.id,
        observation(['paid'], { at: '2025-01-01T00:07:00.000Z' }),
      );
      const expected = `${session.id} ${result.session.updatedAt}`;
      const until = Date.now() + 15_000;
      while (!heard.includes(expected) && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
      expect(heard).toContain(expected);
    });
  });
}
