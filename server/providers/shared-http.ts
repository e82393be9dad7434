/**
 * Small helpers both provider clients use to build URLs and to quote provider messages safely.
 * Not `http.ts`: that module owns the HTTP transport itself.
 */

/**
 * Joins a base URL and a path with exactly one `/`: the base may carry a path and trailing
 * slashes (a provider's documented base may), and the path may or may not start with `/`.
 */
export function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}

/**
 * Masks `secret` and every run matching `opaqueRun` (tokens the provider echoes) in a provider
 * message, and bounds its length to 160 characters. `opaqueRun` must be global (`/g`): each
 * provider's tokens have their own alphabet and length, so each client passes its own.
 */
export function redact(message: string, secret: string, opaqueRun: RegExp): string {
  const masked = (secret ? message.split(secret).join('[redacted]') : message).replace(
    opaqueRun,
    '[redacted]',
  );
  return masked.length > 160 ? `${masked.slice(0, 160)}…` : masked;
}
