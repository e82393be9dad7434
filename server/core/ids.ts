const base62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/**
 * `prefix` + 22 base62 characters from a CSPRNG (about 131 bits): session ids (`ps_`) and
 * notification event ids (`evt_`).
 */
export function randomId(prefix: string): string {
  let id = prefix;
  const length = prefix.length + 22;
  while (id.length < length) {
    for (const byte of crypto.getRandomValues(new Uint8Array(32))) {
      // 248 = 4 × 62: bytes above it would favour the first characters.
      if (byte < 248 && id.length < length) id += base62[byte % 62];
    }
  }
  return id;
}
