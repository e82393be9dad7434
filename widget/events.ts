// The element's events: small classes that bubble and cross shadow roots (`composed`), typed in
// `HTMLElementEventMap`. Each carries a `detail`, as CustomEvent does, so framework bindings that
// read `$event.detail` work unchanged.
import type { ProviderId, ProviderInfo, Session, Status } from './types.js';

abstract class PasarelaEvent<Detail> extends Event {
  readonly detail: Detail;
  constructor(type: keyof HTMLElementEventMap, detail: Detail, cancelable = false) {
    super(type, { bubbles: true, composed: true, cancelable });
    this.detail = detail;
  }
}

/** The configuration is loaded and the buyer can choose how to pay. */
export class PasarelaReadyEvent extends PasarelaEvent<{ providers: readonly ProviderInfo[] }> {
  constructor(providers: readonly ProviderInfo[]) {
    super('pasarela-ready', { providers });
  }
}

/** The buyer picked a provider (only on the buyer's action, never on a property change). */
export class PasarelaProviderChangeEvent extends PasarelaEvent<{ provider: ProviderId }> {
  constructor(provider: ProviderId) {
    super('pasarela-provider-change', { provider });
  }
}

/** The server created a payment session. */
export class PasarelaSessionEvent extends PasarelaEvent<{ session: Session }> {
  constructor(session: Session) {
    super('pasarela-session', { session });
  }
}

/** The session's status changed; fired for every change, the first one known included. */
export class PasarelaStatusEvent extends PasarelaEvent<{ status: Status; session: Session }> {
  constructor(session: Session) {
    super('pasarela-status', { status: session.status, session });
  }
}

/** The payment went through (`paid`, or `delivered` straight away). */
export class PasarelaPaidEvent extends PasarelaEvent<{ session: Session }> {
  constructor(session: Session) {
    super('pasarela-paid', { session });
  }
}

/** The payment ended without money moving: `failed`, `expired` or `cancelled`. */
export class PasarelaFailedEvent extends PasarelaEvent<{ status: Status; session: Session }> {
  constructor(session: Session) {
    super('pasarela-failed', { status: session.status, session });
  }
}

/**
 * Talking to the server or the provider failed, or the widget refused what it was given.
 * `detail.code` is the server's error code (`order_already_paid`, …) or the widget's own:
 * `network_error`, `session_mismatch` (the page's `?pasarela_session=` is another order's; the
 * element shows its own picker instead), `unsafe_url` (a payment link that is not `https:`).
 */
export class PasarelaErrorEvent extends PasarelaEvent<{ code: string; message: string }> {
  constructor(code: string, message: string) {
    super('pasarela-error', { code, message });
  }
}

/**
 * The element is about to leave the page for the provider's page at `detail.url`. Cancelable:
 * call `preventDefault()` to navigate yourself (a SPA router, a new tab).
 */
export class PasarelaBeforeRedirectEvent extends PasarelaEvent<{ url: string; session: Session }> {
  constructor(url: string, session: Session) {
    super('pasarela-before-redirect', { url, session }, true);
  }
}

declare global {
  interface HTMLElementEventMap {
    'pasarela-ready': PasarelaReadyEvent;
    'pasarela-provider-change': PasarelaProviderChangeEvent;
    'pasarela-session': PasarelaSessionEvent;
    'pasarela-status': PasarelaStatusEvent;
    'pasarela-paid': PasarelaPaidEvent;
    'pasarela-failed': PasarelaFailedEvent;
    'pasarela-error': PasarelaErrorEvent;
    'pasarela-before-redirect': PasarelaBeforeRedirectEvent;
  }
}
