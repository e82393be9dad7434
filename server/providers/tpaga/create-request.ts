import type { OrderItem, PaymentSession } from '../../core/session.js';
import { joinUrl } from '../shared-http.js';

/** The `payment_requests/create` body as Pasarela sends it (TPAGA.md §4.1), in the docs' key order. */
export interface TpagaCreateBody {
  cost: string;
  purchase_details_url: string;
  idempotency_token: string;
  order_id: string;
  terminal_id: string;
  purchase_description: string;
  purchase_items?: Array<{ name: string; value: string }>;
  user_ip_address: string;
  expires_at: string;
}

export interface CreateBodyOptions {
  /** Pasarela's PUBLIC_URL: the wallet sends the buyer back to `/return/<session id>` under it. */
  publicUrl: string;
  terminalId: string;
  expiryMinutes: number;
  /** The buyer's IP address. */
  clientIp: string;
  /** Epoch milliseconds the expiry counts from. */
  now: number;
}

/** UTC with milliseconds and an explicit `+00:00`, as in Tpaga's own examples (§9). */
export function formatExpiresAt(epochMs: number): string {
  return new Date(epochMs).toISOString().replace(/Z$/, '+00:00');
}

export function createBody(session: PaymentSession, options: CreateBodyOptions): TpagaCreateBody {
  // Tpaga refuses a blank description (`can't be blank`), so a blank one falls back too.
  const description = session.description?.trim() ? session.description : `Orden ${session.orderId}`;
  return {
    // Integer pesos as a string, as the docs send it; Tpaga answers `"12000.0"`.
    cost: String(session.amount),
    purchase_details_url: joinUrl(options.publicUrl, `/return/${encodeURIComponent(session.id)}`),
    // The session id makes a retried create safe: Tpaga answers 409 with the first request (§8).
    idempotency_token: session.id,
    order_id: session.orderId,
    terminal_id: options.terminalId,
    purchase_description: description,
    ...(session.items.length > 0 && { purchase_items: session.items.map(purchaseItem) }),
    user_ip_address: options.clientIp,
    expires_at: formatExpiresAt(options.now + options.expiryMinutes * 60_000),
  };
}

/** The docs' item shape: the wallet shows `name` and `value` only, so the quantity goes in the name. */
function purchaseItem(item: OrderItem): { name: string; value: string } {
  return { name: `${item.quantity ?? 1} x ${item.name}`, value: String(item.amount) };
}
