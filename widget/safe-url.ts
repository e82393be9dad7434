import type { PasarelaApi } from './api.js';
import type { SessionAction } from './types.js';

/**
 * Whether the widget may navigate to, link or show a URL the server handed out (resolved against
 * `base`, if given): a hostile or broken server must never lead the page to `javascript:` or
 * `data:`, nor the buyer to a payment page over plain `http:` outside sandbox mode.
 */
export function isSafeUrl(url: string, sandbox: boolean, base?: string): boolean {
  try {
    const { protocol } = new URL(url, base);
    return protocol === 'https:' || (sandbox && protocol === 'http:');
  } catch {
    return false;
  }
}

/**
 * Whether a provider's mark may be an `<img src>`: a `data:image/` URL, or one `isSafeUrl` allows
 * without credentials in it (Chrome refuses to load those, so the mark would be a broken image).
 */
export function isSafeMark(mark: string | undefined, sandbox: boolean, base: string): mark is string {
  if (!mark) return false;
  if (/^data:image\//i.test(mark)) return true;
  try {
    const { username, password } = new URL(mark, base);
    return !username && !password && isSafeUrl(mark, sandbox, base);
  } catch {
    return false;
  }
}

/** The first URL of a session's action (its link, its QR code) that the widget must not use. */
export function unsafeActionUrl(
  action: SessionAction | null,
  api: PasarelaApi,
  sandbox: boolean,
): string | undefined {
  if (action && !isSafeUrl(action.url, sandbox)) return action.url;
  if (action?.type === 'wallet' && !isSafeUrl(action.qr, sandbox, api.url(''))) return action.qr;
  return undefined;
}
