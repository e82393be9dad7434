// The JSON the Pasarela server speaks to the widget (DESIGN.md, "Server: HTTP API"). Declared here
// rather than imported from server/ so the published `.d.ts` files stand on their own; a type test
// (test/server/widget-ssr.test.ts) keeps the two in step.

/** A provider's id as the server names it: a built-in one or a merchant's own module. */
export type ProviderId = string;

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

export type Currency = 'CLP' | 'COP';

/** What `GET /api/config` says about one provider. */
export interface ProviderInfo {
  id: ProviderId;
  name: string;
  currency: Currency;
  /** ISO 3166-1 alpha-2 (`CL`, `CO`). */
  country: string;
  /** How the buyer pays: on the provider's page (`redirect`), or in a wallet app by link or QR code. */
  flow: Flow;
  /** The picker's mark: an https or `data:image/` URL. */
  mark: string;
}

export type Flow = 'redirect' | 'wallet';

/** `GET /api/config`. */
export interface ServerConfig {
  providers: ProviderInfo[];
  sandbox: boolean;
}

/** What the buyer's browser does next. */
export type SessionAction = { type: 'redirect'; url: string } | { type: 'wallet'; url: string; qr: string };

/** A payment session as the server shows it to the widget. */
export interface Session {
  id: string;
  provider: ProviderId;
  status: Status;
  /** Integer pesos. */
  amount: number;
  currency: Currency;
  orderId: string;
  description: string | null;
  createdAt: string;
  updatedAt: string;
  expiresAt: string | null;
  action: SessionAction | null;
}

// Literals rather than `Status.…` here and in the widget's other code: type-checked the same, and
// they keep the `Status` object out of the script-tag bundle, which has a 14 KB budget.
export function isFinal(status: Status): boolean {
  return status !== 'pending';
}

/** The money moved: `paid`, or `delivered` after it. */
export function isPaid(status: Status): boolean {
  return status === 'paid' || status === 'delivered';
}

export function assertNever(value: never): never {
  throw new Error(`unexpected value: ${String(value)}`);
}
