import { Hono } from 'hono';
import type { AppContext } from '../context.js';
import type { PaymentSession } from '../core/session.js';
import { PasarelaError } from '../errors.js';
import { ProviderError, ProviderErrorKind } from '../providers/errors.js';
import type { PaymentProvider, ProviderModule } from '../providers/provider.js';
import { readJson } from './read-json.js';

/**
 * Provider notifications at `POST /webhooks/<id>…`, each read by its provider's own handler:
 * either verified there (a signed JWT) and applied, or a hint that makes Pasarela ask the provider.
 * The 200 follows what the notification means being stored: the verified status; for a hint, the
 * provider's answer, or (within moments of the last question about that payment) the next check
 * brought forward in the store, so a crash before that question loses nothing.
 */
export function webhookRoutes(ctx: AppContext, modules: readonly ProviderModule[]): Hono {
  const app = new Hono();
  for (const { info } of modules) {
    const provider = ctx.payments.provider(info.id);
    if (!provider) {
      app.on('POST', [`/${info.id}`, `/${info.id}/*`], () => {
        throw new PasarelaError(404, 'provider_not_available', `${info.name} is not enabled on this server.`);
      });
    } else if (provider.webhook) {
      const webhook = provider.webhook;
      app.on(
        'POST',
        webhook.paths.map((path) => `/${info.id}${path}`),
        async (c) => {
          c.set('providerCall', { providerName: info.name });
          const outcome = await webhook.handle({
            params: c.req.param() as Record<string, string>,
            json: () => readJson(c),
            text: () => c.req.text(),
            raw: c.req.raw,
            findSession: (ref) => ctx.store.findByProviderRef(info.id, ref),
          });
          if ('observation' in outcome) {
            await ctx.payments.observe(outcome.session, outcome.observation, 'webhook');
          } else {
            await askProvider(ctx, provider, outcome.session, c.req.raw.signal);
          }
          return c.json({ ok: true });
        },
      );
    }
  }
  return app;
}

/** A hint's query; both failures below are this route's own: a webhook acknowledges or asks again. */
async function askProvider(
  ctx: AppContext,
  provider: PaymentProvider,
  session: PaymentSession,
  signal: AbortSignal,
): Promise<void> {
  try {
    await ctx.payments.hint(session, 'webhook', signal);
  } catch (error) {
    if (!(error instanceof ProviderError)) throw error;
    const name = provider.info.name;
    if (error.kind === ProviderErrorKind.answerMismatch) {
      // The provider's answer is not about this session's payment (amount or reference differ):
      // recorded for the merchant and ignored, as the provider records prescribe.
      ctx.log.error(`${name} answer does not match the session`, {
        session: session.id,
        error: error.message,
      });
      return;
    }
    if (error.kind !== ProviderErrorKind.unavailable) throw error;
    // Not acknowledged: the status is unknown. Reconciliation asks again on its own.
    ctx.log.warn(`${name} query failed after a webhook`, { session: session.id, error: error.message });
    throw new PasarelaError(
      503,
      'provider_unavailable',
      `${name} did not answer; the status is checked again later.`,
    );
  }
}
