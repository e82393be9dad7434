import type { z } from 'zod';
import {
  adminToken,
  baseUrl,
  credential,
  databaseUrl,
  flag,
  hostName,
  integer,
  logLevel as logLevelSchema,
  minSecretBytes,
  orderSecret,
  origins,
  proxyHops,
  secretSchemas,
  terminalId,
  webhookSecret,
  webhookUrls,
} from './config-schemas.js';

/**
 * Settings from the environment (DESIGN.md, "Server: configuration"), validated once at start-up.
 * A bad or missing value stops the server with one line naming the variable and what to do.
 */
export interface Config {
  port: number;
  host: string;
  /** External base URL, no trailing slash. */
  publicUrl: string;
  databaseUrl: { kind: 'sqlite'; path: string } | { kind: 'postgres'; url: string };
  orderSecret: string;
  /** True when sandbox mode made up the order secret (tokens die with the process). */
  orderSecretGenerated: boolean;
  adminToken: string | null;
  /** Origins (`scheme://host[:port]`, normalised) allowed for CORS and `return_url`. */
  allowedOrigins: string[];
  sandbox: boolean;
  /**
   * Trusted proxy hops in front of the server (0: none). The client address is the
   * `X-Forwarded-For` entry the nearest of them added: the `trustProxy`-th from the right.
   */
  trustProxy: number;
  etpay: EtpayConfig | null;
  tpaga: TpagaConfig | null;
  /** Signed notifications to the merchant's backend; null when off. */
  webhooks: WebhookConfig | null;
  /** Per client address: creations and status reads a minute (0 = off), open event streams. */
  limits: { createPerMinute: number; readPerMinute: number; streamsPerClient: number };
  /** Variables with Pasarela's prefixes that nothing reads (a typo): named in a warning at start-up. */
  unknownVariables: string[];
  /** `LOG_LEVEL`: the least severe log lines written (`info`). */
  logLevel: 'debug' | 'info' | 'warn' | 'error';
}

export interface WebhookConfig {
  urls: string[];
  /** `whsec_…` (Standard Webhooks). */
  secret: string;
}

export interface EtpayConfig {
  merchantCode: string;
  apiToken: string;
  /** API and funnel bases, no trailing slash. */
  apiUrl: string;
  pmtUrl: string;
  /** How long a session may be paid before Pasarela calls it expired. */
  sessionMinutes: number;
}

export interface TpagaConfig {
  username: string;
  password: string;
  /** Base ending in `/merchants/api/v1`, no trailing slash. */
  apiUrl: string;
  terminalId: string;
  expiryMinutes: number;
  autoDelivery: boolean;
  /** The merchant's slug in payment links; known only for the built-in sandbox's merchant. */
  merchantSlug?: string;
}

export type ConfigEnv = Record<string, string | undefined>;

/** Thrown by `loadConfig`; its message is one line: the variable, then what to do. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** What the built-in sandboxes accept (DESIGN.md, "Sandboxes"). */
export const sandboxCredentials = {
  etpay: { merchantCode: 'cl_sandbox_pasarela', apiToken: 'sandbox-etpay-token' },
  tpaga: { username: 'pasarela-sandbox', password: 'sandbox-tpaga-password', merchantSlug: 'pasarela' },
} as const;

/** The providers' own sandbox hosts (providers/ETPAY.md and TPAGA.md, §2). */
export const providerHosts = {
  etpayApiUrl: 'https://api-sandbox.etpay.com',
  etpayPmtUrl: 'https://pmt-sandbox.etpay.com',
  tpagaApiUrl: 'https://stag.wallet.tpaga.co/merchants/api/v1',
} as const;

/** Every variable Pasarela reads (DESIGN.md, "Server: configuration"). */
export const knownVariables: readonly string[] = [
  'PASARELA_ORDER_SECRET',
  'PASARELA_ADMIN_TOKEN',
  'PASARELA_ALLOWED_ORIGINS',
  'PASARELA_SANDBOX',
  'PASARELA_TRUST_PROXY',
  'PASARELA_WEBHOOK_URL',
  'PASARELA_WEBHOOK_SECRET',
  'PASARELA_RATE_LIMIT_CREATE',
  'PASARELA_RATE_LIMIT_READ',
  'PASARELA_STREAMS_PER_CLIENT',
  'ETPAY_MERCHANT_CODE',
  'ETPAY_API_TOKEN',
  'ETPAY_API_URL',
  'ETPAY_PMT_URL',
  'ETPAY_SESSION_MINUTES',
  'TPAGA_USERNAME',
  'TPAGA_PASSWORD',
  'TPAGA_API_URL',
  'TPAGA_TERMINAL_ID',
  'TPAGA_EXPIRY_MINUTES',
  'TPAGA_AUTO_DELIVERY',
];

