import { type Context, Hono } from 'hono';
import { decodeJwt } from 'jose';
import { findBank } from './banks.js';
import { type EtpayCore, funnelUrl } from './core.js';
import {
  approvalStep,
  bankStep,
  decidedPage,
  expiredPage,
  finishedPage,
  messagePage,
  notFoundPage,
} from './funnel-pages.js';
import { recordAttempt, returnUrl, sandboxRut } from './payment.js';
import { type EtpaySession, PaymentStatus } from './session.js';

const decisions = { approve: PaymentStatus.success, reject: PaymentStatus.error } as const;

/** The buyer's funnel (§5, §10), mounted at `/pmt`. Only `/session/:token` is ETpay's own path. */
export function funnelRoutes(core: EtpayCore): Hono {
  const funnel = new Hono({ strict: false });

  /** The session when the funnel may still act on it, else the page that says why not. */
  function open(c: Context): { session: EtpaySession } | { refusal: Response | Promise<Response> } {
    const session = core.store.get(c.req.param('token') ?? '');
    if (!session) return { refusal: c.html(notFoundPage(), 404) };
    // A decided session stays "finalizada" after its lifetime: that is what the buyer did.
    if (session.decided) return { refusal: c.html(decidedPage(), 409) };
    if (core.store.isExpired(session)) return { refusal: c.html(expiredPage(), 410) };
    return { session };
  }

  function step2(c: Context, session: EtpaySession, bankCode: unknown) {
    const bank = findBank(bankCode);
    if (!bank) return undefined;
    const locked = session.isRutBlock && session.userRut !== undefined;
    return c.html(
      approvalStep(
        session,
        bank,
        `${funnelUrl(core, session.token)}/decision`,
        session.userRut ?? sandboxRut,
        locked,
      ),
    );
  }

  funnel.get('/session/:token', (c) => {
    const opened = open(c);
    if ('refusal' in opened) return opened.refusal;
    const { session } = opened;
    // A preselected bank skips the list; an unknown code is ignored.
    return (
      step2(c, session, session.userBankCode) ??
      c.html(bankStep(session, `${funnelUrl(core, session.token)}/bank`))
    );
  });

  funnel.post('/session/:token/bank', async (c) => {
    const opened = open(c);
    if ('refusal' in opened) return opened.refusal;
    const { session } = opened;
    const form = await readForm(c);
    return (
      step2(c, session, form.bank_code) ??
      c.html(bankStep(session, `${funnelUrl(core, session.token)}/bank`, 'Elige un banco de la lista.'), 400)
    );
  });

  funnel.post('/session/:token/decision', async (c) => {
    const opened = open(c);
    if ('refusal' in opened) return opened.refusal;
    const { session } = opened;
    const form = await readForm(c);
    const action = form.action;
    if (action !== 'approve' && action !== 'reject') {
      return c.html(messagePage('Acción desconocida', 'Usa los botones Aprobar o Rechazar.'), 400);
    }
    // Taken before the notification is awaited, so a second click cannot decide again.
    session.decided = true;
    const typed = typeof form.user_rut === 'string' ? form.user_rut.trim() : '';
    const rut = session.isRutBlock && session.userRut !== undefined ? session.userRut : typed || sandboxRut;
    const status = decisions[action];
    const { jwt } = await recordAttempt(core, session, status, rut);
    return c.redirect(returnUrl(core, session, status, jwt), 303);
  });

  funnel.get('/finalizado', (c) => c.html(finishedPage(statusOf(c.req.query('jwt')))));

  funnel.onError((error, c) => {
    core.log(`etpay: funnel error: ${error instanceof Error ? error.message : String(error)}`);
    return c.html(messagePage('Error', 'No pudimos procesar la solicitud.'), 500);
  });

  return funnel;
}

/** Form fields as strings; a body that is not a form reads as an empty one. */
async function readForm(c: Context): Promise<Record<string, unknown>> {
  try {
    return await c.req.parseBody();
  } catch {
    return {};
  }
}

/** For display only: the landing page is not a verifier. */
function statusOf(jwt: string | undefined): string | undefined {
  if (jwt === undefined) return undefined;
  try {
    const status = decodeJwt(jwt).payment_status;
    return typeof status === 'string' ? status : undefined;
  } catch {
    return undefined;
  }
}
