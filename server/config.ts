import type { z } from 'zod';
import {
  adminToken,
  baseUrl,
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
  webhookSecret,
  webhookUrls,
} from './config-schemas.js';
import { builtInProviders } from './providers/index.js';
import type { ProviderModule } from './providers/provider.js';

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
  /**
   * The enabled providers' settings by provider id, in the order their modules were given: what
   * each module's configuration read from its own variables (`settings`). Modules without a
   * configuration are always on and have none here.
   */
  providers: Readonly<Record<string, unknown>>;
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

export type ConfigEnv = Record<string, string | undefined>;

/** Thrown by `loadConfig`; its message is one line: the variable, then what to do. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Every variable Pasarela itself reads (DESIGN.md, "Server: configuration"); providers add theirs. */
export const coreVariables: readonly string[] = [
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
];

/**
 * Variables with Pasarela's prefix or a provider's (the part of its variables' names before the
 * first `_`) that nothing reads (`PASARELA_TEST_*` are the tests').
 */
export function unknownVariables(
  env: ConfigEnv,
  modules: readonly ProviderModule[] = builtInProviders,
): string[] {
  const providerVariables = modules.flatMap((module) => Object.keys(module.configuration?.variables ?? {}));
  const known = new Set([...coreVariables, ...providerVariables]);
  const prefixes = new Set(['PASARELA_', ...providerVariables.map((name) => name.replace(/_.*$/, '_'))]);
  return Object.keys(env)
    .filter((name) => [...prefixes].some((prefix) => name.startsWith(prefix)))
    .filter((name) => !name.startsWith('PASARELA_TEST_') && !known.has(name))
    .sort();
}

export interface LoadConfigOptions {
  /** The provider modules whose variables are read (the built-in ones by default). */
  providers?: readonly ProviderModule[];
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

export function loadConfig(env: ConfigEnv, options: LoadConfigOptions = {}): Config {
  const modules = options.providers ?? builtInProviders;
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
  const providerValues = modules.map((module) => {
    const variables = module.configuration?.variables ?? {};
    const values: Record<string, unknown> = {};
    for (const [name, schema] of Object.entries(variables)) values[name] = read(name, schema);
    return values;
  });

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

  const providers: Record<string, unknown> = {};
  modules.forEach((module, index) => {
    const configuration = module.configuration;
    if (!configuration) return;
    const values = { ...providerValues[index] };
    const [first, second] = configuration.credentials;
    const pair = pairOrFail([first, values[first]], [second, values[second]]);
    if (!pair && !sandbox) return;
    if (!pair) [values[first], values[second]] = configuration.sandboxCredentials;
    providers[module.info.id] = configuration.settings(values, {
      sandbox,
      publicUrl,
      sandboxUrl: `${publicUrl}/sandbox/${module.info.id}`,
    });
  });
  // A module without a configuration is always on (`createPasarela` enables it without settings).
  const alwaysOn = modules.some((module) => !module.configuration);
  if (Object.keys(providers).length === 0 && !alwaysOn) failNoProvider(modules);

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
    providers,
    webhooks: hookPair ? { urls: hookPair[0], secret: hookPair[1] } : null,
    limits,
    unknownVariables: unknownVariables(env, modules),
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

/** Outside sandbox mode, some provider's credentials must be set. */
function failNoProvider(modules: readonly ProviderModule[]): never {
  const pairs = modules.flatMap((module) => (module.configuration ? [module.configuration.credentials] : []));
  const [first, ...others] = pairs.map(([name]) => name);
  const unset =
    others.length === 0
      ? 'is unset'
      : `and ${others.join(' and ')} are ${others.length === 1 ? 'both' : 'all'} unset`;
  const choices = pairs.map(([a, b]) => `${a} and ${b}`).join(', or ');
  return fail(
    first ?? 'PASARELA_SANDBOX',
    `${unset}, so no provider is enabled: set ${pairs.length > 1 ? 'one provider’s credentials' : 'its credentials'} (${choices}), or run with PASARELA_SANDBOX=1.`,
  );
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
export function describeConfig(config: Config, modules: readonly ProviderModule[] = builtInProviders) {
  const described = modules.filter((module) => Object.hasOwn(config.providers, module.info.id));
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
    providers: described.map(({ info, configuration }) => ({
      id: info.id,
      ...configuration?.describe(config.providers[info.id]),
    })),
  };
}
