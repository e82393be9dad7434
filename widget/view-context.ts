import type { PasarelaApi } from './api.js';
import type { Translate } from './i18n.js';
import type { Currency, ProviderId, ProviderInfo } from './types.js';

/** What the screen templates read and call; the element provides it on every render. */
export interface ViewContext {
  t: Translate;
  money(amount: number, currency: Currency): string;
  api: PasarelaApi;
  /** The server runs on its sandboxes: `http:` URLs are allowed too. */
  sandbox: boolean;
  providers: readonly ProviderInfo[];
  selected: ProviderId | undefined;
  /** Milliseconds left on a wallet link, while counting down. */
  remaining: number | undefined;
  copied: boolean;
  providerName(id: ProviderId): string;
  onSelect(provider: ProviderId): void;
  onPay(event: SubmitEvent): void;
  onRetry(): void;
  onChooseAnother(): void;
  onCopy(url: string): void;
}
