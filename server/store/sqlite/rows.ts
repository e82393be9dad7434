import type {
  Currency,
  EventSource,
  OrderItem,
  PaymentSession,
  ProviderId,
  SessionAction,
  Status,
  StatusEvent,
} from '../../core/session.js';
import type { IdempotencyRecord } from '../store.js';

/** A `sessions` row as SQLite returns it (snake_case, JSON as text). */
export interface SessionRow {
  id: string;
  provider: string;
  status: string;
  amount: number;
  currency: string;
  order_id: string;
  description: string | null;
  items: string;
  customer_email: string | null;
  return_url: string | null;
  created_at: string;
  updated_at: string;
  expires_at: string | null;
  action: string | null;
  provider_ref: string | null;
  provider_secret: string | null;
  provider_status: string | null;
  next_check_at: string | null;
  check_attempts: number;
  duplicate: number;
}

export interface EventRow {
  id: number;
  session_id: string;
  at: string;
  source: string;
  from_status: string;
  to_status: string;
  provider_status: string | null;
  dedupe_key: string | null;
  detail: string;
}

export interface IdempotencyRow {
  key: string;
  fingerprint: string;
  session_id: string | null;
  response: string | null;
  created_at: string;
}

// The casts below trust the database: only this module writes it, from typed values.

export function sessionToRow(session: PaymentSession): SessionRow {
  return {
    id: session.id,
    provider: session.provider,
    status: session.status,
    amount: session.amount,
    currency: session.currency,
    order_id: session.orderId,
    description: session.description,
    items: JSON.stringify(session.items),
    customer_email: session.customerEmail,
    return_url: session.returnUrl,
    created_at: session.createdAt,
    updated_at: session.updatedAt,
    expires_at: session.expiresAt,
    action: session.action ? JSON.stringify(session.action) : null,
    provider_ref: session.providerRef,
    provider_secret: session.providerSecret,
    provider_status: session.providerStatus,
    next_check_at: session.nextCheckAt,
    check_attempts: session.checkAttempts,
    duplicate: session.duplicate ? 1 : 0,
  };
}

export function rowToSession(row: SessionRow): PaymentSession {
  return {
    id: row.id,
    provider: row.provider as ProviderId,
    status: row.status as Status,
    amount: row.amount,
    currency: row.currency as Currency,
    orderId: row.order_id,
    description: row.description,
    items: JSON.parse(row.items) as OrderItem[],
    customerEmail: row.customer_email,
    returnUrl: row.return_url,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    expiresAt: row.expires_at,
    action: row.action === null ? null : (JSON.parse(row.action) as SessionAction),
    providerRef: row.provider_ref,
    providerSecret: row.provider_secret,
    providerStatus: row.provider_status,
    nextCheckAt: row.next_check_at,
    checkAttempts: row.check_attempts,
    duplicate: row.duplicate === 1,
  };
}

export function rowToEvent(row: EventRow): StatusEvent {
  return {
    id: row.id,
    sessionId: row.session_id,
    at: row.at,
    source: row.source as EventSource,
    from: row.from_status as Status,
    to: row.to_status as Status,
    providerStatus: row.provider_status,
    dedupeKey: row.dedupe_key,
    detail: JSON.parse(row.detail) as Record<string, string>,
  };
}

export function rowToIdempotency(row: IdempotencyRow): IdempotencyRecord {
  return {
    key: row.key,
    fingerprint: row.fingerprint,
    sessionId: row.session_id,
    response: row.response === null ? null : (JSON.parse(row.response) as IdempotencyRecord['response']),
    createdAt: row.created_at,
  };
}
