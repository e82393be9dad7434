import { EtpayApiError, type JsonObject } from './api-error.js';
import type { MetadataItem, SessionRequest } from './session.js';

const orderIdPattern = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Validates the initialize fields after the credentials, in §10's order; the first failure
 * throws `invalid <field>`. Unknown fields are ignored. A field is "present" when it is not
 * `undefined`: an explicit `null` is a wrong type, which keeps the client honest.
 */
export function parseSessionRequest(body: JsonObject): SessionRequest {
  const merchantOrderId = body.merchant_order_id;
  if (typeof merchantOrderId !== 'string' || !orderIdPattern.test(merchantOrderId)) {
    throw EtpayApiError.invalidField('merchant_order_id');
  }
  const orderAmount = body.order_amount;
  // Safe integers only: 1e300 is an "integer" to JavaScript but no CLP amount.
  if (typeof orderAmount !== 'number' || !Number.isSafeInteger(orderAmount) || orderAmount <= 0) {
    throw EtpayApiError.invalidField('order_amount');
  }
  const customerEmail = optional(body, 'customer_email', isString);
  // Copies, so unknown keys inside the items are not stored either.
  const metadata = (optional(body, 'metadata', isMetadata) ?? []).map(({ name, value, show }) => ({
    name,
    value,
    show,
  }));
  const paymentCompletedUrl = optional(body, 'payment_completed_url', isHttpUrl);
  const paymentCancellationUrl = optional(body, 'payment_cancellation_url', isHttpUrl);
  const paymentWebhookUrl = optional(body, 'payment_webhook_url', isHttpUrl);
  const concat = optional(body, 'concat', isOneCharacter);
  const userRut = optional(body, 'user_rut', isString);
  const userBankCode = optional(body, 'user_bank_code', isString);
  return {
    merchantOrderId,
    orderAmount,
    metadata,
    // Not validated (§10 does not list it): the SDK types it as a string, so "true" counts too.
    isRutBlock: String(body.is_rut_block).toLowerCase() === 'true',
    customerEmail,
    userBankCode,
    userRut,
    paymentCompletedUrl,
    paymentCancellationUrl,
    paymentWebhookUrl,
    concat,
  };
}

function optional<T>(body: JsonObject, field: string, check: (value: unknown) => value is T): T | undefined {
  const value = body[field];
  if (value === undefined) return undefined;
  if (!check(value)) throw EtpayApiError.invalidField(field);
  return value;
}

function isString(value: unknown): value is string {
  return typeof value === 'string';
}

function isOneCharacter(value: unknown): value is string {
  return typeof value === 'string' && [...value].length === 1;
}

function isHttpUrl(value: unknown): value is string {
  if (typeof value !== 'string' || !URL.canParse(value)) return false;
  const { protocol } = new URL(value);
  return protocol === 'http:' || protocol === 'https:';
}

function isMetadata(value: unknown): value is MetadataItem[] {
  return (
    Array.isArray(value) &&
    value.every(
      (item: unknown) =>
        typeof item === 'object' &&
        item !== null &&
        typeof (item as JsonObject).name === 'string' &&
        typeof (item as JsonObject).value === 'string' &&
        typeof (item as JsonObject).show === 'boolean',
    )
  );
}
