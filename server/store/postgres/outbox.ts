// The PostgreSQL outbox: the same rules as SQLite's (server/store/sqlite/outbox.ts), with claims
// that several instances can make at once (`FOR UPDATE SKIP LOCKED`).
import type pg from 'pg';
import type {
  ClaimedDelivery,
  DeliveryAttempt,
  DeliveryState,
  DeliverySummary,
  NotificationDetail,
  NotificationEvent,
  NotificationType,
  OutboxStore,
} from '../outbox.js';
import { iso, isoOrNull } from './rows.js';

interface EventRow {
  seq: string;
  id: string;
  session_id: string;
  type: string;
  created_at: Date;
  body: string;
}

interface DeliveryRow {
  id: string;
  event_seq: string;
  destination: string;
  state: string;
  attempt_count: number;
  next_attempt_at: Date | null;
  last_attempt_at: Date | null;
  last_error: string | null;
  delivered_at: Date | null;
}

interface ClaimedRow {
  id: string;
  claim: string;
  destination: string;
  session_id: string;
  attempt_count: number;
  window_start: Date;
  event_id: string;
  body: string;
}

interface AttemptRow {
  delivery_id: string;
  at: Date;
  duration_ms: number;
  http_status: number | null;
  error: string | null;
  response: string | null;
}

const defaultLimit = 100;
const maxLimit = 500;

interface Database {
  query<R extends pg.QueryResultRow>(text: string, values?: unknown[]): Promise<R[]>;
  transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T>;
}

