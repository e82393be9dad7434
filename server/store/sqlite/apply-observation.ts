import type Database from 'better-sqlite3';
import {
  holdsMoney,
  isFinal,
  type PaymentSession,
  type Status,
  type StatusEvent,
} from '../../core/session.js';
import { nextStatus } from '../../core/status-machine.js';
import type { Destination } from '../outbox.js';
import type { ApplyResult, StatusObservation } from '../store.js';
import { rowToEvent, rowToSession } from './rows.js';
import type { Statements } from './statements.js';

/** Writes a change's notification event and deliveries inside the same transaction. */
export type Announce = (
  after: PaymentSession,
  change: StatusEvent,
  destinations: readonly Destination[],
) => string;

/**
 * Builds the `applyObservation` transaction. It runs IMMEDIATE so the write lock is taken before
 * the current status is read: another connection cannot slip a change in between.
 */
export function makeApplyObservation(db: Database.Database, st: Statements, announce: Announce) {
  const apply = db.transaction((id: string, observation: StatusObservation): ApplyResult => {
    const row = st.getSession.get(id);
    if (!row) throw new Error(`applyObservation: session ${id} does not exist`);
    const session = rowToSession(row);
    const { dedupeKey } = observation;
    if (dedupeKey !== null && st.hasDedupeKey.get(id, dedupeKey)) {
      return { session, events: [], changed: false, notifications: [] };
    }

    const start = session.status;
    let current: Status = start;
    const events: StatusEvent[] = [];
    const detail = JSON.stringify(observation.detail ?? {});
    // An empty list (a provider's `created`, an unknown word) stores nothing: it is no change, and
    // reconciliation polls would otherwise fill the history with it.
    observation.statuses.forEach((observed, index) => {
      const to = nextStatus(current, observed) ?? current;
      // Recorded even when nothing changed, so a late `failed` after `paid` shows in the history.
      const info = st.insertEvent.run({
        session_id: id,
        at: observation.at,
        source: observation.source,
        from_status: current,
        to_status: to,
        provider_status: observation.providerStatus,
        // Only the first event carries the key: the unique index allows it once per session.
        dedupe_key: index === 0 ? dedupeKey : null,
        detail,
      });
      events.push(rowToEvent(st.getEvent.get(info.lastInsertRowid)!));
      current = to;
    });

    const changed = current !== start;
    if (!changed) return { session, events, changed, notifications: [] };
    // Money arriving for an order whose money another session already holds: a second payment.
    // Decided inside this transaction, so two payments landing together cannot both look first.
    const duplicate =
      session.duplicate ||
      (holdsMoney(current) &&
        !holdsMoney(start) &&
        st.otherMoneySession.get(session.orderId, id) !== undefined);
    st.updateStatus.run({
      id,
      status: current,
      provider_status: observation.providerStatus,
      updated_at: observation.at,
      // A final session needs no more reconciliation. (Nothing moves back to pending, so today
      // every change is final; asked anyway so the rule lives in one place, `isFinal`.)
      clear_check: isFinal(current) ? 1 : 0,
      duplicate: duplicate ? 1 : 0,
    });
    const after = rowToSession(st.getSession.get(id)!);
    // The outbox: what was stored is announced, in this same transaction.
    const notifications = events
      .filter((event) => event.from !== event.to)
      .map((event) => announce(after, event, observation.announce ?? []));
    return { session: after, events, changed, notifications };
  });
  return (id: string, observation: StatusObservation): ApplyResult => apply.immediate(id, observation);
}
