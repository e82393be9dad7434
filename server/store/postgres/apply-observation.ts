import type pg from 'pg';
import { randomId } from '../../core/ids.js';
import {
  holdsMoney,
  isFinal,
  type PaymentSession,
  type Status,
  type StatusEvent,
  toPublicSession,
} from '../../core/session.js';
import { nextStatus } from '../../core/status-machine.js';
import type { Destination } from '../outbox.js';
import type { ApplyResult, StatusObservation } from '../store.js';
import { type EventRow, rowToEvent, rowToSession, type SessionRow } from './rows.js';

type Transaction = <T>(work: (client: pg.PoolClient) => Promise<T>) => Promise<T>;

/**
 * Builds `applyObservation`. The order's sessions are locked (`FOR UPDATE`, in id order, so two
 * changes on one order never deadlock) before the status is read: a concurrent change on another
 * instance waits, and the duplicate-payment decision sees every payment of the order. Notification
 * events are written under a transaction-scoped advisory lock, so their sequence numbers commit
 * in order and a reader catching up after one never misses a later-committed earlier number.
 */
export function makeApplyObservation(transaction: Transaction) {
  return (id: string, observation: StatusObservation): Promise<ApplyResult> =>
    transaction(async (client) => {
      const found = await client.query<{ order_id: string }>('SELECT order_id FROM sessions WHERE id = $1', [
        id,
      ]);
      if (!found.rows[0]) throw new Error(`applyObservation: session ${id} does not exist`);
      const order = await client.query<SessionRow>(
        'SELECT * FROM sessions WHERE order_id = $1 ORDER BY id FOR UPDATE',
        [found.rows[0].order_id],
      );
      const row = order.rows.find((r) => r.id === id);
      if (!row) throw new Error(`applyObservation: session ${id} does not exist`);
      const session = rowToSession(row);
      const { dedupeKey } = observation;
      if (dedupeKey !== null) {
        const known = await client.query(
          'SELECT 1 FROM status_events WHERE session_id = $1 AND dedupe_key = $2',
          [id, dedupeKey],
        );
        if (known.rowCount) return { session, events: [], changed: false, notifications: [] };
      }

      const start = session.status;
      let current: Status = start;
      const events: StatusEvent[] = [];
      for (const [index, observed] of observation.statuses.entries()) {
        const to = nextStatus(current, observed) ?? current;
        // Recorded even when nothing changed, so a late `failed` after `paid` shows in the history.
        const inserted = await client.query<EventRow>(
          `INSERT INTO status_events (session_id, at, source, from_status, to_status, provider_status, dedupe_key, detail)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *`,
          [
            id,
            observation.at,
            observation.source,
            current,
            to,
            observation.providerStatus,
            // Only the first event carries the key: the unique index allows it once per session.
            index === 0 ? dedupeKey : null,
            JSON.stringify(observation.detail ?? {}),
          ],
        );
        events.push(rowToEvent(inserted.rows[0]!));
        current = to;
      }

      const changed = current !== start;
      if (!changed) return { session, events, changed, notifications: [] };
      const otherHoldsMoney = order.rows.some((r) => r.id !== id && holdsMoney(r.status as Status));
      const duplicate = session.duplicate || (holdsMoney(current) && !holdsMoney(start) && otherHoldsMoney);
      const updated = await client.query<SessionRow>(
        `UPDATE sessions SET status = $2, provider_status = $3, updated_at = $4,
           next_check_at = CASE WHEN $5 THEN NULL ELSE next_check_at END, duplicate = $6
         WHERE id = $1 RETURNING *`,
        [id, current, observation.providerStatus, observation.at, isFinal(current), duplicate],
      );
      const after = rowToSession(updated.rows[0]!);

      // The outbox: what was stored is announced, in this same transaction.
      await client.query(
        "SELECT pg_advisory_xact_lock(hashtext(current_schema() || '.notification_events'))",
      );
      const notifications: string[] = [];
      for (const event of events.filter((e) => e.from !== e.to)) {
        notifications.push(await announce(client, after, event, observation.announce ?? []));
      }
      // Every instance's live streams and caches hear of it once this commits.
      await client.query("SELECT pg_notify('pasarela_sessions', $1)", [`${id} ${after.updatedAt}`]);
      return { session: after, events, changed, notifications };
    });
}

async function announce(
  client: pg.PoolClient,
  after: PaymentSession,
  change: StatusEvent,
  destinations: readonly Destination[],
): Promise<string> {
  const id = randomId('evt_');
  const type = `session.${change.to}`;
  const data = toPublicSession({ ...after, status: change.to, updatedAt: change.at });
  const inserted = await client.query<{ seq: string }>(
    `INSERT INTO notification_events (id, session_id, status_event_id, type, created_at, body)
     VALUES ($1, $2, $3, $4, $5, $6) RETURNING seq`,
    [id, after.id, change.id, type, change.at, JSON.stringify({ type, timestamp: change.at, data })],
  );
  const names = destinations
    .filter((destination) => !destination.statuses || destination.statuses.includes(change.to))
    .map((destination) => destination.name);
  if (names.length) {
    await client.query(
      `INSERT INTO notification_deliveries (event_seq, session_id, destination, state, next_attempt_at, window_start)
       SELECT $1, $2, name, 'pending', $3, $3 FROM unnest($4::text[]) WITH ORDINALITY AS d (name, n) ORDER BY n`,
      [inserted.rows[0]!.seq, after.id, change.at, names],
    );
  }
  return id;
}
