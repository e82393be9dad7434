import { html, LitElement, type PropertyValues, type TemplateResult } from 'lit';
import type { OrderRef } from './api.js';
import { CheckoutController } from './checkout-controller.js';
import { type Clock, systemClock } from './clock.js';
import { CountdownController } from './countdown-controller.js';
import { formatAmount } from './format.js';
import { resolveLocale, type Strings, type Translate, translator } from './i18n.js';
import { styles } from './pasarela-checkout.styles.js';
import { pickerView } from './picker-view.js';
import type { Screen } from './state.js';
import {
  confirmingView,
  errorText,
  errorView,
  finalTitle,
  finalView,
  loadingView,
  orderPaidView,
  redirectView,
} from './status-view.js';
import { assertNever, type ProviderId } from './types.js';
import type { ViewContext } from './view-context.js';
import { walletView } from './wallet-view.js';

/**
 * A checkout for the payment providers the Pasarela server offers: the buyer picks a provider and
 * pays; the element asks the Pasarela server for a payment session, sends the buyer to the
 * provider's page (or, for a wallet, shows a QR code) and follows the status until it is final.
 * It talks only to the Pasarela server, and never sends an amount: the server takes it from the
 * order.
 *
 * @tagname pasarela-checkout
 * @summary Provider picker, pay button and live payment status for the Pasarela server's providers.
 *
 * @attr server - The Pasarela server's base URL. Default: the origin this script was loaded from.
 * @attr order - The order token (a JWT signed by the merchant's backend).
 * @attr order-id - The order's id, for servers that resolve orders themselves (instead of `order`).
 * @attr providers - Comma-separated provider ids to offer (`etpay`, `tpaga`). Default: all enabled.
 * @attr locale - `es-CL`, `es-CO` or `en`. Default: the browser's language, else Spanish.
 *
 * @fires {PasarelaReadyEvent} pasarela-ready - The providers are loaded (`detail.providers`).
 * @fires {PasarelaProviderChangeEvent} pasarela-provider-change - The buyer picked a provider (`detail.provider`).
 * @fires {PasarelaSessionEvent} pasarela-session - The server created a session (`detail.session`).
 * @fires {PasarelaStatusEvent} pasarela-status - The session's status changed (`detail.status`, `detail.session`).
 * @fires {PasarelaPaidEvent} pasarela-paid - The payment went through (`detail.session`).
 * @fires {PasarelaFailedEvent} pasarela-failed - The payment failed, expired or was cancelled (`detail.status`).
 * @fires {PasarelaErrorEvent} pasarela-error - The server or the provider failed, or the widget refused what it got (`detail.code`, `detail.message`).
 * @fires {PasarelaBeforeRedirectEvent} pasarela-before-redirect - Cancelable: about to navigate to `detail.url`.
 *
 * @csspart base - The element's box.
 * @csspart provider-list - The fieldset holding the providers.
 * @csspart provider - One provider's label (radio, mark, name and description).
 * @csspart pay-button - The pay button.
 * @csspart status - The status screen (waiting, QR code, result, error).
 * @csspart qr - The QR code image of a wallet payment.
 *
 * @cssprop [--pasarela-accent=#0a58ca] - Buttons, the selected provider and focus rings.
 * @cssprop [--pasarela-accent-text=#ffffff] - Text on the accent colour.
 * @cssprop [--pasarela-background=#ffffff] - The element's background.
 * @cssprop [--pasarela-text=#1b1e24] - Text colour.
 * @cssprop [--pasarela-muted=#545b66] - Secondary text.
 * @cssprop [--pasarela-border=#c9ced6] - Borders.
 * @cssprop [--pasarela-success=#17803d] - The paid mark.
 * @cssprop [--pasarela-danger=#c4302b] - The failed and error mark.
 * @cssprop [--pasarela-radius=10px] - Corner radius.
 * @cssprop [--pasarela-font=system-ui, sans-serif] - Font family.
 * @cssprop [--pasarela-gap=12px] - Spacing unit.
 */
export class PasarelaCheckout extends LitElement {
  static override styles = styles;
  static override properties = {
    server: {},
    order: {},
    orderId: { attribute: 'order-id' },
    providers: {},
    locale: {},
    strings: { attribute: false },
  };

  /** The Pasarela server's base URL; empty for the origin this script was loaded from. */
  declare server: string;
  /** The order token (JWT signed by the merchant's backend). */
  declare order: string;
  /** The order's id, for servers with a `resolveOrder` hook. */
  declare orderId: string;
  /** Comma-separated provider ids to offer; empty for all the server enables. */
  declare providers: string;
  /** `es-CL`, `es-CO` or `en`; empty for the browser's language. */
  declare locale: string;
  /** Replacements for any of the element's texts, by key; `{amount}`-style placeholders are filled in. */
  declare strings: Partial<Strings>;
  /** Leaves the page for the provider; replace it to route yourself (defaults to `location.assign`). */
  navigate: (url: string) => void = (url) => location.assign(url);
  /** @internal Time source, replaced in tests. */
  clock: Clock = systemClock;
  #copied = false;

  readonly #checkout = new CheckoutController(this);
  readonly #countdown = new CountdownController(this, () => this.clock);
  #announcement = '';
  #focusOnRender = false;

