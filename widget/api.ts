// The widget's only network partner: the Pasarela server (never a provider directly).
import type { ProviderId, ServerConfig, Session } from './types.js';

/** A failed call, with the server's `{ error: { code, message } }` when it sent one. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly code: string;
  /** HTTP status; 0 when the server could not be reached, or the widget itself refused to go on. */
  readonly status: number;
  /** From `Retry-After` on 429 and 503, in milliseconds. */
  readonly retryAfterMs: number | undefined;

  constructor(code: string, message: string, status: number, retryAfterMs?: number) {
    super(message);
    this.code = code;
    this.status = status;
    this.retryAfterMs = retryAfterMs;
  }
}

/** Which order to pay: a merchant-signed token, or an id the server resolves itself. */
export type OrderRef = { order: string } | { orderId: string };

export class PasarelaApi {
  readonly server: string;

  constructor(server: string) {
    this.server = server;
  }

  /**
   * An absolute URL for an API path (`/api/…`) under the server's base, which may carry the path
   * the server is mounted at: `/api/config` of `https://shop.example/pay` is `…/pay/api/config`.
   */
  url(path: string): string {
    return this.resolve(path.replace(/^\/+/, ''));
  }

  /**
   * An absolute URL for one the server handed out (a session's `action.qr`). A root-relative one
   * already carries the mount path, so it is resolved against the server's origin, not its base.
   */
  resolve(href: string): string {
    return new URL(href, this.server.replace(/\/*$/, '/')).href;
  }

  eventsUrl(sessionId: string): string {
    return this.url(`/api/sessions/${encodeURIComponent(sessionId)}/events`);
  }

  config(signal?: AbortSignal): Promise<ServerConfig> {
    return this.#request<ServerConfig>('/api/config', { signal });
  }

  /**
   * Creates a session. The body names the order and the provider, never an amount: the server
   * takes the amount from the signed order. `idempotencyKey` is fresh per pay click, so a
   * double click or a network retry of the same click cannot create two sessions.
   */
  createSession(provider: ProviderId, order: OrderRef, idempotencyKey: string, signal?: AbortSignal) {
    return this.#request<Session>('/api/sessions', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Idempotency-Key': idempotencyKey },
      body: JSON.stringify({ provider, ...order }),
      signal,
    });
  }

  session(id: string, signal?: AbortSignal): Promise<Session> {
    return this.#request<Session>(`/api/sessions/${encodeURIComponent(id)}`, { signal });
  }

  async #request<T>(path: string, init: RequestInit): Promise<T> {
    let response: Response;
    try {
      response = await fetch(this.url(path), { ...init, credentials: 'omit', cache: 'no-store' });
    } catch (error) {
      if (init.signal?.aborted) throw error;
      throw new ApiError('network_error', 'The Pasarela server could not be reached.', 0);
    }
    const body: unknown = await response.json().catch(() => undefined);
    if (response.ok && body !== undefined) return body as T;
    const error = (body as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
    throw new ApiError(
      typeof error?.code === 'string' ? error.code : `http_${response.status}`,
      typeof error?.message === 'string' ? error.message : `HTTP ${response.status}`,
      response.status,
      retryAfter(response),
    );
  }
}

function retryAfter(response: Response): number | undefined {
  if (response.status !== 429 && response.status !== 503) return undefined;
  const value = response.headers.get('Retry-After');
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/** 128 random bits, hex; `crypto.randomUUID` is missing on plain-http merchant pages. */
export function idempotencyKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}
