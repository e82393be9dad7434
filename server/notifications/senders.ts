// How one attempt reaches each kind of destination: a signed HTTP POST to the merchant's endpoint,
// or a call of the library's `onStatusChange` hook. (Automatic delivery is `Payments.confirmDelivery`.)
import type { PublicSession } from '../core/session.js';
import { redactString } from '../log.js';
import type { ClaimedDelivery } from '../store/outbox.js';
import { signWebhook } from './signature.js';

/** The result of one attempt, as recorded. */
export interface SendResult {
  ok: boolean;
  httpStatus: number | null;
  error: string | null;
  /** The first 4 KB of the answer, or a short note. */
  response: string | null;
}

/** Makes one attempt; `signal` aborts it (shutdown, or the attempt's time is up). */
export type Sender = (delivery: ClaimedDelivery, signal: AbortSignal) => Promise<SendResult>;

/** How much of an answer is kept with each attempt. */
export const responseLimitBytes = 4096;

export interface WebhookSenderOptions {
  url: string;
  /** `whsec_…`; during a rotation, the new and the old one (each attempt is signed with both). */
  secrets: readonly string[];
  fetch: typeof fetch;
  now: () => number;
}

/**
 * Standard Webhooks v1: the event's stored body, `webhook-id` (the same on every attempt),
 * `webhook-timestamp` (this attempt) and `webhook-signature`. Delivered means a 2xx; a redirect is
 * not followed (the endpoint moved: the merchant must say so), and counts as a failure.
 */
export function webhookSender(options: WebhookSenderOptions): Sender {
  return async (delivery, signal) => {
    const timestamp = Math.floor(options.now() / 1000);
    const signature = await signWebhook(delivery.eventId, timestamp, delivery.body, options.secrets);
    let response: Response;
    try {
      response = await options.fetch(options.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Pasarela-Webhooks/1',
          'webhook-id': delivery.eventId,
          'webhook-timestamp': String(timestamp),
          'webhook-signature': signature,
        },
        body: delivery.body,
        redirect: 'manual',
        signal,
      });
    } catch (error) {
      return { ok: false, httpStatus: null, error: describeFetchError(error, signal), response: null };
    }
    const text = await readStart(response, signal);
    const status = response.status;
    if (status >= 200 && status < 300) return { ok: true, httpStatus: status, error: null, response: text };
    const location = response.headers.get('location');
    const error =
      status >= 300 && status < 400
        ? `answered ${status} (a redirect${location ? ` to ${redactString(location)}` : ''}), which is not followed: set PASARELA_WEBHOOK_URL to the final address`
        : `answered ${status}`;
    return { ok: false, httpStatus: status, error, response: text };
  };
}

/** The library hook: called with the session as it stood after the change; a throw is a failure. */
export function hookSender(hook: (session: PublicSession) => void | Promise<void>): Sender {
  return async (delivery, signal) => {
    const { data } = JSON.parse(delivery.body) as { data: PublicSession };
    try {
      await Promise.race([hook(data), aborted(signal)]);
      return { ok: true, httpStatus: null, error: null, response: null };
    } catch (error) {
      const message = signal.aborted ? describeAbort(signal) : `threw: ${String(error)}`;
      return { ok: false, httpStatus: null, error: redactString(message).slice(0, 500), response: null };
    }
  };
}

/** Up to `responseLimitBytes` of the body, within the attempt's time; what arrived is kept. */
async function readStart(response: Response, signal: AbortSignal): Promise<string | null> {
  if (!response.body) return null;
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  const stop = () => void reader.cancel().catch(() => undefined);
  signal.addEventListener('abort', stop, { once: true });
  try {
    while (size < responseLimitBytes) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } catch {
    // The answer's status is what counts; a body cut short is kept as far as it came.
  } finally {
    signal.removeEventListener('abort', stop);
    void reader.cancel().catch(() => undefined);
  }
  const bytes = new Uint8Array(Math.min(size, responseLimitBytes));
  let at = 0;
  for (const chunk of chunks) {
    const part = chunk.subarray(0, bytes.length - at);
    bytes.set(part, at);
    at += part.length;
    if (at >= bytes.length) break;
  }
  return new TextDecoder().decode(bytes);
}

function aborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}

function describeAbort(signal: AbortSignal): string {
  const reason = signal.reason as { name?: string; message?: string } | undefined;
  return reason?.name === 'TimeoutError' ? 'no answer in time' : (reason?.message ?? 'interrupted');
}

/** Node's fetch says only "fetch failed"; the cause says what happened. */
function describeFetchError(error: unknown, signal: AbortSignal): string {
  if (signal.aborted) return describeAbort(signal);
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const code = cause?.code;
  const words: Record<string, string> = {
    ECONNREFUSED: 'connection refused',
    ECONNRESET: 'connection reset',
    ENOTFOUND: 'host not found',
    EAI_AGAIN: 'host lookup failed',
    ETIMEDOUT: 'connection timed out',
    UND_ERR_SOCKET: 'connection closed without an answer',
    UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
    UND_ERR_HEADERS_TIMEOUT: 'no answer in time',
  };
  const text = code ? `${words[code] ?? 'network error'} (${code})` : String(cause?.message ?? error);
  return redactString(text).slice(0, 500);
}
