/**
 * HTTP plumbing shared by the provider clients: a timeout and the caller's AbortSignal on every
 * call, and retries only for calls the caller marks safe to repeat (at most twice, exponential
 * backoff with full jitter).
 */
import { ProviderError, ProviderErrorKind } from './errors.js';

export interface ProviderHttpOptions {
  fetch?: typeof fetch;
  /** Per attempt (10 s). */
  timeoutMs?: number;
  /** Retries after the first attempt, for idempotent calls only (2). */
  maxRetries?: number;
  /** First backoff step (200 ms), doubled each retry, fully jittered. */
  backoffMs?: number;
  random?: () => number;
}

export interface ProviderRequest {
  method: 'GET' | 'POST';
  url: string;
  headers?: Record<string, string>;
  body?: string;
  /** True for reads and for creates the provider deduplicates; enables retries. */
  idempotent: boolean;
  signal?: AbortSignal;
}

export interface ProviderResponse {
  status: number;
  /** Parsed JSON, or undefined when the body is empty or not JSON. */
  json: unknown;
  text: string;
}

/** The provider could not be reached or answered 5xx (outcome unknown). */
export class ProviderUnavailableError extends ProviderError {
  override readonly name = 'ProviderUnavailableError';
  /** The provider's 5xx status, when it answered at all. */
  readonly status: number | undefined;
  constructor(message: string, status?: number) {
    super(ProviderErrorKind.unavailable, message);
    this.status = status;
  }
}

export function createProviderHttp(options: ProviderHttpOptions = {}) {
  const doFetch = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const maxRetries = options.maxRetries ?? 2;
  const backoffMs = options.backoffMs ?? 200;
  const random = options.random ?? Math.random;

  async function attempt(request: ProviderRequest): Promise<ProviderResponse> {
    const signals = [AbortSignal.timeout(timeoutMs)];
    if (request.signal) signals.push(request.signal);
    let response: Response;
    try {
      response = await doFetch(request.url, {
        method: request.method,
        headers: request.headers ?? {},
        ...(request.body !== undefined && { body: request.body }),
        signal: AbortSignal.any(signals),
      });
    } catch (error) {
      if (request.signal?.aborted) throw request.signal.reason ?? error;
      const reason = error instanceof Error && error.name === 'TimeoutError' ? 'timed out' : 'failed';
      throw new ProviderUnavailableError(`${request.method} ${new URL(request.url).pathname} ${reason}`);
    }
    const text = await response.text().catch(() => '');
    if (response.status >= 500) {
      throw new ProviderUnavailableError(
        `${request.method} ${new URL(request.url).pathname} answered ${response.status}`,
        response.status,
      );
    }
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: response.status, json, text };
  }

  return async function send(request: ProviderRequest): Promise<ProviderResponse> {
    for (let retry = 0; ; retry++) {
      try {
        return await attempt(request);
      } catch (error) {
        const retryable =
          error instanceof ProviderUnavailableError && request.idempotent && retry < maxRetries;
        if (!retryable) throw error;
        await sleep(random() * backoffMs * 2 ** retry, request.signal);
      }
    }
  };
}

export type ProviderHttp = ReturnType<typeof createProviderHttp>;

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });
}