/** Variables with Pasarela's prefixes that nothing reads (`PASARELA_TEST_*` are the tests'). */
export function unknownVariables(env: ConfigEnv): string[] {
  return Object.keys(env)
    .filter((name) => /^(PASARELA|ETPAY|TPAGA)_/.test(name) && !name.startsWith('PASARELA_TEST_'))
    .filter((name) => !knownVariables.includes(name))
    .sort();
}

/** DATABASE_URL alone, for tools that need only the database (`npm run backup`). */
export function loadDatabaseUrl(env: ConfigEnv): Config['databaseUrl'] {
  const raw = env.DATABASE_URL?.trim();
  if (!raw) return defaultDatabase;
  const result = databaseUrl.safeParse(raw);
  if (result.success) return result.data;
  return fail('DATABASE_URL', result.error.issues[0]?.message ?? 'is not valid.');
}

const defaultDatabase: Config['databaseUrl'] = { kind: 'sqlite', path: './data/pasarela.db' };

export function loadConfig(env: ConfigEnv): Config {
  const read = <T>(name: string, schema: z.ZodType<T, string>): T | undefined => {
    const raw = env[name];
    // Empty counts as unset: `FOO=` in an env file, or a compose default.
    if (raw === undefined || raw.trim() === '') return undefined;
    const verbatim = secretSchemas.has(schema);
    const result = schema.safeParse(verbatim ? raw : raw.trim());
    if (result.success) return result.data;
    // Issue messages are written above and never quote a secret's value.
    return fail(name, result.error.issues[0]?.message ?? 'is not valid.');
  };
  const sandbox = read('PASARELA_SANDBOX', flag) ?? false;
  const logLevel = read('LOG_LEVEL', logLevelSchema) ?? 'info';
  const trustProxy = read('PASARELA_TRUST_PROXY', proxyHops) ?? 0;
  const port = read('PORT', integer(0, 65535, 'a port number')) ?? 8787;
  const listenHost = read('HOST', hostName) ?? '127.0.0.1';
  const publicUrl = read('PUBLIC_URL', baseUrl('https://pay.shop.example')) ?? `http://localhost:${port}`;
  const database = read('DATABASE_URL', databaseUrl) ?? defaultDatabase;

  let secret = read('PASARELA_ORDER_SECRET', orderSecret);
  const orderSecretGenerated = secret === undefined;
  if (secret === undefined) {
    if (!sandbox) {
      fail(
        'PASARELA_ORDER_SECRET',
        `is missing: set it to at least ${minSecretBytes} random bytes shared with the code that signs your orders, or run with PASARELA_SANDBOX=1.`,
      );
    }
    secret = randomSecret();
  }

  const admin = read('PASARELA_ADMIN_TOKEN', adminToken) ?? null;
  const allowedOrigins = read('PASARELA_ALLOWED_ORIGINS', origins) ?? [new URL(publicUrl).origin];

  // Every provider variable is checked even when its provider stays off, so a typo never waits
  // for the day the provider is switched on.
  const etpayCode = read('ETPAY_MERCHANT_CODE', credential);
  const etpayToken = read('ETPAY_API_TOKEN', credential);
  const etpayApiUrl = read('ETPAY_API_URL', baseUrl(providerHosts.etpayApiUrl));
  const etpayPmtUrl = read('ETPAY_PMT_URL', baseUrl(providerHosts.etpayPmtUrl));
  const tpagaUser = read('TPAGA_USERNAME', credential);
  const tpagaPassword = read('TPAGA_PASSWORD', credential);
  const tpagaApiUrl = read('TPAGA_API_URL', baseUrl(providerHosts.tpagaApiUrl));
  const tpagaTerminal = read('TPAGA_TERMINAL_ID', terminalId) ?? 'web';
  const tpagaExpiry =
    read('TPAGA_EXPIRY_MINUTES', integer(1, 1440, 'the payment link lifetime in minutes')) ?? 30;
  const tpagaAutoDelivery = read('TPAGA_AUTO_DELIVERY', flag) ?? false;
  const etpaySessionMinutes =
    read('ETPAY_SESSION_MINUTES', integer(1, 1440, 'the ETpay session lifetime in minutes')) ?? 30;

  const hookUrls = read('PASARELA_WEBHOOK_URL', webhookUrls(sandbox));
  const hookSecret = read('PASARELA_WEBHOOK_SECRET', webhookSecret);
  const hookPair = pairOrFail(
    ['PASARELA_WEBHOOK_URL', hookUrls],
    ['PASARELA_WEBHOOK_SECRET', hookSecret],
    'to send signed notifications to your backend',
  );
  const limits = {
    createPerMinute:
      read('PASARELA_RATE_LIMIT_CREATE', integer(0, 1_000_000, 'session creations per minute (0 = off)')) ??
      20,
    readPerMinute:
      read('PASARELA_RATE_LIMIT_READ', integer(0, 1_000_000, 'status reads per minute (0 = off)')) ?? 300,
    streamsPerClient:
      read('PASARELA_STREAMS_PER_CLIENT', integer(1, 100_000, 'open event streams per client')) ?? 50,
  };

  const etpayPair = pairOrFail(['ETPAY_MERCHANT_CODE', etpayCode], ['ETPAY_API_TOKEN', etpayToken]);
  const tpagaPair = pairOrFail(['TPAGA_USERNAME', tpagaUser], ['TPAGA_PASSWORD', tpagaPassword]);
  if (!sandbox && !etpayPair && !tpagaPair) {
    fail(
      'ETPAY_MERCHANT_CODE',
      'and TPAGA_USERNAME are both unset, so no provider is enabled: set one provider’s credentials (ETPAY_MERCHANT_CODE and ETPAY_API_TOKEN, or TPAGA_USERNAME and TPAGA_PASSWORD), or run with PASARELA_SANDBOX=1.',
    );
  }

  const sandboxBase = `${publicUrl}/sandbox`;
  const etpay: EtpayConfig | null =
    etpayPair || sandbox
      ? {
          merchantCode: etpayPair?.[0] ?? sandboxCredentials.etpay.merchantCode,
          apiToken: etpayPair?.[1] ?? sandboxCredentials.etpay.apiToken,
          apiUrl: etpayApiUrl ?? (sandbox ? `${sandboxBase}/etpay/api` : providerHosts.etpayApiUrl),
          pmtUrl: etpayPmtUrl ?? (sandbox ? `${sandboxBase}/etpay/pmt` : providerHosts.etpayPmtUrl),
          sessionMinutes: etpaySessionMinutes,
        }
      : null;
  const tpaga: TpagaConfig | null =
    tpagaPair || sandbox
      ? {
          username: tpagaPair?.[0] ?? sandboxCredentials.tpaga.username,
          password: tpagaPair?.[1] ?? sandboxCredentials.tpaga.password,
          apiUrl:
            tpagaApiUrl ?? (sandbox ? `${sandboxBase}/tpaga/merchants/api/v1` : providerHosts.tpagaApiUrl),
          terminalId: tpagaTerminal,
          expiryMinutes: tpagaExpiry,
          autoDelivery: tpagaAutoDelivery,
          ...(!tpagaPair && { merchantSlug: sandboxCredentials.tpaga.merchantSlug }),
        }
      : null;

  return {
    port,
    host: listenHost,
    publicUrl,
    databaseUrl: database,
    orderSecret: secret,
    orderSecretGenerated,
    adminToken: admin,
    allowedOrigins,
    sandbox,
    trustProxy,
    etpay,
    tpaga,
    webhooks: hookPair ? { urls: hookPair[0], secret: hookPair[1] } : null,
    limits,
    unknownVariables: unknownVariables(env),
    logLevel,
  };
}

