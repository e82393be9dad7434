// The package entry: importing it defines <pasarela-checkout>.
import { PasarelaCheckout } from './pasarela-checkout.js';

if (typeof customElements !== 'undefined' && !customElements.get('pasarela-checkout')) {
  customElements.define('pasarela-checkout', PasarelaCheckout);
}

declare global {
  interface HTMLElementTagNameMap {
    'pasarela-checkout': PasarelaCheckout;
  }
}

export * from './events.js';
export type { StringKey, Strings } from './i18n.js';
export { PasarelaCheckout } from './pasarela-checkout.js';
export type {
  Currency,
  Flow,
  ProviderId,
  ProviderInfo,
  ServerConfig,
  Session,
  SessionAction,
  Status,
} from './types.js';
