import type { AppContext } from '../context.js';
import { PasarelaError } from '../errors.js';

interface StoredResponse<B> {
  status: 201;
  body: B;
}

/** How long a duplicate waits for the first request with its key to finish. */
const waitForFirstMs = 15_000;
const pollMs = 50;

/**
 * `Idempotency-Key` on session creation: the same key and body give the same session and response;
 * the same key with another body is a 409 `idempotency_mismatch`; concurrent duplicates wait for
 * the first and then share its answer, so only one session is ever created. A failed first
 * request releases its key so a retry can succeed.
 */
export async function withIdempotencyKey<B>(
  ctx: AppContext,
  key: string,
  body: unknown,
  create: () => Promise<StoredResponse<B>>,
): Promise<StoredResponse<B>> {
  if (!/^[\x21-\x7e]{1,255}$/.test(key)) {
    throw new PasarelaError(
      400,
      'invalid_idempotency_key',
      'Idempotency-Key must be 1–255 visible ASCII characters.',
    );
  }
  const fingerprint = await sha256(JSON.stringify(body));
  const claim = await ctx.store.claimIdempotencyKey({
    key,
    fingerprint,
    sessionId: null,
    response: null,
    createdAt: new Date(ctx.now()).toISOString(),
  });
  if (claim.created) return runFirst(ctx, key, create);
  let record = claim.record;
  const deadline = Date.now() + waitForFirstMs;
  for (;;) {
    if (record.fingerprint !== fingerprint) {
      throw new PasarelaError(
        409,
        'idempotency_mismatch',
        'This Idempotency-Key was used with a different request: use a new key for a new payment.',
      );
    }
    if (record.response) return record.response as StoredResponse<B>;
    if (Date.now() > deadline || ctx.shutdown.aborted) {
      throw new PasarelaError(
        409,
        'idempotency_in_progress',
        'A request with this Idempotency-Key is still running.',
      );
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs));
    const again = await ctx.store.claimIdempotencyKey({ ...claim.record, fingerprint, response: null });
    // The first request failed and released the key while we waited: this one takes over.
    if (again.created) return runFirst(ctx, key, create);
    record = again.record;
  }
}

async function runFirst<B>(
  ctx: AppContext,
  key: string,
  create: () => Promise<StoredResponse<B>>,
): Promise<StoredResponse<B>> {
  try {
    const response = await create();
    await ctx.store.completeIdempotencyKey(key, (response.body as { id: string }).id, response);
    return response;
  } catch (error) {
    await ctx.store.releaseIdempotencyKey(key);
    throw error;
  }
}

async function sha256(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}
