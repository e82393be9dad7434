// The outbox half of the store contract: what a status change announces, in its own transaction,
// and how deliveries are claimed, recorded, ordered and redelivered.
import { describe, expect, it } from 'vitest';
import { type PaymentSession, toPublicSession } from '../../server/core/session.js';
import type { ClaimRequest, DeliveryAttempt } from '../../server/store/outbox.js';
import type { Store } from '../../server/store/store.js';
import { createdIn, observation } from './store-contract.fixture.js';

const hook = { name: 'hook:onStatusChange' };
const endpoint = { name: 'https://shop.example/pasarela-events' };
const deliver = { name: 'provider:deliver', statuses: ['paid'] as const };

const t = (minute: number, second = 0) => new Date(Date.UTC(2025, 0, 1, 0, minute, second)).toISOString();

function claimAt(minute: number, destination = endpoint.name, claim = `c-${minute}-${Math.random()}`) {
  return {
    destination,
    now: t(minute),
    leaseUntil: t(minute + 1),
    limit: 10,
    claim,
  } satisfies ClaimRequest;
}

const attempt = (at: string, overrides: Partial<DeliveryAttempt> = {}): DeliveryAttempt => ({
  at,
  durationMs: 12,
  httpStatus: 500,
  error: 'answered 500',
  response: 'oops',
  ...overrides,
});

