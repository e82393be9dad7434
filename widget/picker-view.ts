import { html, nothing, type TemplateResult } from 'lit';
import { providerMark } from './icons.js';
import type { Currency } from './types.js';
import type { ViewContext } from './view-context.js';

/**
 * The provider picker and the pay button. Native radios in a fieldset give arrow-key selection
 * and a named group to screen readers; `required` lets the browser say "choose one" in the
 * buyer's language when nothing is picked; the form makes Enter pay.
 */
export function pickerView(
  view: ViewContext,
  busy: boolean,
  preview: { amount: number; currency: Currency } | undefined,
): TemplateResult {
  const { t } = view;
  const label = busy
    ? t('paying')
    : preview
      ? t('payAmount', { amount: view.money(preview.amount, preview.currency) })
      : t('pay');
  return html`<form class="picker" @submit=${view.onPay}>
    <fieldset part="provider-list" class="providers" ?disabled=${busy}>
      <legend>${t('choose')}</legend>
      ${view.providers.map(
        (provider, index) => html`<label part="provider" class="provider">
          <input
            type="radio"
            name="provider"
            required
            ?data-focus=${view.selected ? provider.id === view.selected : index === 0}
            value=${provider.id}
            .checked=${provider.id === view.selected}
            @change=${() => view.onSelect(provider.id)}
          />
          ${providerMark(view, provider.mark)}
          <span class="provider-text">
            <span class="provider-name">${provider.name}</span>
            <span class="muted">${t(provider.flow, { provider: provider.name })}</span>
          </span>
        </label>`,
      )}
    </fieldset>
    <button part="pay-button" class="button primary" type="submit" aria-disabled=${busy ? 'true' : nothing}>
      ${busy ? html`<span class="spinner" aria-hidden="true"></span>` : nothing}${label}
    </button>
  </form>`;
}
