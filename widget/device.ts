/**
 * Whether the buyer is on a phone, where a wallet's payment link should open its app rather
 * than show a QR code to scan. A coarse primary pointer is the signal that survives desktop-mode
 * browsing on phones; the user agent's "mobile" hint covers browsers that report a fine pointer.
 */
export function isPhone(): boolean {
  if (typeof window === 'undefined') return false;
  if (window.matchMedia?.('(pointer: coarse)').matches) return true;
  const hints = (navigator as Navigator & { userAgentData?: { mobile?: boolean } }).userAgentData;
  if (hints?.mobile) return true;
  return /Android|iPhone|iPod|Mobile/i.test(navigator.userAgent);
}
