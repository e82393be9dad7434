// The outbox half of the Store contract (DESIGN.md, "Merchant notifications"): each stored status
// change writes a notification event and one delivery per destination in the same transaction,
// and a dispatcher works the deliveries off. Types only; each store implements them.
import type { Status } from '../core/session.js';

/** Where a stored change is announced. */
export interface Destination {
  /**
   * Stable name, stored with each delivery: the endpoint's URL for a signed webhook,
   * `hook:onStatusChange` for the library hook, `provider:deliver` for automatic delivery.
   */
  name: string;
  /** Only changes to these statuses are announced here (every change when absent). */
  statuses?: readonly Status[];
}

export const DestinationName = {
  hook: 'hook:onStatusChange',
  deliver: 'provider:deliver',
} as const;

export const DeliveryState = { pending: 'pending', delivered: 'delivered', failed: 'failed' } as const;
export type DeliveryState = (typeof DeliveryState)[keyof typeof DeliveryState];

/** `session.paid`, `session.refunded`, … (never `session.pending`: nothing moves back to it). */
export type NotificationType = `session.${Exclude<Status, 'pending'>}`;

/** One delivery of an event to one destination, as the merchant sees it. */
export interface DeliverySummary {
  destination: string;
  state: DeliveryState;
  attemptCount: number;
  /** When the next attempt is due; null once delivered or failed. */
  nextAttemptAt: string | null;
  lastAttemptAt: string | null;
  /** What went wrong the last time (HTTP status, timeout, refused connection, a throw). */
  lastError: string | null;
  deliveredAt: string | null;
}

/** One try, recorded whatever its outcome. */
export interface DeliveryAttempt {
  at: string;
  durationMs: number;
  /** The endpoint's HTTP status; null when there was none (network error, hook, provider call). */
  httpStatus: number | null;
  error: string | null;
  /** The first 4 KB of the answer (or a note from the hook or provider call). */
  response: string | null;
}

/** A notification event: what happened to a session, exactly as the merchant receives it. */
export interface NotificationEvent {
  /** `evt_…`: the `webhook-id` of every attempt. */
  id: string;
  type: NotificationType;
  /** ISO time of the change. */
  timestamp: string;
  sessionId: string;
  /** The body as sent, byte for byte: `{"type","timestamp","data"}`. */
  body: string;
  deliveries: DeliverySummary[];
}

export interface NotificationDetail extends Omit<NotificationEvent, 'deliveries'> {
  deliveries: (DeliverySummary & { attempts: DeliveryAttempt[] })[];
}

export interface NotificationQuery {
  /** Events created after this one (an `evt_…` id); from the oldest when absent. */
  after?: string;
  /** Only this session's events. */
  sessionId?: string;
  /** 1–500 (100). */
  limit?: number;
}

/** A delivery taken by one dispatcher until `leaseUntil`: nobody else tries it meanwhile. */
export interface ClaimedDelivery {
  deliveryId: number;
  /** Proves the claim when the attempt is recorded. */
  claim: string;
  destination: string;
  eventId: string;
  sessionId: string;
  body: string;
  /** Attempts made before this one. */
  attemptCount: number;
  /** Retries go on for a while from here (the first due time, or the last redelivery). */
  windowStart: string;
}

export interface ClaimRequest {
  destination: string;
  now: string;
  leaseUntil: string;
  limit: number;
  claim: string;
}

/** What becomes of a delivery after an attempt. */
export type AttemptOutcome =
  | { state: typeof DeliveryState.delivered }
  | { state: typeof DeliveryState.pending; nextAttemptAt: string }
  | { state: typeof DeliveryState.failed };

/** The outbox operations every store has. */
export interface OutboxStore {
  /**
   * Due deliveries for one destination, oldest first, each marked as taken until `leaseUntil`:
   * pending, due, not taken by someone else (or their lease ran out), and the first undelivered
   * one of its session at that destination, so one session's events arrive in order.
   */
  claimDeliveries(request: ClaimRequest): Promise<ClaimedDelivery[]>;
  /**
   * Stores the attempt and the delivery's new state. A `delivered` outcome always lands; another
   * outcome only while `claim` still holds (a lease that ran out belongs to whoever took it next).
   */
  recordAttempt(
    deliveryId: number,
    claim: string,
    attempt: DeliveryAttempt,
    outcome: AttemptOutcome,
  ): Promise<void>;
  listNotifications(query?: NotificationQuery): Promise<NotificationEvent[]>;
  getNotification(id: string): Promise<NotificationDetail | undefined>;
  /**
   * Queues the event again, due at `now`, for each destination named (existing deliveries are
   * reset, missing ones added). False when the event does not exist.
   */
  redeliver(eventId: string, destinations: readonly string[], now: string): Promise<boolean>;
  /** Destinations that still have pending deliveries, with how many. */
  pendingDestinations(): Promise<{ destination: string; pending: number }[]>;
}
