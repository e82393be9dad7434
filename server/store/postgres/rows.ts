// PostgreSQL rows and the store's types. node-postgres returns timestamptz as Date, bigint as a
// string (amounts stay below 2^53, so Number is exact), jsonb parsed, and JSON kept as text where
// its bytes matter (an action or a notification body is sent as stored).
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

export interface SessionRow {
  id: string;
  provider: string;
  status: string;
  amount: string;
  currency: string;
  order_id: string;
  description: string | null;
  items: string;
  customer_email: string | null;
  return_url: string | null;
  created_at: Date;
  updated_at: Date;
  expires_at: Date | null;
  action: string | null;
  provider_ref: string | null;
  provider_secret: string | null;
  provider_status: string | null;
  next_check_at: Date | null;
  check_attempts: number;
  duplicate: boolean;
}

export interface EventRow {
  id: string;
  session_id: string;
  at: Date;
  source: string;
  from_status: string;
  to_status: string;
  provider_status: string | null;
  dedupe_key: string | null;
  detail: Record<string, string>;
}

export interface IdempotencyRow {
  key: string;
  fingerprint: string;
  session_id: string | null;
  response: string | null;
  created_at: Date;
}

export const iso = (value: Date): string => value.toISOString();
export const isoOrNull = (value: Date | null): string | null => (value ? value.toISOString() : null);

/** The columns of `sessions` in insert order, and the session's values for them. */
export const sessionColumns = [
  'id',
  'provider',
  'status',
  'amount',
  'currency',
  'order_id',
  'description',
  'items',
  'customer_email',
  'return_url',
  'created_at',
  'updated_at',
  'expires_at',
  'action',
  'provider_ref',
  'provider_secret',
  'provider_status',
  'next_check_at',
  'check_attempts',
  'duplicate',
] as const;

export function sessionValues(session: PaymentSession): unknown[] {
  return [
    session.id,
    session.provider,
    session.status,
    session.amount,
    session.currency,
    session.orderId,
    session.description,
    JSON.stringify(session.items),
    session.customerEmail,
    session.returnUrl,
    session.createdAt,
    session.updatedAt,
    session.expiresAt,
    session.action ? JSON.stringify(session.action) : null,
    session.providerRef,
    session.providerSecret,
    session.providerStatus,
    session.nextCheckAt,
    session.checkAttempts,
    session.duplicate,
  ];
}

// The casts trust the database: only this module writes it, from typed values.
export function rowToSession(row: SessionRow): PaymentSession {
  return {
    id: row.id,
    provider: row.provider as ProviderId,
    status: row.status as Status,
    amount: Number(row.amount),
    currency: row.currency as Currency,
    orderId: row.order_id,
    description: row.description,
    items: JSON.parse(row.items) as OrderItem[],
    customerEmail: row.customer_email,
    returnUrl: row.return_url,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
    expiresAt: isoOrNull(row.expires_at),
    action: row.action === null ? null : (JSON.parse(row.action) as SessionAction),
    providerRef: row.provider_ref,
    providerSecret: row.provider_secret,
    providerStatus: row.provider_status,
    nextCheckAt: isoOrNull(row.next_check_at),
    checkAttempts: row.check_attempts,
    duplicate: row.duplicate,
  };
}

export function rowToEvent(row: EventRow): StatusEvent {
  return {
    id: Number(row.id),
    sessionId: row.session_id,
    at: iso(row.at),
    source: row.source as EventSource,
    from: row.from_status as Status,
    to: row.to_status as Status,
    providerStatus: row.provider_status,
    dedupeKey: row.dedupe_key,
    detail: row.detail,
  };
}

export function rowToIdempotency(row: IdempotencyRow): IdempotencyRecord {
  return {
    key: row.key,
    fingerprint: row.fingerprint,
    sessionId: row.session_id,
    response: row.response === null ? null : (JSON.parse(row.response) as IdempotencyRecord['response']),
    createdAt: iso(row.created_at),
  };
}
