/** The JSON body of every error response (DESIGN.md, "Server: HTTP API"). */
export interface ErrorBody {
  error: { code: string; message: string };
}

/** The one error type routes throw; `app.onError` turns it into `{ error: { code, message } }`. */
export class PasarelaError extends Error {
  override readonly name = 'PasarelaError';
  constructor(
    /** HTTP status (4xx, or 5xx for provider and server failures). */
    readonly status: number,
    /** snake_case, stable: clients branch on it. */
    readonly code: string,
    /** Says what to do; shown to merchants and sometimes buyers, so never a secret. */
    message: string,
  ) {
    super(message);
  }
}

export function errorBody(code: string, message: string): ErrorBody {
  return { error: { code, message } };
}

export function badRequest(code: string, message: string): PasarelaError {
  return new PasarelaError(400, code, message);
}

export function notFound(code: string, message: string): PasarelaError {
  return new PasarelaError(404, code, message);
}

export function unprocessable(code: string, message: string): PasarelaError {
  return new PasarelaError(422, code, message);
}
