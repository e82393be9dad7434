import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { ApiError, idempotencyKey, type OrderRef, PasarelaApi } from './api.js';
import type { Clock } from './clock.js';
import { isPhone } from './device.js';
import {
  PasarelaBeforeRedirectEvent,
  PasarelaErrorEvent,
  PasarelaFailedEvent,
  PasarelaPaidEvent,
  PasarelaProviderChangeEvent,
  PasarelaReadyEvent,
  PasarelaSessionEvent,
  PasarelaStatusEvent,
} from './events.js';
import { ownsSession, previewOrder } from './order-preview.js';
import { forgetResumeSession, resumeSessionId } from './page-url.js';
import { unsafeActionUrl } from './safe-url.js';
import { Retry, type Screen } from './state.js';
import { StatusController } from './status-controller.js';
import { StepRunner } from './step-runner.js';
import {
  assertNever,
  isFinal,
  isPaid,
  type ProviderId,
  type ProviderInfo,
  type ServerConfig,
  type Session,
  type Status,
} from './types.js';

/** What the checkout needs from the element hosting it. */
export interface CheckoutHost extends ReactiveControllerHost, EventTarget {
  readonly serverUrl: string;
  readonly orderRef: OrderRef | undefined;
  /** The `providers` attribute as a list, empty for "all". */
  readonly providerFilter: readonly string[];
  readonly clock: Clock;
  navigate(url: string): void;
}

/**
 * The checkout's steps and the network work behind them: loading the configuration, resuming a
 * returning buyer's session, creating a session on the pay click, handing the buyer to the
 * provider, and turning the followed status into screens and events.
 */
export class CheckoutController implements ReactiveController {
  screen: Screen = { type: 'loading' };
  config: ServerConfig | undefined;
  selected: ProviderId | undefined;
  readonly #host: CheckoutHost;
  readonly #follower: StatusController;
  readonly #steps: StepRunner;
  #lastStatus: Status | undefined;
  #sessionId: string | undefined;
  #started = false;

