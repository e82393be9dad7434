import type {
  EventSource,
  PaymentSession,
  ProviderId,
  SessionAction,
  Status,
  StatusEvent,
} from '../core/session.js';
import type { Destination, OutboxStore } from './outbox.js';

/** A status observation from a verified source, to be applied through the status machine. */
export interface StatusObservation {
  /**
   * Statuses applied in order (a reversal seen while pending = paid, refunded). Empty when the
   * provider's answer changes nothing (`created`, an unknown word): then nothing is stored.
   */
  statuses: Status[];
  source: EventSource;
  providerStatus: string | null;
  /** Same key already stored for this session → the observation is a duplicate: nothing changes. */
  dedupeKey: string | null;
  detail?: Record<string, string>;
  at: string;
  /**
   * Where each change this observation makes is announced: one notification event per change,
   * and one delivery per destination that takes its status, in the same transaction.
   */
  announce?: readonly Destination[];
}

export interface ApplyResult {
  session: PaymentSession;
  /** Events stored by this call (none for a duplicate). */
  events: StatusEvent[];
  /** True when the session's status changed. */
  changed: boolean;
  /** The ids (`evt_…`) of the notification events written with the change, oldest first. */
  notifications: string[];
}

/** What the provider answered at creation, stored before the widget gets its 201. */
export interface ProviderAttachment {
  providerRef: string;
  providerSecret: string | null;
  action: SessionAction;
  expiresAt: string | null;
  providerStatus: string | null;
  updatedAt: string;
  /** The first reconciliation, written with the attachment (one commit for both). */
  nextCheckAt: string | null;
}

export interface IdempotencyRecord {
  key: string;
  /** Hash of the request body (and provider), to tell a retry from a different request. */
  fingerprint: string;
  sessionId: string | null;
  /** The stored response once complete; null while the first request is still in progress. */
  response: { status: number; body: unknown } | null;
  createdAt: string;
}

/** Requests counted by one process for one rate-limit key since it last told the database. */
export interface RateHits {
  key: string;
  count: number;
  windowMs: number;
}

export interface RateTotal {
  key: string;
  /** Every instance's requests in the key's current window. */
  count: number;
  windowStart: string;
}

export interface SessionQuery {
  status?: Status;
  /** Only the sessions flagged (true) or not flagged (false) as a duplicate payment. */
  duplicate?: boolean;
  /** Only sessions of these providers. */
  providers?: readonly ProviderId[];
  limit?: number;
  /** Sessions created before this id's creation (keyset pagination), newest first. */
  before?: string;
}

/**
 * The database stayed locked by another connection for longer than the store waits: nothing was
 * written. Routes answer 503 with `Retry-After`, so a provider or a buyer tries again.
 */
export class StoreBusyError extends Error {
  override readonly name = 'StoreBusyError';
}

/**
 * The database cannot be reached or written (PostgreSQL down, restarting, or out of connections;
 * a SQLite disk full, a read-only or failing file): nothing was written. Routes answer 503 with `Retry-After`; the store reconnects by itself.
 */
export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError';
}

/**
 * The one persistence interface. Every write is durable when its promise resolves (SQLite with
 * `synchronous=FULL`, PostgreSQL commits), so callers acknowledge only after awaiting it.
 */
export interface Store extends OutboxStore {
  createSession(session: PaymentSession): Promise<void>;
  getSession(id: string): Promise<PaymentSession | undefined>;
  findByProviderRef(provider: PaymentSession['provider'], ref: string): Promise<PaymentSession | undefined>;
  attachProvider(id: string, attachment: ProviderAttachment): Promise<PaymentSession>;
  /**
   * Atomically: skip when `dedupeKey` is known; otherwise run each status through the status
   * machine, store one event per observation (with from/to, even when nothing changed) and
   * the new status; a session that comes to hold money while another session of its order
   * already does is flagged `duplicate`; each change writes its notification event and the
   * deliveries `announce` asks for (the outbox). Throws when the session does not exist.
   */
  applyObservation(id: string, observation: StatusObservation): Promise<ApplyResult>;
  listSessions(query?: SessionQuery): Promise<PaymentSession[]>;
  /** Every session of one order (`orderId`), oldest first. */
  orderSessions(orderId: string): Promise<PaymentSession[]>;
  listEvents(sessionId: string): Promise<StatusEvent[]>;
  /**
   * Takes up to `limit` sessions whose `nextCheckAt` is at or before `now`, oldest check first
   * (pending ones, and the few looked at again after an expiry without a provider answer; a final
   * status clears it), and moves their `nextCheckAt` to `leaseUntil` in the same step: another
   * process sharing the database skips them, and if this one dies before it reschedules them, they
   * are due again once the lease ends. Returns them as they were before the claim.
   */
  claimDueSessions(now: string, leaseUntil: string, limit: number): Promise<PaymentSession[]>;
  scheduleCheck(id: string, nextCheckAt: string | null, checkAttempts: number): Promise<void>;
  /** Inserts the record unless the key exists; returns the stored record either way. */
  claimIdempotencyKey(record: IdempotencyRecord): Promise<{ record: IdempotencyRecord; created: boolean }>;
  completeIdempotencyKey(
    key: string,
    sessionId: string,
    response: { status: number; body: unknown },
  ): Promise<void>;
  /** Releases a claim whose request failed, so a retry can try again. */
  releaseIdempotencyKey(key: string): Promise<void>;
  purgeIdempotencyKeys(olderThan: string): Promise<number>;
  /**
   * Changes stored by any process sharing this database (PostgreSQL's LISTEN/NOTIFY): `changed`
   * gets each changed session's id and `updatedAt`; `resumed` is called after the connection that
   * listens was lost and is back (changes in between were missed: look again). Absent when only
   * this process writes the database (SQLite). Returns a function that stops listening.
   */
  watchSessions?(changed: (sessionId: string, updatedAt: string) => void, resumed: () => void): () => void;
  /**
   * Adds request counts to the shared rate-limit windows (one per key, starting at its first
   * request and lasting its `windowMs`; a window that ended starts again at `now`) and answers
   * every instance's total for each key. Absent when only this process writes the database: the
   * limiter then counts in memory.
   */
  addRateHits?(hits: readonly RateHits[], now: string): Promise<RateTotal[]>;
  /** True when the store answers and can write (the health check). */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}
