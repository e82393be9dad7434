import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventSource, Status } from '../../server/core/session.js';
import { foldStatuses, nextStatus } from '../../server/core/status-machine.js';
import { openSqliteStore } from '../../server/store/sqlite/index.js';
import type { StatusObservation } from '../../server/store/store.js';
import { makeSession } from './store-contract.fixture.js';

const statuses = Object.values(Status);
const sources = Object.values(EventSource);
const money = new Set<Status>(['paid', 'delivered']);
const unhappy = new Set<Status>(['failed', 'expired', 'cancelled']);

/**
 * The DESIGN.md rules written out independently of the implementation, one row per current
 * status: what each observed status moves the session to (undefined = nothing changes).
 */
const expected: Record<Status, Partial<Record<Status, Status>>> = {
  pending: {
    paid: 'paid',
    delivered: 'delivered',
    failed: 'failed',
    expired: 'expired',
    cancelled: 'cancelled',
  },
  paid: { delivered: 'delivered', refunded: 'refunded' },
  delivered: { refunded: 'refunded' },
  // Money wins: a verified payment after an unhappy end is still applied.
  failed: { paid: 'paid', delivered: 'delivered' },
  expired: { paid: 'paid', delivered: 'delivered' },
  cancelled: { paid: 'paid', delivered: 'delivered' },
  refunded: {},
};

describe('nextStatus', () => {
  for (const current of statuses) {
    for (const observed of statuses) {
      const want = expected[current][observed];
      it(`${current} + ${observed} → ${want ?? 'no change'}`, () => {
        expect(nextStatus(current, observed)).toBe(want);
      });
    }
  }

  it('never goes back to pending, never from money to an unhappy end, refunds only after money', () => {
    for (const current of statuses) {
      for (const observed of statuses) {
        const to = nextStatus(current, observed);
        if (to === undefined) continue;
        expect(to).not.toBe('pending');
        if (money.has(current)) expect(unhappy.has(to)).toBe(false);
        if (to === 'refunded') expect(money.has(current)).toBe(true);
      }
    }
  });

  it('foldStatuses applies a Tpaga reverted-while-pending as paid then refunded', () => {
    expect(foldStatuses('pending', ['paid', 'refunded'])).toEqual(['paid', 'refunded']);
    expect(foldStatuses('pending', ['refunded', 'failed'])).toEqual(['failed']);
    expect(foldStatuses('paid', ['failed', 'pending'])).toEqual([]);
  });
});

/** One generated observation: its statuses, source, and either a fresh or a reused dedupe key. */
const observationArb = fc.record({
  statuses: fc.array(fc.constantFrom(...statuses), { minLength: 1, maxLength: 3 }),
  source: fc.constantFrom(...sources),
  // null: no key; a number: reuse key k<n> (small range, so duplicates are frequent).
  key: fc.option(fc.nat({ max: 6 }), { nil: null }),
});

describe('status machine through the SQLite store (property)', () => {
  it('keeps every invariant over random observation sequences', async () => {
    const store = await openSqliteStore({ path: ':memory:' });
    try {
      await fc.assert(
        fc.asyncProperty(fc.array(observationArb, { maxLength: 15 }), async (generated) => {
          const session = makeSession({ providerRef: null });
          await store.createSession(session);
          const seenKeys = new Set<string>();
          const applied: Status[] = [];
          let stored = 0;

          for (const [i, g] of generated.entries()) {
            const dedupeKey = g.key === null ? null : `k${g.key}`;
            const duplicate = dedupeKey !== null && seenKeys.has(dedupeKey);
            const obs: StatusObservation = {
              statuses: g.statuses,
              source: g.source,
              providerStatus: g.statuses.at(-1) ?? null,
              dedupeKey,
              at: new Date(Date.UTC(2025, 0, 1, 0, i)).toISOString(),
            };
            const result = await store.applyObservation(session.id, obs);
            if (duplicate) {
              expect(result.events).toEqual([]);
              expect(result.changed).toBe(false);
            } else {
              expect(result.events).toHaveLength(g.statuses.length);
              applied.push(...g.statuses);
              if (dedupeKey !== null) seenKeys.add(dedupeKey);
            }
            stored += result.events.length;
          }

          const events = await store.listEvents(session.id);
          expect(events).toHaveLength(stored);
          let previous: Status = 'pending';
          let leftPending = false;
          let hadMoney = false;
          for (const event of events) {
            expect(event.from).toBe(previous);
            if (leftPending) expect(event.to).not.toBe('pending');
            if (money.has(event.from)) expect(unhappy.has(event.to)).toBe(false);
            if (event.to === 'refunded' && event.from !== 'refunded') expect(hadMoney).toBe(true);
            leftPending ||= event.to !== 'pending';
            hadMoney ||= money.has(event.to);
            previous = event.to;
          }

          const final = (await store.getSession(session.id))!;
          expect(final.status).toBe(foldStatuses('pending', applied).at(-1) ?? 'pending');
          expect(final.status).toBe(previous);
          if (final.status !== 'pending') expect(final.nextCheckAt).toBeNull();
        }),
        { numRuns: 200 },
      );
    } finally {
      await store.close();
    }
  });
});
