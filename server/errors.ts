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

export function errorBody(code: string, message: string) {
  return { error: { code, message } };
}
