// Fixtures shared by the store contract suites.
import { newPaymentSession, type PaymentSession, type Status } from '../../server/core/session.js';
import type { StatusObservation, Store } from '../../server/store/store.js';

export interface StoreHandle {
  store: Store;
  /** Closes `store` and opens the same database again, when the backend can. */
  reopen?: () => Promise<Store>;
  cleanup: () => Promise<void>;
}

let counter = 0;

/** A pending session with every field set; `overrides` wins. */
export function makeSession(overrides: Partial<PaymentSession> = {}): PaymentSession {
  counter++;
  return newPaymentSession({
    id: `ps_test${String(counter).padStart(6, '0')}${Math.random().toString(36).slice(2, 10)}`,
    provider: 'tpaga',
    amount: 12000,
    currency: 'COP',
    orderId: `order-${counter}`,
    description: 'Café y pan',
    items: [
      { name: 'Café', quantity: 2, amount: 8000 },
      { name: 'Pan', amount: 4000 },
    ],
    customerEmail: 'ana@example.com',
    returnUrl: 'https://shop.example/thanks',
    createdAt: '2025-01-01T00:00:00.000Z',
    expiresAt: '2025-01-01T00:30:00.000Z',
    action: { type: 'wallet', url: 'https://pay.example/pr-1', qr: '/api/sessions/x/qr.svg' },
    providerRef: `pr-${counter}-${Math.random().toString(36).slice(2)}`,
    providerStatus: 'created',
    nextCheckAt: '2025-01-01T00:01:00.000Z',
    ...overrides,
  });
}

/** Creates a session with `makeSession(overrides)` in `store` and returns it as given. */
export async function createdIn(
  store: Store,
  overrides: Partial<PaymentSession> = {},
): Promise<PaymentSession> {
  const session = makeSession(overrides);
  await store.createSession(session);
  return session;
}

export function observation(
  statuses: Status[],
  overrides: Partial<StatusObservation> = {},
): StatusObservation {
  return {
    statuses,
    source: 'webhook',
    providerStatus: statuses.at(-1) ?? null,
    dedupeKey: null,
    at: '2025-01-01T00:05:00.000Z',
    ...overrides,
  };
}
