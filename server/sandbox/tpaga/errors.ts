import { type JsonValue, stringifyJson } from './json.js';

/** A refused API call, answered with `body` (JSON text, usually a DataErrorModel) as is. */
export class TpagaApiError extends Error {
  readonly status: 400 | 403 | 409 | 422;
  readonly body: string;

  constructor(status: 400 | 403 | 409 | 422, body: string, message = body) {
    super(message);
    this.status = status;
    this.body = body;
  }
}

/** Tpaga's `error_code` values: 1 input (also the disabled 403), 2 state (sandbox's choice), 3 idempotency. */
export const ErrorCode = { input: 1, state: 2, idempotency: 3 } as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

function dataError(
  code: ErrorCode,
  message: string,
  fieldName: string | null,
  rejectedValue: JsonValue | undefined,
): string {
  return `{"error_code":${code},"error_message":${JSON.stringify(message)},"field_name":${JSON.stringify(
    fieldName,
  )},"rejected_value":${stringifyJson(rejectedValue ?? null)}}`;
}

/** `422 Input error: <message>`; `rejected` is the raw input, `undefined` when it was absent. */
export function inputError(field: string, message: string, rejected: JsonValue | undefined): TpagaApiError {
  return new TpagaApiError(422, dataError(ErrorCode.input, `Input error: ${message}`, field, rejected));
}

export function unknownPaymentRequest(token: string): TpagaApiError {
  return new TpagaApiError(
    422,
    dataError(ErrorCode.input, 'No se ha encontrado la solicitud de pago', 'payment_request_token', token),
  );
}

export function stateError(token: string, status: string): TpagaApiError {
  return new TpagaApiError(
    422,
    dataError(
      ErrorCode.state,
      `State error: the payment request is ${status}`,
      'payment_request_token',
      token,
    ),
  );
}

export function productDisabled(): TpagaApiError {
  return new TpagaApiError(
    403,
    dataError(ErrorCode.input, 'Merchant product is disabled. Please contact Tpaga support', null, null),
  );
}

/** The 409 for a known `idempotency_token`: the stored request wrapped (today) or bare (2018). */
export function idempotencyConflict(paymentRequest: string, unwrapped: boolean): TpagaApiError {
  const message = 'Idempotency error: The payment request was already created';
  return new TpagaApiError(
    409,
    unwrapped
      ? paymentRequest
      : `{"error_code":${ErrorCode.idempotency},"error_message":${JSON.stringify(message)},"data":${paymentRequest}}`,
  );
}

/** Unparseable JSON: Rails answers 400 with an empty body. */
export function unparseableBody(): TpagaApiError {
  return new TpagaApiError(400, '', 'the body is not valid JSON');
}

/** Refusals of the control API and the in-process sim calls (shared with the ETpay sandbox). */
export { SimError } from '../shared/control.js';
