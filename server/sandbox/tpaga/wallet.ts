import { type Context, Hono } from 'hono';
import type { TpagaCore } from './core.js';
import { Notify } from './options.js';
import { decodePaymentLink } from './payment-link.js';
import { type PaymentRequest, PaymentRequestStatus } from './payment-request.js';
import { badActionPage, decisionPage, notFoundPage, paymentPage, statusPage } from './wallet-pages.js';

/**
 * The buyer's side (`…/w/<base64>`): what Billetera Tpaga shows for a payment link, and the
 * decision. Server-rendered, no script; the two buttons post `action` back to the same URL.
 */
export function walletRoutes(core: TpagaCore): Hono {
  const wallet = new Hono();

  /** The request a link names; a link for another merchant's slug is as unknown as a bad one. */
  function linked(c: Context): PaymentRequest | undefined {
    const target = decodePaymentLink(c.req.param('link') ?? '');
    const pr = target && core.find(target.token);
    if (!target || !pr || core.merchants.get(pr.merchant)?.slug !== target.slug) return undefined;
    return pr;
  }

  // `{.+}`: a link's base64 may contain `/` when the slug is unusual.
  wallet.get('/:link{.+}', (c) => {
    const pr = linked(c);
    if (!pr) return c.html(notFoundPage(), 404);
    if (pr.status !== PaymentRequestStatus.created) return c.html(statusPage(pr));
    return c.html(paymentPage(pr, core.merchants.get(pr.merchant)?.slug ?? ''));
  });

  wallet.post('/:link{.+}', async (c) => {
    const pr = linked(c);
    if (!pr) return c.html(notFoundPage(), 404);
    const action = await formAction(c);
    if (action !== 'approve' && action !== 'reject') return c.html(badActionPage(), 400);
    // A second submit, or a decision after expiry: nothing changes, the buyer sees why.
    if (!(await core.decide(pr, action === 'approve'))) return c.html(statusPage(pr), 409);
    if (core.merchants.get(pr.merchant)?.notify === Notify.webhook) return c.html(decisionPage(pr));
    return c.redirect(pr.purchaseDetailsUrl, 303);
  });

  wallet.all('*', (c) => c.html(notFoundPage(), 404));

  wallet.onError((error, c) => {
    core.log(
      `tpaga: wallet error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
    return c.text('Error del sandbox de Tpaga', 500);
  });

  return wallet;
}

async function formAction(c: Context): Promise<string | undefined> {
  try {
    const action = (await c.req.parseBody()).action;
    return typeof action === 'string' ? action : undefined;
  } catch {
    return undefined;
  }
}
