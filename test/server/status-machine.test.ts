import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventSource, type PaymentSession, Status } from '../../server/core/session.js';
import { foldStatuses, nextStatus } from '../../server/core/status-machine.js';
import { openSqliteStore } from '../../server/store/sqlite/index.js';
import type { Store } from '../../server/store/store.js';
import { createdIn } from './store-contract.fixture.js';

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

/** One delivery of an observation to the store, as a provider, the return page or reconciliation makes it. */
interface Delivery {
  statuses: Status[];
  source: EventSource;
  dedupeKey: string | null;
}

/** Random observations; keys come from a small range, so repeats of earlier keys are frequent. */
const randomDeliveries = fc.array(
  fc.record({
    statuses: fc.array(fc.constantFrom(...statuses), { minLength: 1, maxLength: 3 }),
    source: fc.constantFrom(...sources),
    dedupeKey: fc.option(
      fc.nat({ max: 6 }).map((n) => `k${n}`),
      { nil: null },
    ),
  }),
  { maxLength: 15 },
);

/**
 * Provider facts, each delivered once per source that saw it (webhook, return, reconciliation…),
 * in any order: what lost, repeated and reordered notifications look like from the store.
 */
const shuffledRedeliveries = fc
  .array(
    fc.record({
      statuses: fc.array(fc.constantFrom(...statuses), { minLength: 1, maxLength: 2 }),
      keyed: fc.boolean(),
      seenBy: fc.array(fc.constantFrom(...sources), { minLength: 1, maxLength: 3 }),
    }),
    { maxLength: 8 },
  )
  .chain((facts) => {
    const deliveries: Delivery[] = facts.flatMap((fact, i) =>
      fact.seenBy.map((source) => ({
        statuses: fact.statuses,
        source,
        dedupeKey: fact.keyed ? `fact-${i}` : null,
      })),
    );
    return fc.shuffledSubarray(deliveries, { minLength: deliveries.length, maxLength: deliveries.length });
  });

/**
 * Applies `deliveries` to a fresh session through the store and, beside it, through the pure
 * machine with deduplication modelled here; checks every invariant after each step and at the end.
 */
async function checkInvariants(store: Store, deliveries: readonly Delivery[]): Promise<void> {
  const session = await createdIn(store, { providerRef: null });
  const seenKeys = new Set<string>();
  const applied: Status[] = [];
  let before: PaymentSession = session;
  let storedCount = 0;

  for (const [i, delivery] of deliveries.entries()) {
    const at = new Date(Date.UTC(2025, 0, 1, 1, i)).toISOString();
    const providerStatus = delivery.statuses.at(-1) ?? null;
    const result = await store.applyObservation(session.id, { ...delivery, providerStatus, at });

    if (delivery.dedupeKey !== null && seenKeys.has(delivery.dedupeKey)) {
      // A duplicate changes nothing at all and adds no event.
      expect(result).toEqual({ session: before, events: [], changed: false, notifications: [] });
      expect(await store.listEvents(session.id)).toHaveLength(storedCount);
      continue;
    }
    if (delivery.dedupeKey !== null) seenKeys.add(delivery.dedupeKey);
    applied.push(...delivery.statuses);

    const steps = foldStatuses(before.status, delivery.statuses);
    const changed = steps.length > 0;
    expect(result.changed).toBe(changed);
    // The outbox: one notification event per transition, never one for a change that was not made.
    expect(result.notifications).toHaveLength(steps.length);
    expect(result.session.status).toBe(steps.at(-1) ?? before.status);
    expect(result.session.updatedAt).toBe(changed ? at : before.updatedAt);
    expect(result.session.providerStatus).toBe(changed ? providerStatus : before.providerStatus);
    // One event per observed status, even those that changed nothing; the key on the first only.
    expect(result.events.map((e) => [e.source, e.providerStatus, e.at, e.dedupeKey])).toEqual(
      delivery.statuses.map((_, j) => [
        delivery.source,
        providerStatus,
        at,
        j === 0 ? delivery.dedupeKey : null,
      ]),
    );
    storedCount += result.events.length;
    before = result.session;
  }

  const events = await store.listEvents(session.id);
  expect(events).toHaveLength(storedCount);
  let previous: Status = 'pending';
  for (const event of events) {
    expect(event.from).toBe(previous);
    if (event.from !== 'pending') expect(event.to).not.toBe('pending');
    if (money.has(event.from)) expect(unhappy.has(event.to)).toBe(false);
    if (event.to === 'refunded' && event.from !== 'refunded') expect(money.has(event.from)).toBe(true);
    previous = event.to;
  }

  // Every transition has exactly one notification event, in order, typed by its new status.
  const notified = await store.listNotifications({ sessionId: session.id, limit: 500 });
  expect(notified.map((n) => n.type)).toEqual(
    events.filter((e) => e.from !== e.to).map((e) => `session.${e.to}`),
  );

  const final = (await store.getSession(session.id))!;
  expect(final).toEqual(before);
  expect(final.status).toBe(previous);
  expect(final.status).toBe(foldStatuses('pending', applied).at(-1) ?? 'pending');
  if (applied.some((s) => money.has(s))) expect(['paid', 'delivered', 'refunded']).toContain(final.status);
  expect(final.nextCheckAt).toBe(final.status === 'pending' ? session.nextCheckAt : null);
}

describe('status machine through the SQLite store (property)', () => {
  let store: Store;
  beforeAll(async () => {
    store = await openSqliteStore({ path: ':memory:' });
  });
  afterAll(async () => {
    await store.close();
  });

  it('keeps every invariant over random observations with repeated keys', async () => {
    await fc.assert(
      fc.asyncProperty(randomDeliveries, (deliveries) => checkInvariants(store, deliveries)),
      { numRuns: 200 },
    );
  });

  it('keeps every invariant when the same facts arrive repeated and in any order', async () => {
    await fc.assert(
      fc.asyncProperty(shuffledRedeliveries, (deliveries) => checkInvariants(store, deliveries)),
      { numRuns: 200 },
    );
  });
});
