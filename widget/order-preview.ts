import type { Currency } from './types.js';

/**
 * The amount and currency written in an order token, for display before a session exists.
 * The signature is not (and cannot be) checked here: the server verifies the token and takes the
 * amount from it, and the browser never sends an amount of its own.
 */
export function previewOrder(token: string | undefined): { amount: number; currency: Currency } | undefined {
  const payload = token?.split('.')[1];
  if (!payload) return undefined;
  try {
    const json = atob(payload.replace(/-/g, '+').replace(/_/g, '/'));
    const claims = JSON.parse(json) as { amount?: unknown; currency?: unknown };
    const { amount, currency } = claims;
    if (!Number.isSafeInteger(amount) || (amount as number) <= 0) return undefined;
    if (currency !== 'CLP' && currency !== 'COP') return undefined;
    return { amount: amount as number, currency };
  } catch {
    return undefined;
  }
}
