import { html, type TemplateResult } from 'lit';
import { assertNever, type ProviderId } from './types.js';

// Simple original marks (not the providers' logos): a bank for a transfer, a wallet for Tpaga.
// Decorative, since the provider's name sits beside each.

const etpay = html`<svg class="icon etpay" viewBox="0 0 32 32" aria-hidden="true" focusable="false">
  <rect width="32" height="32" rx="8" />
  <path d="M16 6 6 11.5V14h20v-2.5zM8 16h3v7H8zm6.5 0h3v7h-3zM21 16h3v7h-3zM6 25h20v2H6z" />
</svg>`;

const tpaga = html`<svg class="icon tpaga" viewBox="0 0 32 32" aria-hidden="true" focusable="false">
  <rect width="32" height="32" rx="8" />
  <path d="M7 10a3 3 0 0 1 3-3h11l2 3H10v1h14a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H10a3 3 0 0 1-3-3zm14 8a1.6 1.6 0 1 0 3.2 0 1.6 1.6 0 1 0-3.2 0" />
</svg>`;

export function providerIcon(provider: ProviderId): TemplateResult {
  switch (provider) {
    case 'etpay':
      return etpay;
    case 'tpaga':
      return tpaga;
    default:
      return assertNever(provider);
  }
}
