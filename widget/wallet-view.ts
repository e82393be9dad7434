import { html, nothing, type TemplateResult } from 'lit';
import { formatDuration } from './format.js';
import type { Session } from './types.js';
import type { ViewContext } from './view-context.js';

/**
 * A wallet payment in progress. On a desktop: the server's QR code to scan with the phone, the
 * link to open here instead, a copy button and the time left. On a phone the link has already
 * opened; the button is there in case the app did not.
 */
export function walletView(
  view: ViewContext,
  session: Session & { action: { url: string; qr: string } },
  phone: boolean,
): TemplateResult {
  const { t } = view;
  const provider = view.providerName(session.provider);
  const amount = view.money(session.amount, session.currency);
  const { url, qr } = session.action;
  const waiting = html`<p class="waiting"><span class="spinner" aria-hidden="true"></span>${t('waiting')}</p>`;
  if (phone) {
    return html`<section part="status" class="status">
      <h2 tabindex="-1" data-focus>${t('payInApp', { provider })}</h2>
      <p class="amount">${amount}</p>
      <a class="button primary" href=${url} target="_blank" rel="noopener">${t('openApp', { provider })}</a>
      ${waiting}
    </section>`;
  }
  const remaining = view.remaining;
  return html`<section part="status" class="status">
    <h2 tabindex="-1" data-focus>${t('scan')}</h2>
    <p class="muted">${t('scanHelp', { amount, provider })}</p>
    <img part="qr" class="qr" src=${view.api.resolve(qr)} alt=${t('qrAlt', { provider })} width="200" height="200" />
    ${
      remaining === undefined
        ? nothing
        : html`<p class="countdown">${t('expiresIn', { time: formatDuration(remaining) })}</p>`
    }
    <div class="actions">
      <a class="button" href=${url} target="_blank" rel="noopener">${t('openHere')}</a>
      <button class="button" type="button" @click=${() => view.onCopy(url)}>
        ${view.copied ? t('copied') : t('copy')}
      </button>
    </div>
    ${waiting}
  </section>`;
}
