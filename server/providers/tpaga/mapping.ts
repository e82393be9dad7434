import { assertNever, type PaymentSession, Status } from '../../core/session.js';
import type { ProviderObservation } from '../provider.js';

/** The payment request `status` words Tpaga uses (TPAGA.md §7; `cancelled` from T4). */
export const TpagaStatus = {
  created: 'created',
  paid: 'paid',
  delivered: 'delivered',
  failed: 'failed',
  expired: 'expired',
  cancelled: 'cancelled',
  reverted: 'reverted',
} as const;
export type TpagaStatus = (typeof TpagaStatus)[keyof typeof TpagaStatus];

function isTpagaStatus(raw: string): raw is TpagaStatus {
  return Object.hasOwn(TpagaStatus, raw);
}

/** Statuses a refund can follow directly; from any other, a `reverted` first needs the payment. */
const moneyReceived: ReadonlySet<Status> = new Set([Status.paid, Status.delivered, Status.refunded]);

/**
 * Tpaga's raw `status` → the Pasarela statuses to apply, in order. `created` and unknown words
 * change nothing (the raw word is still logged). `reverted` means the money had moved: seen by a
 * session that never recorded the payment (still pending, or failed/expired before a late
 * payment: "money wins") it is recorded as paid, then refunded.
 */
export function mapTpagaStatus(raw: string, currentSessionStatus?: Status): Status[] {
  if (!isTpagaStatus(raw)) return [];
  switch (raw) {
    case TpagaStatus.created:
      return [];
    case TpagaStatus.paid:
      return [Status.paid];
    case TpagaStatus.delivered:
      return [Status.delivered];
    case TpagaStatus.failed:
      return [Status.failed];
    case TpagaStatus.expired:
      return [Status.expired];
    case TpagaStatus.cancelled:
      return [Status.cancelled];
    case TpagaStatus.reverted:
      return currentSessionStatus === undefined || moneyReceived.has(currentSessionStatus)
        ? [Status.refunded]
        : [Status.paid, Status.refunded];
    default:
      return assertNever(raw);
  }
}

/**
 * A verified payment request answer (`/info` or an admin call) → an observation. The key is the
 * token and status, so the webhook, the return, reconciliation and an admin call seeing the same
 * state store it once.
 */
export function toObservation(
  pr: { token: string; status: string },
  session: Pick<PaymentSession, 'status'>,
): ProviderObservation {
  return {
    statuses: mapTpagaStatus(pr.status, session.status),
    providerStatus: pr.status,
    dedupeKey: `${pr.token}:${pr.status}`,
  };
}