  constructor(host: CheckoutHost) {
    this.#host = host;
    host.addController(this);
    this.#steps = new StepRunner(host);
    this.#follower = new StatusController(host, {
      api: () => this.api,
      clock: () => host.clock,
      onSession: (session) => this.#onSession(session),
      onOverdue: () => this.#onOverdue(),
      onError: (error) => this.#fail(error, Retry.resume),
    });
  }

  get api(): PasarelaApi {
    return new PasarelaApi(this.#host.serverUrl);
  }

  /** The offered providers: the server's, narrowed by the `providers` attribute and the order's currency. */
  get providers(): ProviderInfo[] {
    const filter = this.#host.providerFilter;
    const currency = this.preview?.currency;
    return (this.config?.providers ?? []).filter(
      (p) => (!filter.length || filter.includes(p.id)) && (!currency || p.currency === currency),
    );
  }

  /** Amount and currency from the order token, shown before a session exists. */
  get preview() {
    const ref = this.#host.orderRef;
    return ref && 'order' in ref ? previewOrder(ref.order) : undefined;
  }

  /**
   * Starts on the first update rather than on connection, so properties set just after the
   * element was put in the page (`el.server = …`, as frameworks do) are already in place.
   */
  hostUpdate(): void {
    if (this.#started) return;
    this.#started = true;
    const id = resumeSessionId();
    if (id) this.#resume(id);
    else this.load();
  }

  /** Loads the configuration and shows the picker. */
  load(): void {
    this.#begin(
      () => this.load(),
      { type: 'loading' },
      async (signal) => {
        this.config = await this.api.config(signal);
        this.#offer();
      },
    );
  }

  /** Shows the picker for the loaded configuration, and says the element is ready. */
  #offer(): void {
    if (this.showPicker()) this.#host.dispatchEvent(new PasarelaReadyEvent(this.providers));
  }

  /** The buyer chose a provider. */
  select(provider: ProviderId): void {
    if (provider === this.selected) return;
    this.selected = provider;
    this.#host.requestUpdate();
    this.#host.dispatchEvent(new PasarelaProviderChangeEvent(provider));
  }

  /**
   * The pay click. Runs synchronously inside the click so that, for a wallet on a phone, the
   * window that will show the payment link is opened while the browser still counts the click as
   * the buyer's: a window opened after the session request returns would be blocked as a popup.
   * The link then opens the wallet app (Android hands it over; on iOS the wallet's page offers
   * the app), and this page stays to show the live status. If the window was blocked
   * anyway, the buyer goes there in this tab and comes back through the return URL.
   */
  pay(provider = this.selected): void {
    const info = this.config?.providers.find((p) => p.id === provider);
    const order = this.#host.orderRef;
    if (!provider || !order) {
      this.#fail(new ApiError('invalid_request', 'Set the `order` or `order-id` attribute.', 400), Retry.pay);
      return;
    }
    const phone = info?.flow === 'wallet' && isPhone();
    const popup = phone ? window.open('', '_blank') : null;
    if (popup) popup.opener = null;
    this.#follower.clear();
    this.#lastStatus = undefined;
    this.#create(provider, order, idempotencyKey(), phone, popup);
  }

  /** Creates the session (again with the same key if interrupted) and hands the buyer over. */
  #create(provider: ProviderId, order: OrderRef, key: string, phone: boolean, popup: Window | null) {
    this.#begin(
      () => this.#create(provider, order, key, phone, popup),
      { type: 'picker', busy: true },
      async (signal) => {
        const session = await this.api.createSession(provider, order, key, signal);
        this.#host.dispatchEvent(new PasarelaSessionEvent(session));
        if (!this.#report(session)) {
          popup?.close();
          return;
        }
        const action = session.action;
        switch (action?.type) {
          case undefined:
            this.#show({ type: 'confirming', session });
            break;
          case 'redirect':
            this.#show({ type: 'redirect', session });
            if (this.#host.dispatchEvent(new PasarelaBeforeRedirectEvent(action.url, session))) {
              this.#host.navigate(action.url);
            }
            break;
          case 'wallet':
            this.#show({ type: 'wallet', session, phone });
            if (popup) popup.location.href = action.url;
            else if (phone) this.#host.navigate(action.url);
            break;
          default:
            assertNever(action);
        }
        this.#follower.follow(session);
      },
      () => {
        popup?.close();
        return undefined;
      },
    );
  }

  /** The retry button of an error or final screen. */
  retry(): void {
    const screen = this.screen;
    if (screen.type === 'final') this.pay(screen.session.provider);
    if (screen.type !== 'error') return;
    switch (screen.retry) {
      case 'config':
        this.load();
        break;
      case 'pay':
        this.pay();
        break;
      case 'resume': {
        const id = this.#sessionId ?? resumeSessionId();
        if (id) this.#resume(id);
        else this.load();
        break;
      }
      default:
        assertNever(screen.retry);
    }
  }

  /** Back to the picker, to choose another provider. */
  chooseAnother(): void {
    this.#follower.clear();
    if (this.config) this.showPicker();
    else this.load();
  }

  /**
   * The buyer is back from the provider: follow that session until it is final, if it is one of
   * this element's order. Another order's session (two checkouts on one page) is left, with the
   * address, to the element it belongs to; this one offers its own order to pay.
   */
  #resume(id: string): void {
    this.#begin(
      () => this.#resume(id),
      { type: 'confirming', session: undefined },
      async (signal) => {
        const [session, config] = await Promise.all([
          this.api.session(id, signal),
          this.api.config(signal).catch(() => undefined),
        ]);
        this.config = config ?? this.config;
        if (!ownsSession(this.#host.orderRef, session)) {
          this.#host.dispatchEvent(
            new PasarelaErrorEvent('session_mismatch', `Session ${id} is another order's.`),
          );
          if (this.config) this.#offer();
          else this.load();
          return;
        }
        this.selected = session.provider;
        this.#lastStatus = undefined;
        this.#host.dispatchEvent(new PasarelaReadyEvent(this.providers));
        if (!this.#report(session)) return;
        this.#show({ type: 'confirming', session });
        this.#follower.follow(session);
      },
      (error) => {
        // An unknown session will not appear by retrying: start over with the picker.
        if (!(error instanceof ApiError && error.status === 404)) return undefined;
        forgetResumeSession(id);
        this.#sessionId = undefined;
        return Retry.config;
      },
    );
  }

  /** Shows the picker for the providers now on offer (after the filter or the order changed). */
  showPicker(): boolean {
    const offered = this.providers;
    if (!offered.some((p) => p.id === this.selected)) this.selected = undefined;
    if (offered.length === 1) this.selected = offered[0]?.id;
    if (!offered.length) {
      this.#fail(new ApiError('no_providers', 'No provider takes this order.', 0), Retry.config);
      return false;
    }
    this.#show({ type: 'picker', busy: false });
    return true;
  }

  #onSession(session: Session): void {
    if (!this.#report(session)) return;
    const screen = this.screen;
    if (screen.type === 'wallet' || screen.type === 'redirect' || screen.type === 'confirming') {
      this.#show({ ...screen, session });
    }
  }

  /** Past expiry the link cannot be paid any more: stop offering it, and wait for the outcome. */
  #onOverdue(): void {
    const screen = this.screen;
    if (screen.type === 'wallet' || screen.type === 'redirect') {
      this.#show({ type: 'confirming', session: screen.session });
    }
  }

  /**
   * Fires the status events of a session snapshot and shows the final screen when it is final;
   * refuses (`unsafe_url`) a session whose links the widget must not open. Returns whether to go on
   * with the session: it is pending, and safe to show.
   */
  #report(session: Session): boolean {
    const unsafe = unsafeActionUrl(session.action, this.api, !!this.config?.sandbox);
    if (unsafe !== undefined) {
      this.#follower.clear();
      this.#fail(new ApiError('unsafe_url', `Not https: ${unsafe}`, 0), Retry.resume);
      return false;
    }
    this.#sessionId = session.id;
    if (session.status !== this.#lastStatus) {
      this.#lastStatus = session.status;
      this.#host.dispatchEvent(new PasarelaStatusEvent(session));
      if (isPaid(session.status)) this.#host.dispatchEvent(new PasarelaPaidEvent(session));
      else if (session.status !== 'pending' && session.status !== 'refunded') {
        this.#host.dispatchEvent(new PasarelaFailedEvent(session));
      }
    }
    if (!isFinal(session.status)) return true;
    this.#show({ type: 'final', session });
    forgetResumeSession(session.id);
    return false;
  }

  #show(screen: Screen): void {
    this.screen = screen;
    this.#host.requestUpdate();
  }

  #fail(error: unknown, retry: Retry): void {
    const { code, message } =
      error instanceof ApiError ? error : { code: 'network_error', message: String(error) };
    // Paid already (in another tab, or by an earlier session): nothing to retry, no session to make.
    this.#show(
      code === 'order_already_paid' ? { type: 'orderPaid' } : { type: 'error', code, message, retry },
    );
    this.#host.dispatchEvent(new PasarelaErrorEvent(code, message));
  }

  /** Runs one network step behind `screen`; a failure shows the error screen with its retry. */
  #begin(
    step: () => void,
    screen: Screen,
    work: (signal: AbortSignal) => Promise<void>,
    /** Cleans up after a failure; may name what the retry button should do instead. */
    onError?: (error: unknown) => Retry | undefined,
  ): void {
    this.#show(screen);
    this.#steps.run(step, work, (error) => {
      const retry = onError?.(error);
      this.#fail(
        error,
        retry ??
          (screen.type === 'loading' ? Retry.config : screen.type === 'picker' ? Retry.pay : Retry.resume),
      );
    });
  }
}
