// The SQLite outbox: notification events, their deliveries and attempts (migration 3).
import type Database from 'better-sqlite3';
import { randomId } from '../../core/ids.js';
import { type PaymentSession, type StatusEvent, toPublicSession } from '../../core/session.js';
import type {
  ClaimedDelivery,
  DeliveryAttempt,
  DeliveryState,
  DeliverySummary,
  Destination,
  NotificationDetail,
  NotificationEvent,
  NotificationQuery,
  NotificationType,
  OutboxStore,
} from '../outbox.js';
import type { Prepared } from './statements.js';

interface EventRow {
  seq: number;
  id: string;
  session_id: string;
  type: string;
  created_at: string;
  body: string;
}

interface DeliveryRow {
  id: number;
  event_seq: number;
  session_id: string;
  destination: string;
  state: string;
  attempt_count: number;
  next_attempt_at: string | null;
  window_start: string;
  last_attempt_at: string | null;
  last_error: string | null;
  delivered_at: string | null;
}

interface AttemptRow {
  at: string;
  duration_ms: number;
  http_status: number | null;
  error: string | null;
  response: string | null;
}

export const NOTIFICATIONS_DEFAULT_LIMIT = 100;
export const NOTIFICATIONS_MAX_LIMIT = 500;

export function prepareOutbox(db: Database.Database) {
  const prepare = <P extends unknown[] | object, R>(sql: string): Prepared<P, R> =>
    db.prepare(sql) as unknown as Prepared<P, R>;
  const st = {
    insertEvent: prepare<Omit<EventRow, 'seq'> & { status_event_id: number }, never>(`
      INSERT INTO notification_events (id, session_id, status_event_id, type, created_at, body)
      VALUES (@id, @session_id, @status_event_id, @type, @created_at, @body)`),
    insertDelivery: prepare<
      { event_seq: number | bigint; session_id: string; destination: string; due: string },
      void
    >(`
      INSERT INTO notification_deliveries (event_seq, session_id, destination, state, next_attempt_at, window_start)
      VALUES (@event_seq, @session_id, @destination, 'pending', @due, @due)`),
    // Due, free (never taken, or the taker's lease ran out), and first in line for its session at
    // this destination: an earlier event still pending there holds the later ones back.
    dueDeliveries: prepare<{ destination: string; now: string; limit: number }, { id: number }>(`
      SELECT d.id FROM notification_deliveries d
      WHERE d.destination = @destination AND d.state = 'pending' AND d.next_attempt_at <= @now
        AND (d.claimed_until IS NULL OR d.claimed_until <= @now)
        AND NOT EXISTS (
          SELECT 1 FROM notification_deliveries e
          WHERE e.session_id = d.session_id AND e.destination = d.destination
            AND e.state = 'pending' AND e.event_seq < d.event_seq)
      ORDER BY d.next_attempt_at, d.event_seq
      LIMIT @limit`),
    takeDelivery: prepare<{ id: number; claim: string; lease_until: string; now: string }, void>(`
      UPDATE notification_deliveries SET claim = @claim, claimed_until = @lease_until
      WHERE id = @id AND state = 'pending' AND (claimed_until IS NULL OR claimed_until <= @now)`),
    claimedDelivery: prepare<[number], ClaimedRow>(`
      SELECT d.id, d.claim, d.destination, d.session_id, d.attempt_count, d.window_start, e.id AS event_id, e.body
      FROM notification_deliveries d JOIN notification_events e ON e.seq = d.event_seq
      WHERE d.id = ?`),
    insertAttempt: prepare<AttemptRow & { delivery_id: number }, void>(`
      INSERT INTO notification_attempts (delivery_id, at, duration_ms, http_status, error, response)
      VALUES (@delivery_id, @at, @duration_ms, @http_status, @error, @response)`),
    // The attempt counts whoever holds the claim now; only the holder decides the next step,
    // except that a delivery that reached its destination is delivered whoever sent it.
    updateAfterAttempt: prepare<
      {
        id: number;
        claim: string;
        state: string;
        next_attempt_at: string | null;
        at: string;
        error: string | null;
      },
      void
    >(`
      UPDATE notification_deliveries SET
        attempt_count = attempt_count + 1,
        last_attempt_at = @at,
        last_error = @error,
        state = CASE WHEN @state = 'delivered' OR claim = @claim THEN @state ELSE state END,
        next_attempt_at = CASE WHEN @state = 'delivered' THEN NULL
          WHEN claim = @claim THEN @next_attempt_at ELSE next_attempt_at END,
        delivered_at = CASE WHEN @state = 'delivered' THEN @at ELSE delivered_at END,
        claim = CASE WHEN claim = @claim OR @state = 'delivered' THEN NULL ELSE claim END,
        claimed_until = CASE WHEN claim = @claim OR @state = 'delivered' THEN NULL ELSE claimed_until END
      WHERE id = @id`),
    listEvents: prepare<{ after: string | null; session_id: string | null; limit: number }, EventRow>(`
      SELECT * FROM notification_events
      WHERE (@after IS NULL OR seq > (SELECT seq FROM notification_events WHERE id = @after))
        AND (@session_id IS NULL OR session_id = @session_id)
      ORDER BY seq LIMIT @limit`),
    getEvent: prepare<[string], EventRow>('SELECT * FROM notification_events WHERE id = ?'),
    eventDeliveries: prepare<[number], DeliveryRow>(
      'SELECT * FROM notification_deliveries WHERE event_seq = ? ORDER BY id',
    ),
    deliveryAttempts: prepare<[number], AttemptRow>(
      'SELECT * FROM notification_attempts WHERE delivery_id = ? ORDER BY id',
    ),
    resetDelivery: prepare<{ event_seq: number; destination: string; now: string }, void>(`
      UPDATE notification_deliveries SET state = 'pending', next_attempt_at = @now, window_start = @now,
        delivered_at = NULL
      WHERE event_seq = @event_seq AND destination = @destination`),
    addDelivery: prepare<{ event_seq: number; session_id: string; destination: string; now: string }, void>(`
      INSERT INTO notification_deliveries (event_seq, session_id, destination, state, next_attempt_at, window_start)
      VALUES (@event_seq, @session_id, @destination, 'pending', @now, @now)
      ON CONFLICT (event_seq, destination) DO NOTHING`),
    pendingDestinations: prepare<[], { destination: string; pending: number }>(`
      SELECT destination, COUNT(*) AS pending FROM notification_deliveries
      WHERE state = 'pending' GROUP BY destination ORDER BY destination`),
  };

  /**
   * Inside the status change's transaction: the notification event for one change, and a
   * delivery for each destination that takes its status. Returns the event id.
   */
  function announce(
    after: PaymentSession,
    change: StatusEvent,
    destinations: readonly Destination[],
  ): string {
    const id = randomId('evt_');
    const type = `session.${change.to}` as NotificationType;
    // The public session as it stood after this change (an observation may make two).
    const data = toPublicSession({ ...after, status: change.to, updatedAt: change.at });
    const info = st.insertEvent.run({
      id,
      session_id: after.id,
      status_event_id: change.id,
      type,
      created_at: change.at,
      body: JSON.stringify({ type, timestamp: change.at, data }),
    });
    for (const destination of destinations) {
      if (destination.statuses && !destination.statuses.includes(change.to)) continue;
      st.insertDelivery.run({
        event_seq: info.lastInsertRowid,
        session_id: after.id,
        destination: destination.name,
        due: change.at,
      });
    }
    return id;
  }

  const claimTx = db.transaction((request: Parameters<OutboxStore['claimDeliveries']>[0]) => {
    const claimed: ClaimedDelivery[] = [];
    for (const { id } of st.dueDeliveries.all(request)) {
      st.takeDelivery.run({ id, claim: request.claim, lease_until: request.leaseUntil, now: request.now });
      const row = st.claimedDelivery.get(id);
      if (row?.claim === request.claim) claimed.push(rowToClaimed(row));
    }
    return claimed;
  });

  const recordTx = db.transaction(
    (deliveryId: number, claim: string, attempt: DeliveryAttempt, outcome: AttemptOutcomeRow) => {
      st.insertAttempt.run({
        delivery_id: deliveryId,
        at: attempt.at,
        duration_ms: Math.round(attempt.durationMs),
        http_status: attempt.httpStatus,
        error: attempt.error,
        response: attempt.response,
      });
      st.updateAfterAttempt.run({
        id: deliveryId,
        claim,
        state: outcome.state,
        next_attempt_at: outcome.nextAttemptAt,
        at: attempt.at,
        error: attempt.error,
      });
    },
  );

  const redeliverTx = db.transaction((eventId: string, destinations: readonly string[], now: string) => {
    const event = st.getEvent.get(eventId);
    if (!event) return false;
    for (const destination of destinations) {
      st.resetDelivery.run({ event_seq: event.seq, destination, now });
      st.addDelivery.run({ event_seq: event.seq, session_id: event.session_id, destination, now });
    }
    return true;
  });

  const summaries = (seq: number): DeliveryRow[] => st.eventDeliveries.all(seq);

  const operations = {
    claimDeliveries: (request: Parameters<OutboxStore['claimDeliveries']>[0]) => {
      // A read first: most polls find nothing, and then no write lock is taken.
      if (st.dueDeliveries.all({ ...request, limit: 1 }).length === 0) return [];
      return claimTx.immediate(request);
    },
    recordAttempt: (...args: Parameters<OutboxStore['recordAttempt']>) => {
      const [deliveryId, claim, attempt, outcome] = args;
      recordTx.immediate(deliveryId, claim, attempt, {
        state: outcome.state,
        nextAttemptAt: outcome.state === 'pending' ? outcome.nextAttemptAt : null,
      });
    },
    listNotifications: (query: NotificationQuery = {}): NotificationEvent[] =>
      st.listEvents
        .all({
          after: query.after ?? null,
          session_id: query.sessionId ?? null,
          limit: clampLimit(query.limit),
        })
        .map((row) => ({ ...rowToEvent(row), deliveries: summaries(row.seq).map(rowToSummary) })),
    getNotification: (id: string): NotificationDetail | undefined => {
      const row = st.getEvent.get(id);
      if (!row) return undefined;
      return {
        ...rowToEvent(row),
        deliveries: summaries(row.seq).map((delivery) => ({
          ...rowToSummary(delivery),
          attempts: st.deliveryAttempts.all(delivery.id).map(rowToAttempt),
        })),
      };
    },
    redeliver: (eventId: string, destinations: readonly string[], now: string) =>
      redeliverTx.immediate(eventId, destinations, now),
    pendingDestinations: () => st.pendingDestinations.all(),
  };
  return { announce, operations };
}