  constructor() {
    super();
    this.server = '';
    this.order = '';
    this.orderId = '';
    this.providers = '';
    this.locale = '';
    this.strings = {};
  }

  /** @internal The server's base URL, resolved. */
  get serverUrl(): string {
    return this.server || scriptOrigin();
  }

  /** @internal */
  get orderRef(): OrderRef | undefined {
    if (this.order) return { order: this.order };
    return this.orderId ? { orderId: this.orderId } : undefined;
  }

  /** @internal */
  get providerFilter(): string[] {
    return this.providers
      .split(',')
      .map((id) => id.trim())
      .filter(Boolean);
  }

  get #t(): Translate {
    return translator(resolveLocale(this.locale), this.strings);
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    let screen = this.#checkout.screen;
    // Changes after the start, while no payment is under way: a new server means a new
    // configuration; a new filter or order may change which providers are on offer.
    if (this.hasUpdated && (screen.type === 'error' || (screen.type === 'picker' && !screen.busy))) {
      if (changed.has('server')) this.#checkout.load();
      else if (
        this.#checkout.config &&
        (changed.has('providers') || changed.has('order') || changed.has('orderId'))
      ) {
        this.#checkout.showPicker();
      }
    }
    screen = this.#checkout.screen;
    this.#countdown.set(
      screen.type === 'wallet' && !screen.phone && screen.session.expiresAt
        ? Date.parse(screen.session.expiresAt)
        : undefined,
    );
    const announcement = this.#announce(screen);
    if (announcement !== this.#announcement) {
      // A new step after the buyer acted: move focus to its heading so it is read and keyboard
      // users continue from there (but never steal focus from the page on the first screen).
      this.#focusOnRender = this.#announcement !== '';
      this.#announcement = announcement;
      this.#copied = false;
    }
  }

  protected override updated(): void {
    if (!this.#focusOnRender) return;
    this.#focusOnRender = false;
    this.renderRoot.querySelector<HTMLElement>('[data-focus]')?.focus();
  }

  override render(): TemplateResult {
    return html`<div part="base" class="base">
      ${this.#renderScreen(this.#checkout.screen)}
      <div class="visually-hidden" role="status" aria-live="polite" aria-atomic="true">${this.#announcement}</div>
    </div>`;
  }

  #renderScreen(screen: Screen): TemplateResult {
    const view = this.#view();
    switch (screen.type) {
      case 'loading':
        return loadingView(view.t);
      case 'picker':
        return pickerView(view, screen.busy, this.#checkout.preview);
      case 'redirect':
        return redirectView(view, screen.session, screen.session.action?.url ?? '');
      case 'wallet': {
        const session = screen.session;
        return session.action?.type === 'wallet'
          ? walletView(view, { ...session, action: session.action }, screen.phone)
          : confirmingView(view);
      }
      case 'confirming':
        return confirmingView(view);
      case 'final':
        return finalView(view, screen.session);
      case 'orderPaid':
        return orderPaidView(view.t);
      case 'error':
        return errorView(view, screen);
      default:
        return assertNever(screen);
    }
  }

  /** What the live region says for a screen; empty while nothing happened yet. */
  #announce(screen: Screen): string {
    const t = this.#t;
    switch (screen.type) {
      case 'loading':
        return this.#announcement && t('loading');
      case 'picker':
        return screen.busy ? t('paying') : this.#announcement && t('choose');
      case 'redirect':
      case 'wallet':
        return t('waiting');
      case 'confirming':
        return t('confirming');
      case 'final':
        return finalTitle(t, screen.session.status);
      case 'orderPaid':
        return t('orderPaid');
      case 'error':
        return `${t('error')}. ${errorText(t, screen.code, screen.message)}`;
      default:
        return assertNever(screen);
    }
  }

  #view(): ViewContext {
    const checkout = this.#checkout;
    const locale = resolveLocale(this.locale);
    return {
      t: this.#t,
      money: (amount, currency) => formatAmount(amount, currency, locale),
      api: checkout.api,
      sandbox: !!checkout.config?.sandbox,
      providers: checkout.providers,
      selected: checkout.selected,
      remaining: this.#countdown.remaining,
      copied: this.#copied,
      providerName: (id: ProviderId) => checkout.config?.providers.find((p) => p.id === id)?.name ?? id,
      onSelect: (provider) => checkout.select(provider),
      onPay: (event) => {
        event.preventDefault();
        if (this.#checkout.screen.type === 'picker' && !this.#checkout.screen.busy) checkout.pay();
      },
      onRetry: () => checkout.retry(),
      onChooseAnother: () => checkout.chooseAnother(),
      onCopy: (url) => {
        navigator.clipboard?.writeText(url).then(
          () => {
            this.#copied = true;
            this.requestUpdate();
          },
          () => {},
        );
      },
    };
  }
}

/**
 * The origin this module was loaded from: for the script-tag bundle that is the Pasarela server
 * itself. Read at run time, not import time, so importing the element during SSR touches no DOM.
 */
function scriptOrigin(): string {
  try {
    const url = new URL(import.meta.url);
    if (url.protocol === 'https:' || url.protocol === 'http:') return url.origin;
  } catch {}
  return location.origin;
}
