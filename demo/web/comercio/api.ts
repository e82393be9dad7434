// The merchant view's client for Pasarela's admin API (`/api/admin`, Bearer token from this tab's
// sessionStorage), and the shapes it answers with.

export interface AdminSession {
  id: string;
  provider: 'etpay' | 'tpaga';
  status: string;
  amount: number;
  currency: string;
  orderId: string;
  description: string | null;
  createdAt: string;
  updatedAt: string;
  expiresAt: string | null;
  providerRef: string | null;
  providerStatus: string | null;
  nextCheckAt: string | null;
  /** A second payment for an order already paid: the merchant refunds it. */
  duplicate: boolean;
}

export interface StatusEvent {
  at: string;
  source: string;
  from: string;
  to: string;
  providerStatus: string | null;
}

export const DeliveryState = { pending: 'pending', delivered: 'delivered', failed: 'failed' } as const;
export type DeliveryState = (typeof DeliveryState)[keyof typeof DeliveryState];

/** One delivery of a notification event to one destination (a URL, the hook, the provider). */
export interface Delivery {
  destination: string;
  state: DeliveryState;
  attemptCount: number;
  nextAttemptAt: string | null;
  lastAttemptAt: string | null;
  lastError: string | null;
  deliveredAt: string | null;
}

export interface DeliveryAttempt {
  at: string;
  durationMs: number;
  /** Null when no HTTP answer came (network error, the hook, a provider call). */
  httpStatus: number | null;
  error: string | null;
  /** The start of the answer (or a note from the hook or the provider call). */
  response: string | null;
}

/** A merchant notification (`evt_…`, its `webhook-id`), oldest first in a session's detail. */
export interface NotificationEvent {
  id: string;
  /** `session.paid`, `session.delivered`, … */
  type: string;
  timestamp: string;
  sessionId: string;
  deliveries: Delivery[];
}

export interface NotificationDetail extends Omit<NotificationEvent, 'deliveries'> {
  deliveries: (Delivery & { attempts: DeliveryAttempt[] })[];
}

export interface SessionDetail {
  session: AdminSession;
  events: StatusEvent[];
  notifications: NotificationEvent[];
}

const tokenKey = 'pasarela-admin-token';

export const adminToken = {
  get: () => sessionStorage.getItem(tokenKey),
  set: (token: string) => sessionStorage.setItem(tokenKey, token),
  clear: () => sessionStorage.removeItem(tokenKey),
};

/** The token is missing or wrong: the page asks for it again. */
export class Unauthorized extends Error {}

/** Any other refusal, with the API's error code (`no_destination`, `invalid_state`, …). */
export class AdminError extends Error {
  code: string;

  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

export async function admin<T>(path: string, method = 'GET'): Promise<T> {
  const response = await fetch(`/api/admin${path}`, {
    method,
    headers: { Authorization: `Bearer ${adminToken.get() ?? ''}` },
  });
  if (response.status === 401) throw new Unauthorized();
  const body = (await response.json()) as T & { error?: { code: string; message: string } };
  if (!response.ok) {
    throw new AdminError(body.error?.code ?? 'http_error', body.error?.message ?? `HTTP ${response.status}`);
  }
  return body;
}