/** Both halves of a credential, or neither; one alone is a mistake worth stopping for. */
function pairOrFail<A, B>(
  [firstName, first]: [string, A | undefined],
  [secondName, second]: [string, B | undefined],
  purpose = 'to enable the provider',
): [A, B] | null {
  if (first !== undefined && second !== undefined) return [first, second];
  if (first === undefined && second === undefined) return null;
  const [missing, present] = first === undefined ? [firstName, secondName] : [secondName, firstName];
  return fail(missing, `is missing while ${present} is set: set both ${purpose}, or neither.`);
}

function fail(name: string, what: string): never {
  throw new ConfigError(`${name} ${what}`);
}

function randomSecret(): string {
  return btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(minSecretBytes))));
}

/**
 * The settings for the start-up log line: no secret, token, password or user name. Its keys avoid
 * the words the logger redacts (`secret`, `token`…), so the line stays readable.
 */
export function describeConfig(config: Config) {
  const { etpay, tpaga } = config;
  return {
    host: config.host,
    port: config.port,
    publicUrl: config.publicUrl,
    database: config.databaseUrl.kind === 'sqlite' ? `sqlite:${config.databaseUrl.path}` : 'postgres',
    sandbox: config.sandbox,
    trustProxy: config.trustProxy,
    allowedOrigins: config.allowedOrigins,
    adminApi: config.adminToken !== null,
    // Where signed notifications go, without a query (it may carry a key of the merchant's).
    notifications: (config.webhooks?.urls ?? []).map((url) => url.replace(/[?#].*$/, '')),
    generatedOrderKey: config.orderSecretGenerated,
    providers: [
      ...(etpay ? [{ id: 'etpay', apiUrl: etpay.apiUrl, pmtUrl: etpay.pmtUrl }] : []),
      ...(tpaga
        ? [
            {
              id: 'tpaga',
              apiUrl: tpaga.apiUrl,
              terminalId: tpaga.terminalId,
              expiryMinutes: tpaga.expiryMinutes,
              autoDelivery: tpaga.autoDelivery,
            },
          ]
        : []),
    ],
  };
}
