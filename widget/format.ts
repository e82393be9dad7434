import type { Currency } from './types.js';

/**
 * An amount of integer pesos for display. Spanish text formats the peso the way its own country
 * writes it (`$12.000` in Chile, `$ 12.000` in Colombia) whatever the page's region; other
 * languages get the ISO code (`CLP 12,000`), since "$" alone would read as dollars.
 */
export function formatAmount(amount: number, currency: Currency, locale: string): string {
  const spanish = locale.toLowerCase().startsWith('es');
  const formatLocale = spanish ? (currency === 'CLP' ? 'es-CL' : 'es-CO') : locale;
  return new Intl.NumberFormat(formatLocale, {
    style: 'currency',
    currency,
    currencyDisplay: spanish ? 'symbol' : 'code',
    minimumFractionDigits: 0,
    maximumFractionDigits: 0,
  }).format(amount);
}

/** `m:ss` (or `h:mm:ss`) for a countdown; never negative. */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = String(total % 60).padStart(2, '0');
  return hours ? `${hours}:${String(minutes).padStart(2, '0')}:${seconds}` : `${minutes}:${seconds}`;
}
