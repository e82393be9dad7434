/** Normalised payment-session statuses (DESIGN.md, "Session status model"). */
export const Status = {
  pending: 'pending',
  paid: 'paid',
  delivered: 'delivered',
  failed: 'failed',
  expired: 'expired',
  cancelled: 'cancelled',
  refunded: 'refunded',
} as const;
export type Status = (typeof Status)[keyof typeof Status];

/** A provider module's id (`info.id`): lower-case letters, digits and `-`, used in URLs. */
export type ProviderId = string;

export const Currency = { CLP: 'CLP', COP: 'COP' } as const;
export type Currency = (typeof Currency)[keyof typeof Currency];

/** Where a status observation came from. Only verified sources reach the store. */
export const EventSource = {
  create: 'create',
  webhook: 'webhook',
  return: 'return',
  reconcile: 'reconcile',
  admin: 'admin',
} as const;
export type EventSource = (typeof EventSource)[keyof typeof EventSource];

export interface OrderItem {
  name: string;
  quantity?: number;
  /** Line total, integer pesos. */
  amount: number;
}

/** What the buyer's browser does next. */
export type SessionAction = { type: 'redirect'; url: string } | { type: 'wallet'; url: string; qr: string };

/** A payment session as the server keeps it (the widget sees `toPublicSession`). */
export interface PaymentSession {
  /** `ps_` + ≥128 random bits, base62. */
  id: string;
  provider: ProviderId;
  status: Status;
  /** Integer pesos. */
  amount: number;
  currency: Currency;
  orderId: string;
  description: string | null;
  items: OrderItem[];
  customerEmail: string | null;
  returnUrl: string | null;
  createdAt: string;
  updatedAt: string;
  expiresAt: string | null;
  action: SessionAction | null;
  /** The provider's reference (its session or payment request token); null until it answered. */
  providerRef: string | null;
  /** A per-session key the provider signs with: a secret, never in a response or a log. */
  providerSecret: string | null;
  /** The provider's latest raw status word. */
  providerStatus: string | null;
  /** When reconciliation should next query the provider (ISO), null when final. */
  nextCheckAt: string | null;
  checkAttempts: number;
  /**
   * A payment that arrived while another session of the same order already held the money
   * (paid or delivered): stored, because money wins, and flagged so the merchant refunds it.
   */
  duplicate: boolean;
}

/** What a new session must be told; everything else has a default (see `newPaymentSession`). */
export type NewPaymentSessionFields = Pick<
  PaymentSession,
  'id' | 'provider' | 'amount' | 'currency' | 'orderId'
> &
  Partial<PaymentSession>;

/**
 * A complete new session: pending, no provider answer yet, no optional order details, never
 * checked, not a duplicate. `createdAt` defaults to now and `updatedAt` to `createdAt`; any
 * field given wins over its default.
 */
export function newPaymentSession(fields: NewPaymentSessionFields): PaymentSession {
  const createdAt = fields.createdAt ?? new Date().toISOString();
  return {
    status: Status.pending,
    description: null,
    items: [],
    customerEmail: null,
    returnUrl: null,
    createdAt,
    updatedAt: createdAt,
    expiresAt: null,
    action: null,
    providerRef: null,
    providerSecret: null,
    providerStatus: null,
    nextCheckAt: null,
    checkAttempts: 0,
    duplicate: false,
    ...fields,
  };
}

/** One stored status observation. */
export interface StatusEvent {
  id: number;
  sessionId: string;
  at: string;
  source: EventSource;
  /** Status before and after this event (equal when the event changed nothing). */
  from: Status;
  to: Status;
  /** The provider's raw status word (`success`, `paid`, `reverted`, …). */
  providerStatus: string | null;
  /** Deduplication key: an event with a key already stored for the session is not stored again. */
  dedupeKey: string | null;
  /** Small non-secret facts (a provider's payment reference, admin note). */
  detail: Record<string, string>;
}

/** The session JSON the widget sees: no provider secrets, refs or raw payloads. */
export interface PublicSession {
  id: string;
  provider: ProviderId;
  status: Status;
  amount: number;
  currency: Currency;
  orderId: string;
  description: string | null;
  createdAt: string;
  updatedAt: string;
  expiresAt: string | null;
  action: SessionAction | null;
}

export function toPublicSession(session: PaymentSession): PublicSession {
  return {
    id: session.id,
    provider: session.provider,
    status: session.status,
    amount: session.amount,
    currency: session.currency,
    orderId: session.orderId,
    description: session.description,
    createdAt: session.createdAt,
    updatedAt: session.updatedAt,
    expiresAt: session.expiresAt,
    action: session.action,
  };
}

/** The money is with the merchant (paid, or paid and delivered). */
export function holdsMoney(status: Status): boolean {
  return status === Status.paid || status === Status.delivered;
}

export function isFinal(status: Status): boolean {
  return status !== Status.pending;
}

export function assertNever(value: never): never {
  throw new Error(`unexpected value: ${String(value)}`);
}
