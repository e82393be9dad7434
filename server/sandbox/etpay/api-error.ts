/** An ETpay API refusal, answered as `{"message": …}` (§4.3; the shape is assumed). */
export class EtpayApiError extends Error {
  readonly status: 400 | 401 | 500;

  constructor(status: 400 | 401 | 500, message: string) {
    super(message);
    this.name = 'EtpayApiError';
    this.status = status;
  }

  static invalidBody(): EtpayApiError {
    return new EtpayApiError(400, 'invalid JSON body');
  }

  static invalidCredentials(): EtpayApiError {
    return new EtpayApiError(401, 'invalid merchant credentials');
  }

  static invalidField(field: string): EtpayApiError {
    return new EtpayApiError(400, `invalid ${field}`);
  }

  static missingId(): EtpayApiError {
    return new EtpayApiError(400, 'session_token, payment_token or merchant_order_id is required');
  }
}

/** The body of the provider's 5xx (scripted faults and unexpected failures). */
export const internalErrorBody = { message: 'internal error' } as const;

export type JsonObject = Record<string, unknown>;

/** Parses a body as JSON whatever its Content-Type, as ETpay does (§3); only objects pass. */
export function parseJsonObject(text: string): JsonObject {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw EtpayApiError.invalidBody();
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw EtpayApiError.invalidBody();
  return value as JsonObject;
}
