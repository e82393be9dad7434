import { inputError } from './errors.js';
import { formatDecimal, isPositiveDecimal, parseExpiresAt } from './format.js';
import { isJsonNumber, type JsonObject, type JsonValue, member } from './json.js';

/** A valid `payment_requests/create` body. */
export interface CreateInput {
  /** BigDecimal notation. */
  cost: string;
  purchaseDetailsUrl: string;
  voucherUrl: string | null;
  idempotencyToken: string;
  orderId: string;
  terminalId: string;
  purchaseDescription: string;
  purchaseItems: JsonValue;
  userIpAddress: string;
  /** Epoch milliseconds. */
  expiresAt: number;
  miniappUserToken: string | null;
}

/**
 * Text a text field holds: strings as sent, numbers as written (a Rails string column stores
 * `348820` as `"348820"`); anything else (booleans, objects, arrays) is refused as invalid.
 */
export function textOf(value: JsonValue | undefined): string | undefined {
  if (typeof value === 'string') return value;
  if (isJsonNumber(value)) return value.text;
  return undefined;
}

/** Rails' `blank?`: absent, null, whitespace-only text, or an empty array or object. */
export function isBlank(value: JsonValue | undefined): boolean {
  if (value === undefined || value === null) return true;
  if (typeof value === 'string') return value.trim() === '';
  if (Array.isArray(value)) return value.length === 0;
  return typeof value === 'object' && value.kind === 'object' && value.entries.length === 0;
}

/**
 * Validates a create body in the order of TPAGA.md §4.1 and throws the 422 of the first failure.
 * `rejected_value` is always the raw input, or `null` when the field was absent.
 */
export function validateCreateInput(params: JsonObject): CreateInput {
  const cost = member(params, 'cost');
  if (isBlank(cost)) throw inputError('cost', "can't be blank", cost);
  const costText = textOf(cost);
  const formattedCost = costText === undefined ? undefined : formatDecimal(costText);
  if (formattedCost === undefined) throw inputError('cost', 'is not a number', cost);
  if (!isPositiveDecimal(formattedCost)) throw inputError('cost', 'must be greater than 0', cost);

  const purchaseDetailsUrl = requiredText(params, 'purchase_details_url');
  const voucherUrl = optionalText(params, 'voucher_url');
  const idempotencyToken = requiredText(params, 'idempotency_token');
  const orderId = requiredText(params, 'order_id');
  const terminalId = requiredText(params, 'terminal_id');
  const purchaseDescription = requiredText(params, 'purchase_description');
  const purchaseItems = member(params, 'purchase_items') ?? null;
  const userIpAddress = requiredText(params, 'user_ip_address');

  const rawExpiry = member(params, 'expires_at');
  if (isBlank(rawExpiry)) throw inputError('expires_at', "can't be blank", rawExpiry);
  const expiresAt = typeof rawExpiry === 'string' ? parseExpiresAt(rawExpiry) : undefined;
  if (expiresAt === undefined) throw inputError('expires_at', 'is invalid', rawExpiry);

  const miniappUserToken = optionalText(params, 'miniapp_user_token');
  return {
    cost: formattedCost,
    purchaseDetailsUrl,
    voucherUrl,
    idempotencyToken,
    orderId,
    terminalId,
    purchaseDescription,
    purchaseItems,
    userIpAddress,
    expiresAt,
    miniappUserToken,
  };
}

function requiredText(params: JsonObject, field: string): string {
  const value = member(params, field);
  if (isBlank(value)) throw inputError(field, "can't be blank", value);
  const text = textOf(value);
  if (text === undefined) throw inputError(field, 'is invalid', value);
  return text;
}

function optionalText(params: JsonObject, field: string): string | null {
  const value = member(params, field);
  if (value === undefined || value === null) return null;
  const text = textOf(value);
  if (text === undefined) throw inputError(field, 'is invalid', value);
  return text;
}
