// The behaviour every Store must have (SQLite now, PostgreSQL later): one suite, run per backend.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PaymentSession } from '../../server/core/session.js';
import type { Store } from '../../server/store/store.js';
import { createdIn, makeSession, observation, type StoreHandle } from './store-contract.fixture.js';
import { describeIdempotencyContract } from './store-contract-idempotency.js';
import { describeListingContract } from './store-contract-listing.js';
import { describeObservationContract } from './store-contract-observations.js';
import { describeOutboxContract } from './store-contract-outbox.js';

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

    const created = (overrides: Partial<PaymentSession> = {}) => createdIn(store, overrides);

    describe('sessions', () => {
      it('round-trips every field, including items, a wallet action and a provider secret', async () => {
        const session = await created({
          providerSecret: 'sig-secret',
          items: [{ name: 'Único', amount: 1 }],
        });
        expect(await store.getSession(session.id)).toEqual(session);
        expect(await store.findByProviderRef('tpaga', session.providerRef!)).toEqual(session);
      });

      it('round-trips the largest safe amount, a final status and a check count', async () => {
        const session = await created({
          amount: Number.MAX_SAFE_INTEGER,
          status: 'delivered',
          checkAttempts: 7,
          items: [{ name: 'Pack "grande" \u{1F4E6}', quantity: 3, amount: Number.MAX_SAFE_INTEGER }],
        });
        expect(await store.getSession(session.id)).toEqual(session);
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

      it('allows any number of sessions without a ref, and one ref under each provider', async () => {
        await created({ providerRef: null });
        await created({ providerRef: null });
        const tpaga = await created({ providerRef: 'same-ref' });
        const etpay = await created({ provider: 'etpay', currency: 'CLP', providerRef: 'same-ref' });
        expect(await store.findByProviderRef('tpaga', 'same-ref')).toEqual(tpaga);
        expect(await store.findByProviderRef('etpay', 'same-ref')).toEqual(etpay);
      });

      it('attachProvider stores what the provider answered, with the first check, in one write', async () => {
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
          nextCheckAt: '2025-01-01T00:01:01.000Z',
        });
        const expected: PaymentSession = {
          ...session,
          providerRef: 'tok-123',
          providerSecret: 'sig-456',
          action: { type: 'redirect', url: 'https://pmt.example/tok-123' },
          expiresAt: '2025-01-01T00:20:00.000Z',
          providerStatus: 'created',
          updatedAt: '2025-01-01T00:00:01.000Z',
          nextCheckAt: '2025-01-01T00:01:01.000Z',
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
            nextCheckAt: null,
          }),
        ).rejects.toThrow();
      });
    });

    describeObservationContract(() => store);

    describeListingContract(() => store);
    describeIdempotencyContract(() => store);
    describeOutboxContract(() => store);

    it('ping answers true', async () => {
      expect(await store.ping()).toBe(true);
    });

    it('close resolves, twice too; afterwards ping no longer answers true', async () => {
      await store.close();
      await expect(store.close()).resolves.toBeUndefined();
      expect(await store.ping().catch(() => false)).toBe(false);
    });

    it('keeps everything across close and reopen', async () => {
      if (!handle.reopen) return;
      const session = await created();
      await store.applyObservation(
        session.id,
        observation(['paid', 'refunded'], {
          dedupeKey: 'persist',
          announce: [{ name: 'hook:onStatusChange' }],
        }),
      );
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
        notifications: await store.listNotifications({ sessionId: session.id }),
      };
      expect(before.notifications).toHaveLength(2);
      store = await handle.reopen();
      expect(await store.getSession(session.id)).toEqual(before.session);
      expect(await store.listEvents(session.id)).toEqual(before.events);
      expect(await store.listNotifications({ sessionId: session.id })).toEqual(before.notifications);
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
