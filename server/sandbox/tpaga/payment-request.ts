import type { WebhookBehaviour } from '../shared/webhooks.js';
import { formatTimestamp } from './format.js';
import { type JsonValue, type KeyOrder, stringifyJson } from './json.js';

/** Tpaga's `status` words (TPAGA.md §7). */
export const PaymentRequestStatus = {
  created: 'created',
  paid: 'paid',
  delivered: 'delivered',
  failed: 'failed',
  expired: 'expired',
  cancelled: 'cancelled',
  reverted: 'reverted',
} as const;
export type PaymentRequestStatus = (typeof PaymentRequestStatus)[keyof typeof PaymentRequestStatus];

/** One stored payment request ("PR"). Instants are epoch milliseconds. */
export interface PaymentRequest {
  /** The Basic-auth user that created it. */
  readonly merchant: string;
  readonly token: string;
  /** Already in BigDecimal notation (`"12000.0"`). */
  readonly cost: string;
  readonly purchaseDetailsUrl: string;
  readonly voucherUrl: string | null;
  readonly idempotencyToken: string;
  readonly orderId: string;
  readonly terminalId: string;
  readonly purchaseDescription: string;
  /** As received; `null` when omitted. */
  readonly purchaseItems: JsonValue;
  readonly userIpAddress: string;
  readonly miniappUserToken: string | null;
  readonly paymentUrl: string;
  readonly createdAt: number;
  status: PaymentRequestStatus;
  expiresAt: number;
  /** When the buyer paid; starts the auto-revert window. */
  paidAt: number | null;
  cancelledAt: number | null;
  checkedByMerchantAt: number | null;
  deliveryNotificationAt: number | null;
  /** This request's own webhook behaviour, else the sandbox default. */
  webhook?: WebhookBehaviour;
}

/**
 * The PaymentRequest object as JSON text, keys in Tpaga's order (TPAGA.md §4.1). `purchase_items`
 * is echoed as received on create and in jsonb key order on every later read.
 */
export function serializePaymentRequest(pr: PaymentRequest, itemsOrder: KeyOrder): string {
  const time = (ms: number | null) => (ms === null ? null : formatTimestamp(ms));
  const fields: Array<[string, string]> = [
    ['miniapp_user_token', JSON.stringify(pr.miniappUserToken)],
    ['cost', JSON.stringify(pr.cost)],
    ['purchase_details_url', JSON.stringify(pr.purchaseDetailsUrl)],
    ['voucher_url', JSON.stringify(pr.voucherUrl)],
    ['idempotency_token', JSON.stringify(pr.idempotencyToken)],
    ['order_id', JSON.stringify(pr.orderId)],
    ['terminal_id', JSON.stringify(pr.terminalId)],
    ['purchase_description', JSON.stringify(pr.purchaseDescription)],
    ['purchase_items', stringifyJson(pr.purchaseItems, itemsOrder)],
    ['user_ip_address', JSON.stringify(pr.userIpAddress)],
    ['merchant_user_id', 'null'],
    ['token', JSON.stringify(pr.token)],
    ['tpaga_payment_url', JSON.stringify(pr.paymentUrl)],
    ['status', JSON.stringify(pr.status)],
    ['expires_at', JSON.stringify(time(pr.expiresAt))],
    ['cancelled_at', JSON.stringify(time(pr.cancelledAt))],
    ['checked_by_merchant_at', JSON.stringify(time(pr.checkedByMerchantAt))],
    ['delivery_notification_at', JSON.stringify(time(pr.deliveryNotificationAt))],
  ];
  return `{${fields.map(([key, value]) => `"${key}":${value}`).join(',')}}`;
}

// The transitions of TPAGA.md §10. Each answers whether it applied; the caller decides what a
// refusal means (a 422 state error on the API, a 409 on the control API).

/** `created` past `expires_at` reads `expired`: no timestamp, no webhook. */
export function expireIfDue(pr: PaymentRequest, now: number): void {
  if (pr.status === PaymentRequestStatus.created && now >= pr.expiresAt) {
    pr.status = PaymentRequestStatus.expired;
  }
}

/** The buyer's decision in the wallet; only a `created` request can be decided. */
export function decide(pr: PaymentRequest, approve: boolean, now: number): boolean {
  if (pr.status !== PaymentRequestStatus.created) return false;
  pr.status = approve ? PaymentRequestStatus.paid : PaymentRequestStatus.failed;
  if (approve) pr.paidAt = now;
  return true;
}

/** The merchant's first `/info` on a paid request; implicit delivery happens here. */
export function markChecked(pr: PaymentRequest, implicitDelivery: boolean, now: number): void {
  if (pr.status !== PaymentRequestStatus.paid || pr.checkedByMerchantAt !== null) return;
  pr.checkedByMerchantAt = now;
  if (implicitDelivery) {
    pr.status = PaymentRequestStatus.delivered;
    pr.deliveryNotificationAt = now;
  }
}

export function confirmDelivery(pr: PaymentRequest, now: number): boolean {
  if (pr.status === PaymentRequestStatus.delivered) return true;
  if (pr.status !== PaymentRequestStatus.paid) return false;
  pr.status = PaymentRequestStatus.delivered;
  pr.deliveryNotificationAt = now;
  return true;
}

export function refund(pr: PaymentRequest): boolean {
  if (pr.status === PaymentRequestStatus.reverted) return true;
  if (pr.status !== PaymentRequestStatus.paid && pr.status !== PaymentRequestStatus.delivered) return false;
  pr.status = PaymentRequestStatus.reverted;
  return true;
}

export function cancel(pr: PaymentRequest, now: number): boolean {
  if (pr.status === PaymentRequestStatus.cancelled) return true;
  if (pr.status !== PaymentRequestStatus.created) return false;
  pr.status = PaymentRequestStatus.cancelled;
  pr.cancelledAt = now;
  return true;
}

/** Tpaga's own refund of a payment the merchant never confirmed. */
export function revertUndelivered(pr: PaymentRequest): boolean {
  if (pr.status !== PaymentRequestStatus.paid) return false;
  pr.status = PaymentRequestStatus.reverted;
  return true;
}
