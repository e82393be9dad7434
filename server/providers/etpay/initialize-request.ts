import type { PaymentSession } from '../../core/session.js';

/** ETpay shows at most a few lines in its funnel: "3 or 4 fields should be enough" (ETPAY.md §4.1). */
export const maxMetadataItems = 4;

/** One line ETpay shows in its funnel (`show: true`). */
export interface EtpayMetadataItem {
  name: string;
  value: string;
  show: boolean;
}

/** The `POST /session/initialize` body exactly as Pasarela sends it (ETPAY.md §4.1). */
export interface EtpayInitializeBody {
  merchant_code: string;
  merchant_api_token: string;
  merchant_order_id: string;
  order_amount: number;
  customer_email?: string;
  metadata?: EtpayMetadataItem[];
  payment_completed_url: string;
  payment_cancellation_url: string;
  payment_webhook_url: string;
  concat?: string;
}

export interface InitializeCredentials {
  merchantCode: string;
  apiToken: string;
  /** Pasarela's PUBLIC_URL: the return and webhook URLs handed to ETpay live under it. */
  publicUrl: string;
}

/**
 * A URL under PUBLIC_URL. A query on PUBLIC_URL (a proxy's routing parameter, say) stays a query
 * instead of swallowing the path, which is why `concat` may be needed at all.
 */
export function publicLink(publicUrl: string, path: string): string {
  const url = new URL(publicUrl);
  url.pathname = url.pathname.replace(/\/+$/, '') + path;
  url.hash = '';
  return url.toString();
}

export function initializeBody(
  session: PaymentSession,
  credentials: InitializeCredentials,
): EtpayInitializeBody {
  // One landing for both outcomes: the return route reads the verified `?jwt=`, not which URL was hit.
  const returnUrl = publicLink(credentials.publicUrl, `/return/${encodeURIComponent(session.id)}`);
  const metadata = session.items.slice(0, maxMetadataItems).map(
    (item): EtpayMetadataItem => ({
      name: `${item.quantity ?? 1} x ${item.name}`,
      value: String(item.amount),
      show: true,
    }),
  );
  return {
    merchant_code: credentials.merchantCode,
    merchant_api_token: credentials.apiToken,
    merchant_order_id: session.orderId,
    order_amount: session.amount,
    ...(session.customerEmail && { customer_email: session.customerEmail }),
    ...(metadata.length > 0 && { metadata }),
    payment_completed_url: returnUrl,
    payment_cancellation_url: returnUrl,
    payment_webhook_url: publicLink(credentials.publicUrl, '/webhooks/etpay'),
    // ETpay appends `(concat ?? "?") + "jwt=…"`: without `&`, a URL with a query would get a second `?`.
    ...(returnUrl.includes('?') && { concat: '&' }),
  };
}
