import { html, nothing, type TemplateResult } from 'lit';
import type { Translate } from './i18n.js';
import type { Screen } from './state.js';
import { assertNever, isPaid, type Session, type Status } from './types.js';
import type { ViewContext } from './view-context.js';

/** The heading of a final status; also what the live region announces. */
export function finalTitle(t: Translate, status: Status): string {
  switch (status) {
    case 'paid':
    case 'delivered':
      return t('paid');
    case 'failed':
    case 'pending':
      return t('failed');
    case 'expired':
      return t('expired');
    case 'cancelled':
      return t('cancelled');
    case 'refunded':
      return t('refunded');
    default:
      return assertNever(status);
  }
}

/** An error screen's explanation: the server's own message, or ours when there is none to show. */
export function errorText(t: Translate, code: string, message: string): string {
  if (code === 'network_error') return t('networkError');
  if (code === 'no_providers') return t('noProviders');
  if (code === 'unsafe_url') return t('unsafeUrl');
  return message;
}

const spinner = html`<span class="spinner" aria-hidden="true"></span>`;

function waiting(title: string, extra: TemplateResult | typeof nothing = nothing): TemplateResult {
  return html`<section part="status" class="status">
    <h2 tabindex="-1" data-focus>${title}</h2>
    ${spinner}${extra}
  </section>`;
}

export function loadingView(t: Translate): TemplateResult {
  return html`<p class="loading" tabindex="-1" data-focus>${spinner}${t('loading')}</p>`;
}

export function redirectView(view: ViewContext, session: Session, url: string): TemplateResult {
  const provider = view.providerName(session.provider);
  return waiting(
    view.t('redirecting', { provider }),
    html`<a class="button" href=${url}>${view.t('continueTo', { provider })}</a>`,
  );
}

export function confirmingView(view: ViewContext): TemplateResult {
  return waiting(view.t('confirming'));
}

/** Try again, and (with `another`) go back to choose another provider. */
function retryButtons(view: ViewContext, another: boolean): TemplateResult {
  return html`<div class="actions">
    <button class="button primary" type="button" @click=${view.onRetry}>${view.t('retry')}</button>
    ${
      another
        ? html`<button class="button" type="button" @click=${view.onChooseAnother}>${view.t('other')}</button>`
        : nothing
    }
  </div>`;
}

/** A result screen: a mark (✓ when the money moved), its heading, a line of text and any buttons. */
function outcome(
  paid: boolean,
  title: string,
  text: string,
  buttons: TemplateResult | typeof nothing = nothing,
): TemplateResult {
  return html`<section part="status" class="status ${paid ? 'paid' : 'unpaid'}">
    <span class="mark" aria-hidden="true">${paid ? '✓' : '!'}</span>
    <h2 tabindex="-1" data-focus>${title}</h2>
    ${text ? html`<p class="muted">${text}</p>` : nothing}
    ${buttons}
  </section>`;
}

export function finalView(view: ViewContext, session: Session): TemplateResult {
  const { t } = view;
  const paid = isPaid(session.status);
  const canRetry = ['failed', 'expired', 'cancelled'].includes(session.status);
  const text = paid
    ? t('paidText', { amount: view.money(session.amount, session.currency) })
    : canRetry
      ? t('notCharged')
      : '';
  return outcome(
    paid,
    finalTitle(t, session.status),
    text,
    canRetry ? retryButtons(view, view.providers.length > 1) : nothing,
  );
}

/** The order was paid by an earlier session: nothing more to do here, so no button to pay again. */
export function orderPaidView(t: Translate): TemplateResult {
  return outcome(true, t('orderPaid'), '');
}

export function errorView(view: ViewContext, screen: Extract<Screen, { type: 'error' }>): TemplateResult {
  return outcome(
    false,
    view.t('error'),
    errorText(view.t, screen.code, screen.message),
    retryButtons(view, screen.retry === 'pay' && view.providers.length > 1),
  );
}
