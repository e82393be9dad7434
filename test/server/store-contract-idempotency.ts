// The idempotency-key half of the store contract: claim, complete, release, purge.
import { describe, expect, it } from 'vitest';
import type { IdempotencyRecord, Store } from '../../server/store/store.js';
import { createdIn } from './store-contract.fixture.js';

function record(key: string, overrides: Partial<IdempotencyRecord> = {}): IdempotencyRecord {
  return {
    key,
    fingerprint: 'fp-1',
    sessionId: null,
    response: null,
    createdAt: '2025-01-01T00:00:00.000Z',
    ...overrides,
  };
}

/** Registers the idempotency-key tests; `getStore` answers the store of the current test. */
export function describeIdempotencyContract(getStore: () => Store): void {
  describe('idempotency keys', () => {
    it('the first claim creates; a second returns the stored record', async () => {
      const first = await getStore().claimIdempotencyKey(record('k'));
      expect(first).toEqual({ record: record('k'), created: true });
      const second = await getStore().claimIdempotencyKey(
        record('k', { fingerprint: 'fp-2', createdAt: '2025-01-01T00:00:09.000Z' }),
      );
      expect(second).toEqual({ record: record('k'), created: false });
    });

    it('ten concurrent claims create exactly one, and all see the winner', async () => {
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          getStore().claimIdempotencyKey(record('race', { fingerprint: `fp-${i}` })),
        ),
      );
      expect(results.filter((r) => r.created)).toHaveLength(1);
      const winner = results.find((r) => r.created)!.record.fingerprint;
      for (const r of results) expect(r.record.fingerprint).toBe(winner);
    });

    it('complete stores the session and the response, nested JSON included', async () => {
      const session = await createdIn(getStore());
      await getStore().claimIdempotencyKey(record('c'));
      const response = { status: 201, body: { id: session.id, nested: { n: 1 }, list: [true, null, 'é'] } };
      await getStore().completeIdempotencyKey('c', session.id, response);
      expect((await getStore().claimIdempotencyKey(record('c'))).record).toEqual(
        record('c', { sessionId: session.id, response }),
      );
    });

    it('release frees the key for a retry; releasing an unknown key is harmless', async () => {
      await getStore().claimIdempotencyKey(record('r'));
      await getStore().releaseIdempotencyKey('r');
      const retry = await getStore().claimIdempotencyKey(record('r', { fingerprint: 'fp-new' }));
      expect(retry).toEqual({ record: record('r', { fingerprint: 'fp-new' }), created: true });
      await expect(getStore().releaseIdempotencyKey('never-claimed')).resolves.toBeUndefined();
    });

    it('purges keys created before a cutoff and counts them', async () => {
      await getStore().claimIdempotencyKey(record('old1', { createdAt: '2025-01-01T00:00:00.000Z' }));
      await getStore().claimIdempotencyKey(record('old2', { createdAt: '2025-01-01T10:00:00.000Z' }));
      await getStore().claimIdempotencyKey(record('new', { createdAt: '2025-01-02T00:00:00.000Z' }));
      expect(await getStore().purgeIdempotencyKeys('2025-01-02T00:00:00.000Z')).toBe(2);
      expect(await getStore().purgeIdempotencyKeys('2025-01-02T00:00:00.000Z')).toBe(0);
      expect((await getStore().claimIdempotencyKey(record('old1'))).created).toBe(true);
      expect((await getStore().claimIdempotencyKey(record('old2'))).created).toBe(true);
      expect((await getStore().claimIdempotencyKey(record('new'))).created).toBe(false);
    });
  });
}
