// The query half of the store contract: the admin list and the reconciliation schedule.
import { describe, expect, it } from 'vitest';
import type { PaymentSession } from '../../server/core/session.js';
import type { Store } from '../../server/store/store.js';
import { createdIn, observation } from './store-contract.fixture.js';

/** Registers the listing and schedule tests; `getStore` answers the store of the current test. */
export function describeListingContract(getStore: () => Store): void {
  const created = (overrides: Partial<PaymentSession> = {}) => createdIn(getStore(), overrides);

  describe('reconciliation schedule', () => {
    it('lists the sessions due at or before now, oldest check first, up to limit', async () => {
      const late = await created({ nextCheckAt: '2025-01-01T00:03:00.000Z' });
      const early = await created({ nextCheckAt: '2025-01-01T00:01:00.000Z' });
      const exact = await created({ nextCheckAt: '2025-01-01T00:05:00.000Z' });
      const later = await created({ nextCheckAt: '2025-01-01T00:06:00.000Z' });
      await created({ nextCheckAt: null });
      // Due by its time, but a final status clears the schedule: it is not reconciled again.
      const paid = await created({ nextCheckAt: '2025-01-01T00:00:30.000Z' });
      await getStore().applyObservation(paid.id, observation(['paid']));
      // An expired session scheduled again (a late look after an unanswered expiry) is due.
      const expired = await created({ status: 'expired', nextCheckAt: '2025-01-01T00:00:10.000Z' });

      const now = '2025-01-01T00:05:00.000Z';
      const lease = '2025-01-01T00:07:00.000Z';
      expect((await getStore().getSession(paid.id))?.nextCheckAt).toBeNull();
      expect((await getStore().claimDueSessions(now, lease, 2)).map((s) => s.id)).toEqual([
        expired.id,
        early.id,
      ]);
      // Claimed ones are left alone until their lease ends; the rest are still there.
      expect((await getStore().claimDueSessions(now, lease, 10)).map((s) => s.id)).toEqual([
        late.id,
        exact.id,
      ]);
      expect(await getStore().claimDueSessions(now, lease, 10)).toEqual([]);
      expect((await getStore().getSession(early.id))?.nextCheckAt).toBe(lease);
      // A process that died after claiming: the sessions are due again after the lease.
      const again = await getStore().claimDueSessions(lease, '2025-01-01T00:09:00.000Z', 10);
      expect(again.map((s) => s.id).sort()).toEqual(
        [expired.id, early.id, late.id, exact.id, later.id].sort(),
      );
    });

    it('answers whole sessions, as they were before the claim', async () => {
      const session = await created({ nextCheckAt: '2025-01-01T00:01:00.000Z' });
      expect(
        await getStore().claimDueSessions('2025-01-01T00:01:00.000Z', '2025-01-01T00:03:00.000Z', 1),
      ).toEqual([session]);
    });

    it('gives each due session to one of several concurrent claimers', async () => {
      const ids = new Set<string>();
      for (let i = 0; i < 20; i++) ids.add((await created({ nextCheckAt: '2025-01-01T00:01:00.000Z' })).id);
      const claims = await Promise.all(
        Array.from({ length: 4 }, () =>
          getStore().claimDueSessions('2025-01-01T00:02:00.000Z', '2025-01-01T00:04:00.000Z', 8),
        ),
      );
      const taken = claims
        .flat()
        .map((s) => s.id)
        .filter((id) => ids.has(id));
      expect(taken.sort()).toEqual([...ids].sort());
    });

    it('scheduleCheck sets nextCheckAt and checkAttempts, and leaves updatedAt alone', async () => {
      const session = await created({ nextCheckAt: '2025-01-01T00:01:00.000Z' });
      await getStore().scheduleCheck(session.id, '2025-01-01T00:10:00.000Z', 3);
      expect(await getStore().getSession(session.id)).toEqual({
        ...session,
        nextCheckAt: '2025-01-01T00:10:00.000Z',
        checkAttempts: 3,
      });
      const lease = '2030-01-01T00:05:00.000Z';
      expect(await getStore().claimDueSessions('2025-01-01T00:05:00.000Z', lease, 10)).toEqual([]);
      await getStore().scheduleCheck(session.id, null, 4);
      expect(await getStore().getSession(session.id)).toMatchObject({ nextCheckAt: null, checkAttempts: 4 });
      expect(await getStore().claimDueSessions('2030-01-01T00:00:00.000Z', lease, 10)).toEqual([]);
    });
  });

  describe('listSessions', () => {
    /** Seven sessions a minute apart, except that 3 and 4 share a createdAt; 1 and 5 are paid. */
    async function seed(): Promise<void> {
      for (let i = 0; i < 7; i++) {
        const minute = i === 4 ? 3 : i;
        await created({ createdAt: `2025-01-01T00:0${minute}:00.000Z`, id: `ps_list${i}` });
      }
      await getStore().applyObservation('ps_list1', observation(['paid']));
      await getStore().applyObservation('ps_list5', observation(['paid']));
    }
    const ids = (sessions: PaymentSession[]) => sessions.map((s) => s.id);

    it('lists newest first, with the id breaking a createdAt tie', async () => {
      await seed();
      expect(ids(await getStore().listSessions())).toEqual([
        'ps_list6',
        'ps_list5',
        'ps_list4',
        'ps_list3',
        'ps_list2',
        'ps_list1',
        'ps_list0',
      ]);
    });

    it('filters by status and limits', async () => {
      await seed();
      expect(ids(await getStore().listSessions({ status: 'paid' }))).toEqual(['ps_list5', 'ps_list1']);
      expect(await getStore().listSessions({ status: 'refunded' })).toEqual([]);
      expect(ids(await getStore().listSessions({ limit: 2 }))).toEqual(['ps_list6', 'ps_list5']);
      expect(ids(await getStore().listSessions({ status: 'pending', limit: 1 }))).toEqual(['ps_list6']);
    });

    it('filters by provider, alone and with a status (the awaiting-delivery list)', async () => {
      await seed();
      await created({
        provider: 'etpay',
        currency: 'CLP',
        id: 'ps_listE',
        createdAt: '2025-01-01T00:09:00.000Z',
      });
      await getStore().applyObservation('ps_listE', observation(['paid']));
      expect(ids(await getStore().listSessions({ providers: ['etpay'] }))).toEqual(['ps_listE']);
      expect(ids(await getStore().listSessions({ providers: ['tpaga'], status: 'paid' }))).toEqual([
        'ps_list5',
        'ps_list1',
      ]);
      expect(ids(await getStore().listSessions({ providers: ['tpaga', 'etpay'], status: 'paid' }))).toEqual([
        'ps_listE',
        'ps_list5',
        'ps_list1',
      ]);
      expect(await getStore().listSessions({ providers: [] })).toEqual([]);
      expect(
        ids(await getStore().listSessions({ providers: ['tpaga'], status: 'paid', before: 'ps_list5' })),
      ).toEqual(['ps_list1']);
    });

    it('paginates with before, across the createdAt tie and with a filter', async () => {
      await seed();
      const pages: string[][] = [];
      let before: string | undefined;
      for (;;) {
        const page = await getStore().listSessions(before ? { limit: 3, before } : { limit: 3 });
        if (page.length === 0) break;
        pages.push(ids(page));
        before = page.at(-1)!.id;
      }
      expect(pages).toEqual([
        ['ps_list6', 'ps_list5', 'ps_list4'],
        ['ps_list3', 'ps_list2', 'ps_list1'],
        ['ps_list0'],
      ]);
      expect(ids(await getStore().listSessions({ status: 'pending', before: 'ps_list4' }))).toEqual([
        'ps_list3',
        'ps_list2',
        'ps_list0',
      ]);
    });

    it('defaults to 50, takes a larger limit, and treats a non-finite one as the default', async () => {
      for (let i = 0; i < 55; i++) await created({ providerRef: null });
      expect(await getStore().listSessions()).toHaveLength(50);
      expect(await getStore().listSessions({ limit: Number.NaN })).toHaveLength(50);
      expect(await getStore().listSessions({ limit: 10_000 })).toHaveLength(55);
    });

    it('never answers more than 500', async () => {
      for (let i = 0; i < 501; i++) await created({ providerRef: null });
      expect(await getStore().listSessions({ limit: 600 })).toHaveLength(500);
    });
  });
}
