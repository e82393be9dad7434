// Standard Webhooks v1 signatures (standardwebhooks.com), as DESIGN.md "Merchant notifications"
// fixes them: `webhook-signature: v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">`, keyed
// with the base64-decoded part of the `whsec_…` secret. Web Crypto only, so it runs wherever the
// server core does (and in a merchant's own Node receiver).

const encoder = new TextEncoder();
const secretPrefix = 'whsec_';

/** Why a notification was refused; the message says what to check. */
export type WebhookVerificationReason =
  | 'missing_headers'
  | 'invalid_timestamp'
  | 'stale_timestamp'
  | 'no_matching_signature'
  | 'invalid_secret';

export class WebhookVerificationError extends Error {
  override readonly name = 'WebhookVerificationError';
  constructor(
    readonly reason: WebhookVerificationReason,
    message: string,
  ) {
    super(message);
  }
}

export interface VerifyWebhookOptions {
  /** How far `webhook-timestamp` may be from this clock, either way (300 s). */
  toleranceSeconds?: number;
  /** Milliseconds since the epoch (tests). */
  now?: () => number;
}

/** What `verifyWebhook` gives back: the notification, parsed, with its id. */
export interface VerifiedWebhook<T = unknown> {
  id: string;
  timestamp: number;
  payload: T;
}

type HeaderSource = Headers | Record<string, string | string[] | undefined>;

/**
 * The `webhook-signature` value for one attempt: one `v1,…` entry per secret, space-separated
 * (two during a secret rotation).
 */
export async function signWebhook(
  id: string,
  timestamp: number,
  body: string,
  secrets: string | readonly string[],
): Promise<string> {
  const list = typeof secrets === 'string' ? [secrets] : secrets;
  const signatures = await Promise.all(list.map((secret) => sign(secret, `${id}.${timestamp}.${body}`)));
  return signatures.map((signature) => `v1,${signature}`).join(' ');
}

/**
 * Checks a notification from Pasarela: the three Standard Webhooks headers, a timestamp within
 * the tolerance, and a signature made with `secret` over the raw `body` (as received, before any
 * JSON parsing), compared in constant time. Throws `WebhookVerificationError`; returns the parsed
 * body. Deduplicate on `id`: a notification may arrive more than once.
 */
export async function verifyWebhook<T = unknown>(
  body: string,
  headers: HeaderSource,
  secret: string,
  options: VerifyWebhookOptions = {},
): Promise<VerifiedWebhook<T>> {
  const id = header(headers, 'webhook-id');
  const stamp = header(headers, 'webhook-timestamp');
  const signatures = header(headers, 'webhook-signature');
  if (!id || !stamp || !signatures) {
    throw new WebhookVerificationError(
      'missing_headers',
      'The request lacks webhook-id, webhook-timestamp or webhook-signature: it is not a Pasarela notification.',
    );
  }
  if (!/^\d{1,15}$/.test(stamp)) {
    throw new WebhookVerificationError('invalid_timestamp', 'webhook-timestamp must be Unix seconds.');
  }
  const timestamp = Number(stamp);
  const tolerance = options.toleranceSeconds ?? 300;
  const now = Math.floor((options.now ?? Date.now)() / 1000);
  if (Math.abs(now - timestamp) > tolerance) {
    throw new WebhookVerificationError(
      'stale_timestamp',
      `webhook-timestamp is ${now - timestamp} s from this server's clock (more than ${tolerance} s): a replayed request, or a clock to fix.`,
    );
  }
  const expected = base64ToBytes(await sign(secret, `${id}.${timestamp}.${body}`));
  const matches = signatures
    .split(' ')
    .filter((entry) => entry.startsWith('v1,'))
    .some((entry) => {
      const given = tryBase64ToBytes(entry.slice(3));
      return given !== undefined && constantTimeEqual(given, expected);
    });
  if (!matches) {
    throw new WebhookVerificationError(
      'no_matching_signature',
      'No signature matches this secret: check PASARELA_WEBHOOK_SECRET, and verify the raw body as received.',
    );
  }
  return { id, timestamp, payload: JSON.parse(body) as T };
}

/** Imported keys by secret: a dispatcher signs every attempt with the same one or two. */
const keys = new Map<string, Promise<CryptoKey>>();

function hmacKey(secret: string): Promise<CryptoKey> {
  let key = keys.get(secret);
  if (!key) {
    key = crypto.subtle.importKey('raw', secretBytes(secret), { name: 'HMAC', hash: 'SHA-256' }, false, [
      'sign',
    ]);
    // A few secrets at most in a process; a receiver verifying for many shops is bounded too.
    if (keys.size >= 64) keys.clear();
    keys.set(secret, key);
    key.catch(() => keys.delete(secret));
  }
  return key;
}

async function sign(secret: string, content: string): Promise<string> {
  const key = await hmacKey(secret);
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, encoder.encode(content)));
  return btoa(String.fromCharCode(...mac));
}

function secretBytes(secret: string): Uint8Array<ArrayBuffer> {
  const bytes = secret.startsWith(secretPrefix)
    ? tryBase64ToBytes(secret.slice(secretPrefix.length))
    : undefined;
  if (!bytes?.length) {
    throw new WebhookVerificationError('invalid_secret', 'The secret must be whsec_ followed by base64.');
  }
  return bytes;
}

function header(headers: HeaderSource, name: string): string | undefined {
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  const found = Object.entries(headers).find(([key]) => key.toLowerCase() === name)?.[1];
  return Array.isArray(found) ? found[0] : found;
}

function base64ToBytes(text: string): Uint8Array<ArrayBuffer> {
  return Uint8Array.from(atob(text), (ch) => ch.charCodeAt(0));
}

function tryBase64ToBytes(text: string): Uint8Array<ArrayBuffer> | undefined {
  try {
    return base64ToBytes(text);
  } catch {
    return undefined;
  }
}

/** Compares without an early exit, so the time taken says nothing about where they differ. */
function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a[i]! ^ b[i]!;
  return difference === 0;
}
