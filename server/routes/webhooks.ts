import { Hono } from 'hono';
import type { AppContext } from '../context.js';
import { PasarelaError } from '../errors.js';
import { ProviderError, ProviderErrorKind } from '../providers/errors.js';
import type { EtpayProvider } from '../providers/etpay/index.js';
import type { TpagaProvider } from '../providers/tpaga/index.js';
import { readJson } from './read-json.js';

/**
 * Provider notifications. ETpay's carries a JWT verified with the session's own signature_token
 * before anything is stored; Tpaga's carries only a token and is a hint to ask `/info`.
 * Either way the answer is 200 only after the verified status is stored.
 */
export function webhookRoutes(ctx: AppContext): Hono {
  const app = new Hono();

  app.post('/etpay', async (c) => {
    const etpay = ctx.payments.provider('etpay') as EtpayProvider | undefined;
    if (!etpay)
      throw new PasarelaError(404, 'provider_not_available', 'ETpay is not enabled on this server.');
    const body = await readJson(c);
    const jwt = (body as { payment?: unknown } | null)?.payment;
    if (typeof jwt !== 'string' || jwt.split('.').length !== 3) {
      throw new PasarelaError(400, 'invalid_notification', 'Expected {"payment": "<JWT>"}.');
    }
    c.set('providerCall', { providerName: etpay.info.name });
    // A JWT that cannot be read or trusted is answered by its kind in `app.onError` (400 or 401).
    const verified = await etpay.verifyPaymentJwt(jwt, (token) =>
      ctx.store.findByProviderRef('etpay', token),
    );
    await ctx.payments.observe(verified.session, verified.observation, 'webhook');
    return c.json({ ok: true });
  });

  // A merchant may register the base with a trailing `/`: Tpaga then posts to `…/<token>/`.
  const tpagaPaths = ['/tpaga/:token', '/tpaga/:token/'];
  app.on('POST', tpagaPaths, async (c) => {
    const token = c.req.param('token') ?? '';
    const tpaga = ctx.payments.provider('tpaga') as TpagaProvider | undefined;
    if (!tpaga)
      throw new PasarelaError(404, 'provider_not_available', 'Tpaga is not enabled on this server.');
    if (!tpaga.isValidToken(token)) {
      throw new PasarelaError(
        400,
        'invalid_notification',
        'The path must end in a Tpaga payment request token.',
      );
    }
    const session = await ctx.store.findByProviderRef('tpaga', token);
    if (!session)
      throw new PasarelaError(404, 'session_not_found', 'No payment session has this payment request.');
    c.set('providerCall', { providerName: tpaga.info.name });
    try {
      await ctx.payments.hint(session, 'webhook', c.req.raw.signal);
    } catch (error) {
      // Both answers below are this route's own: a webhook acknowledges or asks to be sent again.
      if (!(error instanceof ProviderError)) throw error;
      if (error.kind === ProviderErrorKind.answerMismatch) {
        // Tpaga's answer is not about this session's payment (cost or idempotency token differ):
        // recorded for the merchant and ignored, as the provider record prescribes.
        ctx.log.error('Tpaga /info answer does not match the session', {
          session: session.id,
          error: error.message,
        });
        return c.json({ ok: true });
      }
      if (error.kind !== ProviderErrorKind.unavailable) throw error;
      // Not acknowledged: the status is unknown. Reconciliation asks again on its own.
      ctx.log.warn('Tpaga /info failed after a webhook', { session: session.id, error: error.message });
      throw new PasarelaError(
        503,
        'provider_unavailable',
        'Tpaga did not answer; the status is checked again later.',
      );
    }
    return c.json({ ok: true });
  });

  return app;
}
