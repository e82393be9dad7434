import type { OrderRef } from './api.js';
import type { Currency, Session } from './types.js';

/** What an order token says about its order. */
export interface OrderPreview {
  orderId: string | undefined;
  amount: number;
  currency: Currency;
}

/**
 * The order id, amount and currency written in an order token, for display before a session
 * exists. The signature is not (and cannot be) checked here: the server verifies the token and
 * takes the amount from it, and the browser never sends an amount of its own.
 */
export function previewOrder(token: string | undefined): OrderPreview | undefined {
  const payload = token?.split('.')[1];
  if (!payload) return undefined;
  try {
    const json = atob(payload.replace(/-/g, '+').replace(/_/g, '/'));
    const claims = JSON.parse(json) as { order_id?: unknown; amount?: unknown; currency?: unknown };
    const { order_id, amount, currency } = claims;
    if (!Number.isSafeInteger(amount) || (amount as number) <= 0) return undefined;
    if (currency !== 'CLP' && currency !== 'COP') return undefined;
    return {
      orderId: typeof order_id === 'string' ? order_id : undefined,
      amount: amount as number,
      currency,
    };
  } catch {
    return undefined;
  }
}

/**
 * Whether a session named in the page's address is this element's to resume. The address names one
 * session for the whole page, which may hold several checkouts: an element takes only a session of
 * its own order (its token's order id, amount and currency; or its order id), and one with no order
 * takes any. The token is unverified here, but it only decides what this page shows: the server
 * still charges by the verified token.
 */
export function ownsSession(ref: OrderRef | undefined, session: Session): boolean {
  if (!ref) return true;
  if ('orderId' in ref) return ref.orderId === session.orderId;
  const order = previewOrder(ref.order);
  return (
    order?.orderId === session.orderId &&
    order.amount === session.amount &&
    order.currency === session.currency
  );
}
