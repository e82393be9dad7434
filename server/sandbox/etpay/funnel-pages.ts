import { formatPesos, html, page } from '../shared/html.js';
import { type Bank, banks } from './banks.js';
import type { EtpaySession } from './session.js';

// The funnel's pages, in Spanish as ETpay's are. Forms post to absolute URLs built from
// publicUrl, so the pages work under any mount prefix and from either step-2 route.

function orderSummary(session: EtpaySession) {
  const shown = session.metadata.filter((item) => item.show);
  return html`<dl>
      <dt>Orden</dt>
      <dd data-field="order-id">${session.merchantOrderId}</dd>
      <dt>Monto</dt>
      <dd data-field="amount">${formatPesos(session.orderAmount, false)}</dd>
    </dl>
    ${
      shown.length === 0
        ? ''
        : html`<ul data-field="metadata">
          ${shown.map((item) => html`<li>${item.name}: ${item.value}</li>`)}
        </ul>`
    }`;
}

/** Step 1: the order and the bank list. */
export function bankStep(session: EtpaySession, action: string, error?: string) {
  return page(
    'ETpay: elige tu banco',
    html`<h1>Paga con transferencia</h1>
      ${orderSummary(session)}
      ${error === undefined ? '' : html`<p role="alert">${error}</p>`}
      <form method="post" action="${action}">
        <fieldset>
          <legend>Elige tu banco</legend>
          ${banks.map(
            (bank, index) =>
              html`<label
                  ><input type="radio" name="bank_code" value="${bank.code}" ${index === 0 ? 'checked' : ''} />
                  ${bank.name}</label
                ><br />`,
          )}
        </fieldset>
        <p><button type="submit" data-action="continue">Continuar</button></p>
      </form>`,
  );
}

/** Step 2: the bank's login and the two decisive buttons. */
export function approvalStep(
  session: EtpaySession,
  bank: Bank,
  action: string,
  rut: string,
  locked: boolean,
) {
  return page(
    `ETpay: ${bank.name}`,
    html`<h1 data-field="bank">${bank.name}</h1>
      ${orderSummary(session)}
      <form method="post" action="${action}">
        <input type="hidden" name="bank_code" value="${bank.code}" />
        <p>
          <label
            >RUT
            <input name="user_rut" value="${rut}" autocomplete="off" ${locked ? 'readonly' : ''}
          /></label>
        </p>
        <p>
          <label>Clave <input type="password" name="password" autocomplete="off" /></label>
        </p>
        <p>
          <button type="submit" name="action" value="approve" data-action="approve">Aprobar transferencia</button>
          <button type="submit" name="action" value="reject" data-action="reject">Rechazar</button>
        </p>
      </form>`,
  );
}

export function messagePage(title: string, text: string) {
  return page(title, html`<h1>${title}</h1><p>${text}</p>`);
}

export const notFoundPage = () =>
  messagePage(
    'Sesión no encontrada',
    'Este enlace de pago no existe. Vuelve al comercio e inténtalo de nuevo.',
  );

export const expiredPage = () =>
  messagePage(
    'Sesión expirada',
    'El tiempo para completar este pago terminó. Vuelve al comercio para reintentar.',
  );

export const decidedPage = () =>
  messagePage('Sesión finalizada', 'Este pago ya fue procesado. Puedes cerrar esta ventana.');

/** The sandbox's landing page when neither the session nor the merchant has a return URL. */
export function finishedPage(status: string | undefined) {
  const outcome =
    status === undefined
      ? 'El comercio no configuró una página de retorno.'
      : status === 'success'
        ? 'La transferencia fue aprobada.'
        : `La transferencia no se realizó (${status}).`;
  return messagePage('Pago finalizado', outcome);
}
