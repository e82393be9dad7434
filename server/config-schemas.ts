// The zod schemas behind `loadConfig`: each reads one environment value and says, in words a
// merchant can act on, what is wrong with it. Messages never quote a secret's value.
import { z } from 'zod';
import type { Config } from './config.js';

export const minSecretBytes = 32;
const minAdminTokenLength = 16;

export const flag = z
  .string()
  .toLowerCase()
  .pipe(z.enum(['1', '0', 'true', 'false'], { error: 'must be 1 or 0 (or true or false).' }))
  .transform((value) => value === '1' || value === 'true');

export const integer = (min: number, max: number, what: string) => {
  const message = `must be ${what}, a whole number from ${min} to ${max}.`;
  return z
    .string()
    .regex(/^\d+$/, message)
    .transform(Number)
    .pipe(z.number().min(min, message).max(max, message));
};

/** An absolute http(s) base URL that paths are appended to: no credentials, query or fragment. */
export const baseUrl = (example: string) =>
  z
    .url({ protocol: /^https?$/, error: `must be an absolute http(s) URL, e.g. ${example}.` })
    .transform((value) => new URL(value))
    .refine((url) => !url.username && !url.password, 'must not carry a user name or password.')
    .refine((url) => !url.search && !url.hash, 'must not have a query (?…) or fragment (#…).')
    .transform((url) => `${url.origin}${url.pathname.replace(/\/+$/, '')}`);

/** Credentials are used byte for byte, so stray whitespace would fail only later, at the provider. */
export const credential = z
  .string()
  .refine((value) => value === value.trim(), 'starts or ends with whitespace: remove it.');

export const orderSecret = credential.refine(
  (value) => new TextEncoder().encode(value).length >= minSecretBytes,
  `is too short: use at least ${minSecretBytes} random bytes shared with the code that signs your orders (e.g. \`openssl rand -base64 48\`).`,
);

export const adminToken = credential.refine(
  (value) => value.length >= minAdminTokenLength,
  `is too short: use at least ${minAdminTokenLength} random characters (e.g. \`openssl rand -hex 32\`).`,
);

/** `1`/`true` (one proxy), `0`/`false` (none), or the number of trusted hops. */
export const proxyHops = z
  .string()
  .toLowerCase()
  .regex(/^(true|false|\d{1,2})$/, 'must be 0, 1 (or true or false), or the number of trusted proxy hops.')
  .transform((value) => (value === 'true' ? 1 : value === 'false' ? 0 : Number(value)))
  .pipe(z.number().max(10, 'must be at most 10 trusted proxy hops.'));

/** Standard Webhooks: `whsec_` and the base64 of 24 to 64 random bytes. */
export const webhookSecret = credential.refine((value) => {
  const body = value.startsWith('whsec_') ? value.slice(6) : '';
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(body)) return false;
  const bytes = Math.floor((body.replace(/=+$/, '').length * 3) / 4);
  return bytes >= 24 && bytes <= 64;
}, 'must be whsec_ followed by the base64 of 24 to 64 random bytes (e.g. `echo whsec_$(openssl rand -base64 32)`).');

/** Read without trimming: a secret is used exactly as set. */
export const secretSchemas = new Set<z.ZodType>([credential, orderSecret, adminToken, webhookSecret]);

export const logLevel = z
  .string()
  .toLowerCase()
  .pipe(z.enum(['debug', 'info', 'warn', 'error'], { error: 'must be debug, info, warn or error.' }));

export const hostName = z.string().regex(/^[^\s/]+$/, 'must be a host name or IP address, e.g. 0.0.0.0.');
export const terminalId = z.string().max(100, 'must be at most 100 characters.');

export const databaseUrl = z.string().transform((value, ctx): Config['databaseUrl'] => {
  if (value.startsWith('sqlite:')) {
    // `sqlite:///abs/path` and `sqlite://./rel` read as the URL forms people write.
    const path = value.slice('sqlite:'.length).replace(/^\/\//, '');
    if (path) return { kind: 'sqlite', path };
    ctx.addIssue({ code: 'custom', message: 'needs a path after sqlite:, e.g. sqlite:./data/pasarela.db.' });
    return z.NEVER;
  }
  if (/^postgres(ql)?:\/\/[^/?#]/.test(value) && URL.canParse(value)) return { kind: 'postgres', url: value };
  ctx.addIssue({
    code: 'custom',
    message: 'must be sqlite:<path> (e.g. sqlite:./data/pasarela.db) or postgres://user:password@host/db.',
  });
  return z.NEVER;
});

export const origins = z.string().transform((value, ctx) => {
  const entries = value
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  if (entries.length === 0) {
    ctx.addIssue({ code: 'custom', message: 'lists no origin: set it to e.g. https://shop.example.' });
    return z.NEVER;
  }
  const normalised: string[] = [];
  for (const entry of entries) {
    const url = URL.canParse(entry) ? new URL(entry) : undefined;
    // An origin serialises back to itself plus "/": a path, query, user name or `*` does not.
    if (!url || !/^https?:$/.test(url.protocol) || url.href !== `${url.origin}/`) {
      // Quoted as JSON (one line whatever it holds), with any user name and password masked.
      const shown = JSON.stringify(entry.replace(/\/\/[^/?#]*@/, '//[redacted]@'));
      ctx.addIssue({
        code: 'custom',
        message: `has ${shown}, which is not an origin: list scheme://host[:port] entries, e.g. https://shop.example (no path).`,
      });
      return z.NEVER;
    }
    if (!normalised.includes(url.origin)) normalised.push(url.origin);
  }
  return normalised;
});

/** Comma-separated endpoints: https, or http on loopback (and anywhere in sandbox mode). */
export const webhookUrls = (sandbox: boolean) =>
  z.string().transform((value, ctx) => {
    const entries = value
      .split(',')
      .map((entry) => entry.trim())
      .filter(Boolean);
    const urls: string[] = [];
    for (const entry of entries) {
      const url = URL.canParse(entry) ? new URL(entry) : undefined;
      const loopback = url && /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])$/.test(url.hostname);
      const allowed = url?.protocol === 'https:' || (url?.protocol === 'http:' && (loopback || sandbox));
      if (!url || !allowed || url.username || url.password) {
        ctx.addIssue({
          code: 'custom',
          message: `has ${JSON.stringify(entry.replace(/\/\/[^/?#]*@/, '//[redacted]@'))}, which is not an https:// URL (http:// only on loopback or in sandbox mode), e.g. https://shop.example/pasarela-events.`,
        });
        return z.NEVER;
      }
      urls.push(url.href);
    }
    if (!urls.length) {
      ctx.addIssue({
        code: 'custom',
        message: 'lists no URL: set it to e.g. https://shop.example/pasarela-events.',
      });
      return z.NEVER;
    }
    return urls;
  });
