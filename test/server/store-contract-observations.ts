// The status-machine half of the store contract: applyObservation and the event history.
import { describe, expect, it } from 'vitest';
import type { PaymentSession } from '../../server/core/session.js';
import type { Store } from '../../server/store/store.js';
import { createdIn, observation } from './store-contract.fixture.js';

/** Registers the applyObservation tests; `getStore` answers the store of the current test. */
export function describeObservationContract(getStore: () => Store): void {
  const created = (overrides: Partial<PaymentSession> = {}) => createdIn(getStore(), overrides);

  describe('applyObservation', () => {
    it('moves forward and records the event with every field', async () => {
      const session = await created();
      const result = await getStore().applyObservation(
        session.id,
        observation(['paid'], {
          dedupeKey: 'k1',
          providerStatus: 'success',
          detail: { payment_token: 'pt' },
        }),
      );
      expect(result.changed).toBe(true);
      expect(result.session).toMatchObject({
        status: 'paid',
        providerStatus: 'success',
        updatedAt: '2025-01-01T00:05:00.000Z',
        nextCheckAt: null,
      });
      expect(result.events).toEqual([
        {
          id: expect.any(Number),
          sessionId: session.id,
          at: '2025-01-01T00:05:00.000Z',
          source: 'webhook',
          from: 'pending',
          to: 'paid',
          providerStatus: 'success',
          dedupeKey: 'k1',
          detail: { payment_token: 'pt' },
        },
      ]);
      expect(await getStore().getSession(session.id)).toEqual(result.session);
      expect(await getStore().listEvents(session.id)).toEqual(result.events);

      const delivered = await getStore().applyObservation(
        session.id,
        observation(['delivered'], { source: 'admin' }),
      );
      expect(delivered.changed).toBe(true);
      expect(delivered.session.status).toBe('delivered');
      expect(delivered.events[0]).toMatchObject({
        from: 'paid',
        to: 'delivered',
        source: 'admin',
        detail: {},
      });
    });

    it('a duplicate dedupeKey changes and stores nothing, whatever it says', async () => {
      const session = await created();
      const first = await getStore().applyObservation(
        session.id,
        observation(['paid'], { dedupeKey: 'same' }),
      );
      const again = await getStore().applyObservation(
        session.id,
        observation(['refunded'], {
          dedupeKey: 'same',
          source: 'reconcile',
          providerStatus: 'reverted',
          at: '2025-01-01T01:00:00.000Z',
        }),
      );
      expect(again).toEqual({ session: first.session, events: [], changed: false, notifications: [] });
      expect(await getStore().getSession(session.id)).toEqual(first.session);
      expect(await getStore().listEvents(session.id)).toEqual(first.events);
    });

    it('a repeat without a dedupeKey is recorded again but changes nothing', async () => {
      const session = await created();
      const first = await getStore().applyObservation(session.id, observation(['paid']));
      const again = await getStore().applyObservation(
        session.id,
        observation(['paid'], { at: '2025-01-01T00:09:00.000Z' }),
      );
      expect(again.changed).toBe(false);
      expect(again.session).toEqual(first.session);
      expect(again.events).toMatchObject([{ from: 'paid', to: 'paid', at: '2025-01-01T00:09:00.000Z' }]);
      expect(await getStore().listEvents(session.id)).toHaveLength(2);
    });

    it("an observation with no statuses (a provider's `created`) stores and changes nothing", async () => {
      const session = await created();
      const result = await getStore().applyObservation(
        session.id,
        observation([], { providerStatus: 'created', dedupeKey: 'pr-1:created' }),
      );
      expect(result).toEqual({ session, events: [], changed: false, notifications: [] });
      expect(await getStore().listEvents(session.id)).toEqual([]);
    });

    it('the same dedupeKey on another session is not a duplicate', async () => {
      const a = await created();
      const b = await created();
      await getStore().applyObservation(a.id, observation(['paid'], { dedupeKey: 'shared' }));
      const result = await getStore().applyObservation(b.id, observation(['paid'], { dedupeKey: 'shared' }));
      expect(result.changed).toBe(true);
    });

    it('failed after paid changes nothing but is recorded', async () => {
      const session = await created();
      const paid = await getStore().applyObservation(session.id, observation(['paid']));
      const late = await getStore().applyObservation(
        session.id,
        observation(['failed'], { providerStatus: 'failed', at: '2025-01-01T02:00:00.000Z' }),
      );
      expect(late.changed).toBe(false);
      expect(late.session).toEqual(paid.session);
      expect(late.events).toHaveLength(1);
      expect(late.events[0]).toMatchObject({ from: 'paid', to: 'paid', providerStatus: 'failed' });
      expect(await getStore().getSession(session.id)).toEqual(paid.session);
    });

    it('money wins: paid after expired is applied', async () => {
      const session = await created();
      await getStore().applyObservation(session.id, observation(['expired'], { source: 'reconcile' }));
      const paid = await getStore().applyObservation(
        session.id,
        observation(['paid'], { dedupeKey: 'late' }),
      );
      expect(paid.changed).toBe(true);
      expect(paid.session.status).toBe('paid');
      expect(paid.events[0]).toMatchObject({ from: 'expired', to: 'paid' });
    });

    it('[paid, refunded] from pending stores two events, the key on the first only', async () => {
      const session = await created();
      const result = await getStore().applyObservation(
        session.id,
        observation(['paid', 'refunded'], { providerStatus: 'reverted', dedupeKey: 'rev' }),
      );
      expect(result.changed).toBe(true);
      expect(result.session.status).toBe('refunded');
      expect(result.events.map((e) => [e.from, e.to, e.dedupeKey])).toEqual([
        ['pending', 'paid', 'rev'],
        ['paid', 'refunded', null],
      ]);
      expect(result.events[0]!.id).toBeLessThan(result.events[1]!.id);
    });

    it('a final status clears nextCheckAt; an unchanged one keeps it', async () => {
      const session = await created({ nextCheckAt: '2025-01-01T00:02:00.000Z' });
      const same = await getStore().applyObservation(session.id, observation(['pending']));
      expect(same.changed).toBe(false);
      expect(same.session.nextCheckAt).toBe('2025-01-01T00:02:00.000Z');
      const failed = await getStore().applyObservation(session.id, observation(['failed']));
      expect(failed.session.nextCheckAt).toBeNull();
    });

    it('updatedAt and providerStatus move only on a change', async () => {
      const session = await created();
      const unchanged = await getStore().applyObservation(
        session.id,
        observation(['pending'], { providerStatus: 'created', at: '2025-01-01T00:03:00.000Z' }),
      );
      expect(unchanged.session.updatedAt).toBe(session.updatedAt);
      const paid = await getStore().applyObservation(
        session.id,
        observation(['paid'], { providerStatus: 'paid', at: '2025-01-01T00:04:00.000Z' }),
      );
      expect(paid.session.updatedAt).toBe('2025-01-01T00:04:00.000Z');
      const dup = await getStore().applyObservation(
        session.id,
        observation(['paid'], { providerStatus: 'paid-again', at: '2025-01-01T00:09:00.000Z' }),
      );
      expect(dup.session.updatedAt).toBe('2025-01-01T00:04:00.000Z');
      expect(dup.session.providerStatus).toBe('paid');
    });

    it('lists events in order with from/to/source/providerStatus/detail', async () => {
      const session = await created();
      await getStore().applyObservation(
        session.id,
        observation(['pending'], { source: 'create', providerStatus: 'created' }),
      );
      await getStore().applyObservation(
        session.id,
        observation(['paid'], {
          source: 'return',
          providerStatus: 'success',
          detail: { payment_token: 'p1' },
        }),
      );
      await getStore().applyObservation(
        session.id,
        observation(['refunded'], { source: 'admin', providerStatus: null }),
      );
      const events = await getStore().listEvents(session.id);
      expect(
        events.map(({ from, to, source, providerStatus, detail }) => ({
          from,
          to,
          source,
          providerStatus,
          detail,
        })),
      ).toEqual([
        { from: 'pending', to: 'pending', source: 'create', providerStatus: 'created', detail: {} },
        {
          from: 'pending',
          to: 'paid',
          source: 'return',
          providerStatus: 'success',
          detail: { payment_token: 'p1' },
        },
        { from: 'paid', to: 'refunded', source: 'admin', providerStatus: null, detail: {} },
      ]);
      expect(await getStore().listEvents('ps_nope')).toEqual([]);
    });

    it('ten concurrent observations with one dedupeKey store one event', async () => {
      const session = await created();
      const results = await Promise.all(
        Array.from({ length: 10 }, () =>
          getStore().applyObservation(session.id, observation(['paid'], { dedupeKey: 'race' })),
        ),
      );
      expect(results.filter((r) => r.changed)).toHaveLength(1);
      expect(results.flatMap((r) => r.events)).toHaveLength(1);
      expect(await getStore().listEvents(session.id)).toHaveLength(1);
    });

    it('rejects an unknown session, naming it, and stores nothing', async () => {
      await expect(getStore().applyObservation('ps_nope', observation(['paid']))).rejects.toThrow(/ps_nope/);
      expect(await getStore().listEvents('ps_nope')).toEqual([]);
    });
  });
}