export function describeOutboxContract(getStore: () => Store): void {
  const created = (overrides: Partial<PaymentSession> = {}) => createdIn(getStore(), overrides);

  describe('outbox', () => {
    it('a change writes its event (the body as sent) and one delivery per destination, atomically', async () => {
      const store = getStore();
      const session = await created();
      const result = await store.applyObservation(
        session.id,
        observation(['paid'], { at: t(5), announce: [endpoint, hook, deliver] }),
      );
      expect(result.notifications).toHaveLength(1);
      const [event] = await store.listNotifications({ sessionId: session.id });
      expect(event!.id).toBe(result.notifications[0]);
      expect(event!.id).toMatch(/^evt_[A-Za-z0-9]{22}$/);
      expect(event).toMatchObject({ type: 'session.paid', timestamp: t(5), sessionId: session.id });
      expect(JSON.parse(event!.body)).toEqual({
        type: 'session.paid',
        timestamp: t(5),
        data: toPublicSession(result.session),
      });
      expect(event!.deliveries.map((d) => [d.destination, d.state, d.attemptCount, d.nextAttemptAt])).toEqual(
        [
          [endpoint.name, 'pending', 0, t(5)],
          [hook.name, 'pending', 0, t(5)],
          [deliver.name, 'pending', 0, t(5)],
        ],
      );
    });

    it('two changes in one observation are two events, each with the session as it stood; a destination takes only its statuses', async () => {
      const store = getStore();
      const session = await created();
      const result = await store.applyObservation(
        session.id,
        observation(['paid', 'refunded'], { at: t(6), announce: [endpoint, deliver] }),
      );
      const events = await store.listNotifications({ sessionId: session.id });
      expect(events.map((e) => e.id)).toEqual(result.notifications);
      expect(events.map((e) => [e.type, JSON.parse(e.body).data.status])).toEqual([
        ['session.paid', 'paid'],
        ['session.refunded', 'refunded'],
      ]);
      expect(events.map((e) => e.deliveries.map((d) => d.destination))).toEqual([
        [endpoint.name, deliver.name],
        [endpoint.name],
      ]);
    });

    it('writes an event with no delivery when nothing is configured, and nothing for no change or a duplicate', async () => {
      const store = getStore();
      const session = await created();
      await store.applyObservation(session.id, observation(['paid'], { dedupeKey: 'k' }));
      const again = await store.applyObservation(
        session.id,
        observation(['paid'], { dedupeKey: 'k', announce: [endpoint] }),
      );
      const repeat = await store.applyObservation(
        session.id,
        observation(['paid'], { announce: [endpoint] }),
      );
      const late = await store.applyObservation(
        session.id,
        observation(['failed'], { announce: [endpoint] }),
      );
      expect([again.notifications, repeat.notifications, late.notifications]).toEqual([[], [], []]);
      const events = await store.listNotifications({ sessionId: session.id });
      expect(events.map((e) => [e.type, e.deliveries])).toEqual([['session.paid', []]]);
    });

    it('an observation for an unknown session stores no event', async () => {
      const store = getStore();
      const before = await store.listNotifications({ limit: 500 });
      await expect(
        store.applyObservation('ps_nope', observation(['paid'], { announce: [endpoint] })),
      ).rejects.toThrow();
      expect(await store.listNotifications({ limit: 500 })).toEqual(before);
    });

    it('claims due deliveries once: a second claim gets nothing until the lease runs out', async () => {
      const store = getStore();
      const session = await created();
      await store.applyObservation(session.id, observation(['paid'], { at: t(5), announce: [endpoint] }));
      expect(await store.claimDeliveries(claimAt(4))).toEqual([]); // not due yet
      const first = await store.claimDeliveries(claimAt(5, endpoint.name, 'first'));
      expect(first).toEqual([
        {
          deliveryId: expect.any(Number),
          claim: 'first',
          destination: endpoint.name,
          eventId: (await store.listNotifications({ sessionId: session.id }))[0]!.id,
          sessionId: session.id,
          body: expect.stringContaining('"type":"session.paid"'),
          attemptCount: 0,
          windowStart: t(5),
        },
      ]);
      expect(await store.claimDeliveries(claimAt(5, endpoint.name, 'second'))).toEqual([]);
      expect(await store.claimDeliveries(claimAt(5, hook.name))).toEqual([]); // other destination
      // The first claimer died without recording: after its lease, someone else takes it.
      const taken = await store.claimDeliveries(claimAt(6, endpoint.name, 'third'));
      expect(taken.map((d) => [d.deliveryId, d.claim])).toEqual([[first[0]!.deliveryId, 'third']]);
    });

    it('records attempts: delivered is final, a retry is due later, failed is final', async () => {
      const store = getStore();
      const sessions = [await created(), await created(), await created()];
      for (const session of sessions) {
        await store.applyObservation(session.id, observation(['paid'], { at: t(5), announce: [endpoint] }));
      }
      const claimed = await store.claimDeliveries(claimAt(5, endpoint.name, 'me'));
      expect(claimed).toHaveLength(3);
      const [a, b, c] = sessions.map((s) => claimed.find((d) => d.sessionId === s.id)!);
      await store.recordAttempt(
        a!.deliveryId,
        'me',
        attempt(t(5), { httpStatus: 204, error: null, response: '' }),
        {
          state: 'delivered',
        },
      );
      await store.recordAttempt(b!.deliveryId, 'me', attempt(t(5)), {
        state: 'pending',
        nextAttemptAt: t(9),
      });
      await store.recordAttempt(c!.deliveryId, 'me', attempt(t(5), { httpStatus: null, error: 'refused' }), {
        state: 'failed',
      });

      const detail = await store.getNotification(a!.eventId);
      expect(detail!.deliveries).toEqual([
        {
          destination: endpoint.name,
          state: 'delivered',
          attemptCount: 1,
          nextAttemptAt: null,
          lastAttemptAt: t(5),
          lastError: null,
          deliveredAt: t(5),
          attempts: [{ at: t(5), durationMs: 12, httpStatus: 204, error: null, response: '' }],
        },
      ]);
      expect((await store.getNotification(b!.eventId))!.deliveries[0]).toMatchObject({
        state: 'pending',
        attemptCount: 1,
        nextAttemptAt: t(9),
        lastError: 'answered 500',
        attempts: [{ httpStatus: 500, response: 'oops' }],
      });
      expect((await store.getNotification(c!.eventId))!.deliveries[0]).toMatchObject({
        state: 'failed',
        nextAttemptAt: null,
        lastError: 'refused',
      });
      // Only the retry comes back, and only once it is due.
      expect(await store.claimDeliveries(claimAt(8))).toEqual([]);
      expect((await store.claimDeliveries(claimAt(9))).map((d) => [d.eventId, d.attemptCount])).toEqual([
        [b!.eventId, 1],
      ]);
    });

    it('an attempt recorded under a lost claim counts, but only a success changes the delivery', async () => {
      const store = getStore();
      const session = await created();
      await store.applyObservation(session.id, observation(['paid'], { at: t(5), announce: [endpoint] }));
      const [old] = await store.claimDeliveries(claimAt(5, endpoint.name, 'old'));
      const [now] = await store.claimDeliveries(claimAt(7, endpoint.name, 'new'));
      await store.recordAttempt(old!.deliveryId, 'old', attempt(t(7)), { state: 'failed' });
      expect((await store.getNotification(old!.eventId))!.deliveries[0]).toMatchObject({
        state: 'pending',
        attemptCount: 1,
      });
      await store.recordAttempt(old!.deliveryId, 'old', attempt(t(7), { httpStatus: 200, error: null }), {
        state: 'delivered',
      });
      await store.recordAttempt(now!.deliveryId, 'new', attempt(t(7)), {
        state: 'pending',
        nextAttemptAt: t(9),
      });
      expect((await store.getNotification(old!.eventId))!.deliveries[0]).toMatchObject({
        state: 'delivered',
        attemptCount: 3,
        nextAttemptAt: null,
      });
    });

    it("one session's events go to a destination in order; other sessions never wait", async () => {
      const store = getStore();
      const slow = await created();
      const other = await created();
      await store.applyObservation(slow.id, observation(['paid'], { at: t(5), announce: [endpoint, hook] }));
      await store.applyObservation(
        slow.id,
        observation(['refunded'], { at: t(5, 30), announce: [endpoint, hook] }),
      );
      await store.applyObservation(other.id, observation(['failed'], { at: t(5, 40), announce: [endpoint] }));

      const first = await store.claimDeliveries(claimAt(6, endpoint.name, 'a'));
      expect(first.map((d) => [d.sessionId, JSON.parse(d.body).type])).toEqual([
        [slow.id, 'session.paid'],
        [other.id, 'session.failed'],
      ]);
      // The paid notification fails and waits for its retry: the refund waits behind it.
      const [paid, failed] = first;
      await store.recordAttempt(paid!.deliveryId, 'a', attempt(t(6)), {
        state: 'pending',
        nextAttemptAt: t(20),
      });
      await store.recordAttempt(failed!.deliveryId, 'a', attempt(t(6), { httpStatus: 200 }), {
        state: 'delivered',
      });
      expect(await store.claimDeliveries(claimAt(10, endpoint.name, 'b'))).toEqual([]);
      // The hook is another destination: its order is its own.
      const hooked = await store.claimDeliveries(claimAt(10, hook.name, 'h'));
      expect(hooked.map((d) => JSON.parse(d.body).type)).toEqual(['session.paid']);
      // Once the paid one is delivered, the refund is next.
      const [retry] = await store.claimDeliveries(claimAt(20, endpoint.name, 'c'));
      await store.recordAttempt(retry!.deliveryId, 'c', attempt(t(20), { httpStatus: 200, error: null }), {
        state: 'delivered',
      });
      const next = await store.claimDeliveries(claimAt(20, endpoint.name, 'd'));
      expect(next.map((d) => JSON.parse(d.body).type)).toEqual(['session.refunded']);
    });

    it('a failed delivery no longer holds back the later events of its session', async () => {
      const store = getStore();
      const session = await created();
      await store.applyObservation(session.id, observation(['paid'], { at: t(5), announce: [endpoint] }));
      await store.applyObservation(session.id, observation(['refunded'], { at: t(5), announce: [endpoint] }));
      const [paid] = await store.claimDeliveries(claimAt(5, endpoint.name, 'a'));
      await store.recordAttempt(paid!.deliveryId, 'a', attempt(t(5)), { state: 'failed' });
      const next = await store.claimDeliveries(claimAt(5, endpoint.name, 'b'));
      expect(next.map((d) => JSON.parse(d.body).type)).toEqual(['session.refunded']);
    });

    it('lists events in creation order after a cursor, by session, within a limit', async () => {
      const store = getStore();
      const a = await created();
      const b = await created();
      await store.applyObservation(a.id, observation(['paid'], { at: t(1) }));
      await store.applyObservation(b.id, observation(['failed'], { at: t(2) }));
      await store.applyObservation(a.id, observation(['delivered'], { at: t(3) }));
      const all = await store.listNotifications({ limit: 500 });
      const mine = all.filter((e) => e.sessionId === a.id || e.sessionId === b.id);
      expect(mine.map((e) => e.type)).toEqual(['session.paid', 'session.failed', 'session.delivered']);
      const after = await store.listNotifications({ after: mine[0]!.id, limit: 500 });
      expect(after.map((e) => e.id)).toEqual(all.slice(all.indexOf(mine[0]!) + 1).map((e) => e.id));
      expect((await store.listNotifications({ after: mine[0]!.id, limit: 1 })).map((e) => e.id)).toEqual([
        mine[1]!.id,
      ]);
      expect((await store.listNotifications({ sessionId: a.id })).map((e) => e.type)).toEqual([
        'session.paid',
        'session.delivered',
      ]);
      expect(await store.listNotifications({ after: 'evt_unknown' })).toEqual([]);
      expect(await store.getNotification('evt_unknown')).toBeUndefined();
    });

    it('redelivers an event: existing deliveries due again at once, missing destinations added', async () => {
      const store = getStore();
      const session = await created();
      const { notifications } = await store.applyObservation(
        session.id,
        observation(['paid'], { at: t(5), announce: [endpoint] }),
      );
      const [claimed] = await store.claimDeliveries(claimAt(5, endpoint.name, 'a'));
      await store.recordAttempt(claimed!.deliveryId, 'a', attempt(t(5), { httpStatus: 200 }), {
        state: 'delivered',
      });
      expect(await store.redeliver(notifications[0]!, [endpoint.name, hook.name], t(30))).toBe(true);
      expect(await store.redeliver('evt_unknown', [endpoint.name], t(30))).toBe(false);
      const detail = await store.getNotification(notifications[0]!);
      expect(
        detail!.deliveries.map((d) => [d.destination, d.state, d.attemptCount, d.nextAttemptAt]),
      ).toEqual([
        [endpoint.name, 'pending', 1, t(30)],
        [hook.name, 'pending', 0, t(30)],
      ]);
      const again = await store.claimDeliveries(claimAt(30, endpoint.name, 'b'));
      expect(again.map((d) => [d.eventId, d.windowStart])).toEqual([[notifications[0], t(30)]]);
    });

    it('counts pending deliveries per destination', async () => {
      const store = getStore();
      const before = new Map((await store.pendingDestinations()).map((d) => [d.destination, d.pending]));
      const session = await created();
      await store.applyObservation(session.id, observation(['paid'], { announce: [endpoint, hook] }));
      await store.applyObservation(session.id, observation(['refunded'], { announce: [endpoint] }));
      const after = new Map((await store.pendingDestinations()).map((d) => [d.destination, d.pending]));
      expect(after.get(endpoint.name)).toBe((before.get(endpoint.name) ?? 0) + 2);
      expect(after.get(hook.name)).toBe((before.get(hook.name) ?? 0) + 1);
    });
  });
}
