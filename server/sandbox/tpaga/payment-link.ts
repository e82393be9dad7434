// The buyer-facing link of TPAGA.md §5: link base + standard base64 (with padding) of a compact
// JSON naming the merchant's slug and the payment request token.

const utf8 = new TextEncoder();

/** The base64 part of `tpaga_payment_url` for a merchant slug and a `pr-…` token. */
export function encodePaymentLink(slug: string, token: string): string {
  // JSON.stringify keeps insertion order and writes no spaces: exactly Tpaga's bytes.
  const json = JSON.stringify({ m: { o: 'PR' }, d: { s: slug, prt: token } });
  return btoa(String.fromCharCode(...utf8.encode(json)));
}

export interface PaymentLinkTarget {
  slug: string;
  token: string;
}

/** The slug and token a link names, or `undefined` when it is not a payment request link. */
export function decodePaymentLink(encoded: string): PaymentLinkTarget | undefined {
  try {
    const bytes = Uint8Array.from(atob(encoded), (char) => char.charCodeAt(0));
    const link: unknown = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
    if (typeof link !== 'object' || link === null) return undefined;
    const { m, d } = link as { m?: { o?: unknown }; d?: { s?: unknown; prt?: unknown } };
    if (m?.o !== 'PR' || typeof d?.s !== 'string' || typeof d.prt !== 'string') return undefined;
    return { slug: d.s, token: d.prt };
  } catch {
    return undefined;
  }
}
