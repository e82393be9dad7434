/**
 * Pago Simple's notification signature, shared by the provider (which verifies) and its sandbox
 * (which signs): `PagoSimple-Signature: <hex HMAC-SHA256 of the raw body with PAGOSIMPLE_SECRET>`.
 *
 * A provider author writes the equivalent for their provider's scheme, with Web Crypto only, so
 * the module runs wherever `pasarela/server` does (Node, Bun, Deno, workers).
 */

/** The header carrying the signature (HTTP headers are case-insensitive). */
export const signatureHeader = 'PagoSimple-Signature';

const encoder = new TextEncoder();

function hmacKey(secret: string, usage: 'sign' | 'verify'): Promise<CryptoKey> {
  return crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, [
    usage,
  ]);
}

/** The hex signature of `body` (the sandbox's side). */
export async function signBody(secret: string, body: string): Promise<string> {
  const mac = await crypto.subtle.sign('HMAC', await hmacKey(secret, 'sign'), encoder.encode(body));
  return Array.from(new Uint8Array(mac), (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/**
 * True when `signature` is the HMAC of `body` under `secret`. `crypto.subtle.verify` compares in
 * constant time, so the signature is decoded and handed to it rather than compared as a string.
 */
export async function verifyBody(secret: string, body: string, signature: string | null): Promise<boolean> {
  if (!signature || !/^[0-9a-fA-F]{64}$/.test(signature)) return false;
  const bytes = new Uint8Array(32);
  for (let i = 0; i < 32; i++) bytes[i] = Number.parseInt(signature.slice(i * 2, i * 2 + 2), 16);
  return crypto.subtle.verify('HMAC', await hmacKey(secret, 'verify'), bytes, encoder.encode(body));
}