export function makeOutbox({ query, transaction }: Database): OutboxStore {
  async function withDeliveries(events: EventRow[]): Promise<NotificationEvent[]> {
    if (events.length === 0) return [];
    const deliveries = await query<DeliveryRow>(
      'SELECT * FROM notification_deliveries WHERE event_seq = ANY($1::bigint[]) ORDER BY id',
      [events.map((e) => e.seq)],
    );
    return events.map((event) => ({
      ...rowToEvent(event),
      deliveries: deliveries.filter((d) => d.event_seq === event.seq).map(rowToSummary),
    }));
  }

  return {
    async claimDeliveries(request) {
      // Due, free (never taken, or the taker's lease ran out), and first in line for its session
      // at this destination. A row another instance is claiming right now is skipped, and re-checked
      // against these conditions once its claim commits.
      const rows = await query<ClaimedRow>(
        `WITH due AS (
           SELECT d.id FROM notification_deliveries d
           WHERE d.destination = $1 AND d.state = 'pending' AND d.next_attempt_at <= $2
             AND (d.claimed_until IS NULL OR d.claimed_until <= $2)
             AND NOT EXISTS (
               SELECT 1 FROM notification_deliveries e
               WHERE e.session_id = d.session_id AND e.destination = d.destination
                 AND e.state = 'pending' AND e.event_seq < d.event_seq)
           ORDER BY d.next_attempt_at, d.event_seq
           LIMIT $3
           FOR UPDATE SKIP LOCKED)
         UPDATE notification_deliveries n SET claim = $4, claimed_until = $5
         FROM due, notification_events e
         WHERE n.id = due.id AND e.seq = n.event_seq
         RETURNING n.id, n.claim, n.destination, n.session_id, n.attempt_count, n.window_start,
           n.next_attempt_at, n.event_seq, e.id AS event_id, e.body`,
        [request.destination, request.now, request.limit, request.claim, request.leaseUntil],
      );
      const ordered = (rows as (ClaimedRow & { next_attempt_at: Date; event_seq: string })[]).sort(
        (a, b) =>
          a.next_attempt_at.getTime() - b.next_attempt_at.getTime() ||
          Number(a.event_seq) - Number(b.event_seq),
      );
      return ordered.map(rowToClaimed);
    },

    async recordAttempt(deliveryId, claim, attempt: DeliveryAttempt, outcome) {
      const nextAttemptAt = outcome.state === 'pending' ? outcome.nextAttemptAt : null;
      await transaction(async (client) => {
        await client.query(
          `INSERT INTO notification_attempts (delivery_id, at, duration_ms, http_status, error, response)
           VALUES ($1, $2, $3, $4, $5, $6)`,
          [
            deliveryId,
            attempt.at,
            Math.round(attempt.durationMs),
            attempt.httpStatus,
            attempt.error,
            attempt.response,
          ],
        );
        // The attempt counts whoever holds the claim now; only the holder decides the next step,
        // except that a delivery that reached its destination is delivered whoever sent it.
        await client.query(
          `UPDATE notification_deliveries SET
             attempt_count = attempt_count + 1,
             last_attempt_at = $3,
             last_error = $5,
             state = CASE WHEN $4 = 'delivered' OR claim = $2 THEN $4 ELSE state END,
             next_attempt_at = CASE WHEN $4 = 'delivered' THEN NULL
               WHEN claim = $2 THEN $6::timestamptz ELSE next_attempt_at END,
             delivered_at = CASE WHEN $4 = 'delivered' THEN $3 ELSE delivered_at END,
             claimed_until = CASE WHEN claim = $2 OR $4 = 'delivered' THEN NULL ELSE claimed_until END,
             claim = CASE WHEN claim = $2 OR $4 = 'delivered' THEN NULL ELSE claim END
           WHERE id = $1`,
          [deliveryId, claim, attempt.at, outcome.state, attempt.error, nextAttemptAt],
        );
      });
    },

    async listNotifications(options = {}) {
      const limit =
        options.limit === undefined || !Number.isFinite(options.limit)
          ? defaultLimit
          : Math.min(Math.max(Math.trunc(options.limit), 1), maxLimit);
      const events = await query<EventRow>(
        `SELECT * FROM notification_events
         WHERE ($1::text IS NULL OR seq > (SELECT seq FROM notification_events WHERE id = $1))
           AND ($2::text IS NULL OR session_id = $2)
         ORDER BY seq LIMIT $3`,
        [options.after ?? null, options.sessionId ?? null, limit],
      );
      return withDeliveries(events);
    },

    async getNotification(id) {
      const [event] = await query<EventRow>('SELECT * FROM notification_events WHERE id = $1', [id]);
      if (!event) return undefined;
      const deliveries = await query<DeliveryRow>(
        'SELECT * FROM notification_deliveries WHERE event_seq = $1 ORDER BY id',
        [event.seq],
      );
      const attempts = await query<AttemptRow>(
        'SELECT * FROM notification_attempts WHERE delivery_id = ANY($1::bigint[]) ORDER BY id',
        [deliveries.map((d) => d.id)],
      );
      const detail: NotificationDetail = {
        ...rowToEvent(event),
        deliveries: deliveries.map((delivery) => ({
          ...rowToSummary(delivery),
          attempts: attempts.filter((a) => a.delivery_id === delivery.id).map(rowToAttempt),
        })),
      };
      return detail;
    },

    async redeliver(eventId, destinations, now) {
      return transaction(async (client) => {
        const found = await client.query<{ seq: string; session_id: string }>(
          'SELECT seq, session_id FROM notification_events WHERE id = $1',
          [eventId],
        );
        const event = found.rows[0];
        if (!event) return false;
        for (const destination of destinations) {
          await client.query(
            `INSERT INTO notification_deliveries (event_seq, session_id, destination, state, next_attempt_at, window_start)
             VALUES ($1, $2, $3, 'pending', $4, $4)
             ON CONFLICT (event_seq, destination) DO UPDATE SET state = 'pending', next_attempt_at = $4,
               window_start = $4, delivered_at = NULL`,
            [event.seq, event.session_id, destination, now],
          );
        }
        return true;
      });
    },

    async pendingDestinations() {
      const rows = await query<{ destination: string; pending: string }>(
        `SELECT destination, count(*) AS pending FROM notification_deliveries
         WHERE state = 'pending' GROUP BY destination ORDER BY destination`,
      );
      return rows.map((row) => ({ destination: row.destination, pending: Number(row.pending) }));
    },
  };
}

function rowToClaimed(row: ClaimedRow): ClaimedDelivery {
  return {
    deliveryId: Number(row.id),
    claim: row.claim,
    destination: row.destination,
    eventId: row.event_id,
    sessionId: row.session_id,
    body: row.body,
    attemptCount: row.attempt_count,
    windowStart: iso(row.window_start),
  };
}

function rowToEvent(row: EventRow): Omit<NotificationEvent, 'deliveries'> {
  return {
    id: row.id,
    type: row.type as NotificationType,
    timestamp: iso(row.created_at),
    sessionId: row.session_id,
    body: row.body,
  };
}

function rowToSummary(row: DeliveryRow): DeliverySummary {
  return {
    destination: row.destination,
    state: row.state as DeliveryState,
    attemptCount: row.attempt_count,
    nextAttemptAt: row.state === 'pending' ? isoOrNull(row.next_attempt_at) : null,
    lastAttemptAt: isoOrNull(row.last_attempt_at),
    lastError: row.last_error,
    deliveredAt: isoOrNull(row.delivered_at),
  };
}

function rowToAttempt(row: AttemptRow): DeliveryAttempt {
  return {
    at: iso(row.at),
    durationMs: row.duration_ms,
    httpStatus: row.http_status,
    error: row.error,
    response: row.response,
  };
}
