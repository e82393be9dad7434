// The behaviour every Store must have (SQLite now, PostgreSQL later): one suite, run per backend.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PaymentSession } from '../../server/core/session.js';
import type { Store } from '../../server/store/store.js';
import { makeSession, observation, type StoreHandle } from './store-contract.fixture.js';
import { describeObservationContract } from './store-contract-observations.js';

export type { StoreHandle } from './store-contract.fixture.js';

export function describeStoreContract(name: string, open: () => Promise<StoreHandle>): void {
  describe(`Store contract: ${name}`, () => {
    let handle: StoreHandle;
    let store: Store;

    beforeEach(async () => {
      handle = await open();
      store = handle.store;
    });
    afterEach(async () => {
      await handle.cleanup();
    });

    /** Creates a session and returns it as stored. */
    async function created(overrides: Partial<PaymentSession> = {}): Promise<PaymentSession> {
      const session = makeSession(overrides);
      await store.createSession(session);
      return session;
    }

    describe('sessions', () => {
      it('round-trips every field, including items, a wallet action and a provider secret', async () => {
        const session = await created({
          providerSecret: 'sig-secret',
          items: [{ name: 'Único', amount: 1 }],
        });
        expect(await store.getSession(session.id)).toEqual(session);
        expect(await store.findByProviderRef('tpaga', session.providerRef!)).toEqual(session);
      });

      it('round-trips a redirect action', async () => {
        const session = await created({
          provider: 'etpay',
          currency: 'CLP',
          action: { type: 'redirect', url: 'https://pmt.example/session/abc' },
        });
        expect(await store.getSession(session.id)).toEqual(session);
        expect(await store.findByProviderRef('etpay', session.providerRef!)).toEqual(session);
      });

      it('round-trips nulls and empty items', async () => {
        const session = await created({
          description: null,
          items: [],
          customerEmail: null,
          returnUrl: null,
          expiresAt: null,
          action: null,
          providerRef: null,
          providerSecret: null,
          providerStatus: null,
          nextCheckAt: null,
        });
        expect(await store.getSession(session.id)).toEqual(session);
      });

      it('answers undefined for unknown ids and refs', async () => {
        const session = await created();
        expect(await store.getSession('ps_nope')).toBeUndefined();
        expect(await store.findByProviderRef('tpaga', 'pr-nope')).toBeUndefined();
        // The ref belongs to tpaga: looking it up under etpay finds nothing.
        expect(await store.findByProviderRef('etpay', session.providerRef!)).toBeUndefined();
      });

      it('rejects a duplicate id and a duplicate provider ref', async () => {
        const session = await created();
        await expect(store.createSession(session)).rejects.toThrow();
        await expect(
          store.createSession(makeSession({ providerRef: session.providerRef })),
        ).rejects.toThrow();
      });

      it('attachProvider stores what the provider answered', async () => {
        const session = await created({
          providerRef: null,
          action: null,
          expiresAt: null,
          providerStatus: null,
        });
        const attached = await store.attachProvider(session.id, {
          providerRef: 'tok-123',
          providerSecret: 'sig-456',
          action: { type: 'redirect', url: 'https://pmt.example/tok-123' },
          expiresAt: '2025-01-01T00:20:00.000Z',
          providerStatus: 'created',
          updatedAt: '2025-01-01T00:00:01.000Z',
        });
        const expected: PaymentSession = {
          ...session,
          providerRef: 'tok-123',
          providerSecret: 'sig-456',
          action: { type: 'redirect', url: 'https://pmt.example/tok-123' },
          expiresAt: '2025-01-01T00:20:00.000Z',
          providerStatus: 'created',
          updatedAt: '2025-01-01T00:00:01.000Z',
        };
        expect(attached).toEqual(expected);
        expect(await store.findByProviderRef('tpaga', 'tok-123')).toEqual(expected);
      });

      it('attachProvider rejects an unknown session', async () => {
        await expect(
          store.attachProvider('ps_nope', {
            providerRef: 'x',
            providerSecret: null,
            action: { type: 'redirect', url: 'https://x.example' },
            expiresAt: null,
            providerStatus: null,
            updatedAt: '2025-01-01T00:00:00.000Z',
          }),
        ).rejects.toThrow();
      });
    });

    describeObservationContract(() => store);

    describe('reconciliation schedule', () => {
      it('lists pending sessions due at or before now, oldest check first, up to limit', async () => {
        const late = await created({ nextCheckAt: '2025-01-01T00:03:00.000Z' });
        const early = await created({ nextCheckAt: '2025-01-01T00:01:00.000Z' });
        const exact = await created({ nextCheckAt: '2025-01-01T00:05:00.000Z' });
        await created({ nextCheckAt: '2025-01-01T00:06:00.000Z' });
        await created({ nextCheckAt: null });
        const paid = await created({ nextCheckAt: '2025-01-01T00:00:30.000Z' });
        await store.applyObservation(paid.id, observation(['paid']));
        const now = '2025-01-01T00:05:00.000Z';
        expect((await store.dueForReconciliation(now, 10)).map((s) => s.id)).toEqual([
          early.id,
          late.id,
          exact.id,
        ]);
        expect((await store.dueForReconciliation(now, 2)).map((s) => s.id)).toEqual([early.id, late.id]);
      });

      it('scheduleCheck sets nextCheckAt and checkAttempts', async () => {
        const session = await created({ nextCheckAt: '2025-01-01T00:01:00.000Z' });
        await store.scheduleCheck(session.id, '2025-01-01T00:10:00.000Z', 3);
        expect(await store.getSession(session.id)).toMatchObject({
          nextCheckAt: '2025-01-01T00:10:00.000Z',
          checkAttempts: 3,
          updatedAt: session.updatedAt,
        });
        expect(await store.dueForReconciliation('2025-01-01T00:05:00.000Z', 10)).toEqual([]);
        await store.scheduleCheck(session.id, null, 4);
        expect(await store.getSession(session.id)).toMatchObject({ nextCheckAt: null, checkAttempts: 4 });
        expect(await store.dueForReconciliation('2030-01-01T00:00:00.000Z', 10)).toEqual([]);
      });
    });

    describe('idempotency keys', () => {
      const record = (key: string, overrides = {}) => ({
        key,
        fingerprint: 'fp-1',
        sessionId: null,
        response: null,
        createdAt: '2025-01-01T00:00:00.000Z',
        ...overrides,
      });

      it('the first claim creates; a second returns the stored record', async () => {
        const first = await store.claimIdempotencyKey(record('k'));
        expect(first).toEqual({ record: record('k'), created: true });
        const second = await store.claimIdempotencyKey(record('k', { fingerprint: 'fp-2' }));
        expect(second).toEqual({ record: record('k'), created: false });
      });

      it('ten concurrent claims create exactly one', async () => {
        const results = await Promise.all(
          Array.from({ length: 10 }, (_, i) =>
            store.claimIdempotencyKey(record('race', { fingerprint: `fp-${i}` })),
          ),
        );
        expect(results.filter((r) => r.created)).toHaveLength(1);
        const winner = results.find((r) => r.created)!.record.fingerprint;
        for (const r of results) expect(r.record.fingerprint).toBe(winner);
      });

      it('complete stores the response; release frees the key', async () => {
        const session = await created();
        await store.claimIdempotencyKey(record('c'));
        const response = { status: 201, body: { id: session.id, nested: { n: 1 }, list: [true, null] } };
        await store.completeIdempotencyKey('c', session.id, response);
        expect((await store.claimIdempotencyKey(record('c'))).record).toEqual(
          record('c', { sessionId: session.id, response }),
        );

        await store.claimIdempotencyKey(record('r'));
        await store.releaseIdempotencyKey('r');
        expect((await store.claimIdempotencyKey(record('r', { fingerprint: 'fp-new' }))).created).toBe(true);
        await store.releaseIdempotencyKey('never-claimed');
      });

      it('purges keys older than a cutoff and counts them', async () => {
        await store.claimIdempotencyKey(record('old1', { createdAt: '2025-01-01T00:00:00.000Z' }));
        await store.claimIdempotencyKey(record('old2', { createdAt: '2025-01-01T10:00:00.000Z' }));
        await store.claimIdempotencyKey(record('new', { createdAt: '2025-01-02T00:00:00.000Z' }));
        expect(await store.purgeIdempotencyKeys('2025-01-02T00:00:00.000Z')).toBe(2);
        expect((await store.claimIdempotencyKey(record('old1'))).created).toBe(true);
        expect((await store.claimIdempotencyKey(record('new'))).created).toBe(false);
      });
    });

    describe('listSessions', () => {
      async function seed(): Promise<PaymentSession[]> {
        const sessions: PaymentSession[] = [];
        for (let i = 0; i < 7; i++) {
          // Two share a createdAt, so the id breaks the tie.
          const minute = i === 4 ? 3 : i;
          sessions.push(await created({ createdAt: `2025-01-01T00:0${minute}:00.000Z`, id: `ps_list${i}` }));
        }
        await store.applyObservation('ps_list1', observation(['paid']));
        await store.applyObservation('ps_list5', observation(['paid']));
        return sessions;
      }

      it('lists newest first, filters by status and limits', async () => {
        await seed();
        const all = await store.listSessions();
        expect(all.map((s) => s.id)).toEqual([
          'ps_list6',
          'ps_list5',
          'ps_list4',
          'ps_list3',
          'ps_list2',
          'ps_list1',
          'ps_list0',
        ]);
        expect((await store.listSessions({ status: 'paid' })).map((s) => s.id)).toEqual([
          'ps_list5',
          'ps_list1',
        ]);
        expect(await store.listSessions({ status: 'refunded' })).toEqual([]);
        expect((await store.listSessions({ limit: 2 })).map((s) => s.id)).toEqual(['ps_list6', 'ps_list5']);
      });

      it('paginates with before, across the createdAt tie', async () => {
        await seed();
        const pages: string[][] = [];
        let before: string | undefined;
        for (;;) {
          const page = await store.listSessions(before ? { limit: 3, before } : { limit: 3 });
          if (page.length === 0) break;
          pages.push(page.map((s) => s.id));
          before = page.at(-1)!.id;
        }
        expect(pages).toEqual([
          ['ps_list6', 'ps_list5', 'ps_list4'],
          ['ps_list3', 'ps_list2', 'ps_list1'],
          ['ps_list0'],
        ]);
        expect(
          (await store.listSessions({ status: 'pending', before: 'ps_list4' })).map((s) => s.id),
        ).toEqual(['ps_list3', 'ps_list2', 'ps_list0']);
      });

      it('defaults to 50 and takes a larger limit', async () => {
        for (let i = 0; i < 55; i++) await created({ providerRef: null });
        expect(await store.listSessions()).toHaveLength(50);
        expect(await store.listSessions({ limit: 10_000 })).toHaveLength(55);
      });
    });

    it('ping answers true', async () => {
      expect(await store.ping()).toBe(true);
    });

    it('keeps everything across close and reopen', async () => {
      if (!handle.reopen) return;
      const session = await created();
      await store.applyObservation(session.id, observation(['paid', 'refunded'], { dedupeKey: 'persist' }));
      await store.claimIdempotencyKey({
        key: 'persist',
        fingerprint: 'fp',
        sessionId: null,
        response: null,
        createdAt: '2025-01-01T00:00:00.000Z',
      });
      await store.completeIdempotencyKey('persist', session.id, { status: 201, body: { id: session.id } });
      const before = {
        session: await store.getSession(session.id),
        events: await store.listEvents(session.id),
      };
      store = await handle.reopen();
      expect(await store.getSession(session.id)).toEqual(before.session);
      expect(await store.listEvents(session.id)).toEqual(before.events);
      const claim = await store.claimIdempotencyKey({
        key: 'persist',
        fingerprint: 'other',
        sessionId: null,
        response: null,
        createdAt: '2025-01-03T00:00:00.000Z',
      });
      expect(claim).toMatchObject({ created: false, record: { fingerprint: 'fp', sessionId: session.id } });
      // The dedupe key survived too.
      expect(
        (await store.applyObservation(session.id, observation(['paid'], { dedupeKey: 'persist' }))).events,
      ).toEqual([]);
    });
  });
}