interface ClaimedRow {
  id: number;
  claim: string | null;
  destination: string;
  session_id: string;
  attempt_count: number;
  window_start: string;
  event_id: string;
  body: string;
}

interface AttemptOutcomeRow {
  state: DeliveryState;
  nextAttemptAt: string | null;
}

function clampLimit(limit: number | undefined): number {
  if (limit === undefined || !Number.isFinite(limit)) return NOTIFICATIONS_DEFAULT_LIMIT;
  return Math.min(Math.max(Math.trunc(limit), 1), NOTIFICATIONS_MAX_LIMIT);
}

function rowToClaimed(row: ClaimedRow): ClaimedDelivery {
  return {
    deliveryId: row.id,
    claim: row.claim!,
    destination: row.destination,
    eventId: row.event_id,
    sessionId: row.session_id,
    body: row.body,
    attemptCount: row.attempt_count,
    windowStart: row.window_start,
  };
}

function rowToEvent(row: EventRow): Omit<NotificationEvent, 'deliveries'> {
  return {
    id: row.id,
    type: row.type as NotificationType,
    timestamp: row.created_at,
    sessionId: row.session_id,
    body: row.body,
  };
}

function rowToSummary(row: DeliveryRow): DeliverySummary {
  return {
    destination: row.destination,
    state: row.state as DeliveryState,
    attemptCount: row.attempt_count,
    nextAttemptAt: row.state === 'pending' ? row.next_attempt_at : null,
    lastAttemptAt: row.last_attempt_at,
    lastError: row.last_error,
    deliveredAt: row.delivered_at,
  };
}

function rowToAttempt(row: AttemptRow): DeliveryAttempt {
  return {
    at: row.at,
    durationMs: row.duration_ms,
    httpStatus: row.http_status,
    error: row.error,
    response: row.response,
  };
}
