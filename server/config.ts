import { z } from 'zod';

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
  /** Origins allowed for CORS and `return_url`. */
  allowedOrigins: string[];
  sandbox: boolean;
  trustProxy: boolean;
  etpay: { merchantCode: string; apiToken: string; apiUrl: string; pmtUrl: string } | null;
  tpaga: {
    username: string;
    password: string;
    apiUrl: string;
    terminalId: string;
    expiryMinutes: number;
    autoDelivery: boolean;
  } | null;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export const sandboxCredentials = {
  etpay: { merchantCode: 'cl_sandbox_pasarela', apiToken: 'sandbox-etpay-token' },
  tpaga: { username: 'pasarela-sandbox', password: 'sandbox-tpaga-password' },
} as const;

const defaults = {
  etpayApiUrl: 'https://api-sandbox.etpay.com',
  etpayPmtUrl: 'https://pmt-sandbox.etpay.com',
  tpagaApiUrl: 'https://stag.wallet.tpaga.co/merchants/api/v1',
} as const;

type Env = Record<string, string | undefined>;

export function loadConfig(env: Env): Config {
  const read = (name: string) => {
    const value = env[name]?.trim();
    return value ? value : undefined;
  };
  const fail = (name: string, what: string): never => {
    throw new ConfigError(`${name} ${what}`);
  };
  const parse = <T>(name: string, schema: z.ZodType<T>, what: string): T | undefined => {
    const value = read(name);
    if (value === undefined) return undefined;
    const result = schema.safeParse(value);
    return result.success ? result.data : fail(name, what);
  };

  const flag = (name: string) =>
    parse(name, z.enum(['1', '0', 'true', 'false']), 'must be 1 or 0 (true or false).') ?? '0';
  const isOn = (value: string) => value === '1' || value === 'true';
  const httpUrl = z.url({ protocol: /^https?$/ }).transform((url) => url.replace(/\/+$/, ''));

  const sandbox = isOn(flag('PASARELA_SANDBOX'));
  const trustProxy = isOn(flag('PASARELA_TRUST_PROXY'));
  const port =
    parse('PORT', z.coerce.number().int().min(0).max(65535), 'must be a port number (0–65535).') ?? 8787;
  const host = read('HOST') ?? '127.0.0.1';
  const publicUrl =
    parse('PUBLIC_URL', httpUrl, 'must be an absolute http(s) URL, e.g. https://pay.shop.example.') ??
    `http://localhost:${port}`;

  const databaseUrl = parseDatabaseUrl(read('DATABASE_URL') ?? 'sqlite:./data/pasarela.db', fail);

  let orderSecret = read('PASARELA_ORDER_SECRET');
  let orderSecretGenerated = false;
  if (orderSecret !== undefined && new TextEncoder().encode(orderSecret).length < 32) {
    fail(
      'PASARELA_ORDER_SECRET',
      'is too short: use at least 32 random bytes (e.g. `openssl rand -base64 48`).',
    );
  }
  if (orderSecret === undefined) {
    if (!sandbox) {
      fail(
        'PASARELA_ORDER_SECRET',
        'is missing: set it to at least 32 random bytes shared with the code that signs your orders, or run with PASARELA_SANDBOX=1.',
      );
    }
    orderSecret = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))));
    orderSecretGenerated = true;
  }

  const adminToken = read('PASARELA_ADMIN_TOKEN') ?? null;
  if (adminToken !== null && adminToken.length < 16) {
    fail('PASARELA_ADMIN_TOKEN', 'is too short: use at least 16 random characters.');
  }

  const originsRaw = read('PASARELA_ALLOWED_ORIGINS');
  const allowedOrigins = originsRaw
    ? originsRaw.split(',').map((entry) => parseOrigin(entry.trim(), fail))
    : [new URL(publicUrl).origin];

  const etpay = providerCredentials(
    read,
    fail,
    sandbox,
    ['ETPAY_MERCHANT_CODE', 'ETPAY_API_TOKEN'],
    [sandboxCredentials.etpay.merchantCode, sandboxCredentials.etpay.apiToken],
  );
  const tpaga = providerCredentials(
    read,
    fail,
    sandbox,
    ['TPAGA_USERNAME', 'TPAGA_PASSWORD'],
    [sandboxCredentials.tpaga.username, sandboxCredentials.tpaga.password],
  );
  if (!etpay && !tpaga) {
    fail(
      'ETPAY_MERCHANT_CODE',
      'and TPAGA_USERNAME are both unset: set one provider’s credentials, or run with PASARELA_SANDBOX=1.',
    );
  }
  const urlOr = (name: string, fallback: string) =>
    parse(name, httpUrl, 'must be an absolute http(s) URL.') ?? fallback;

  return {
    port,
    host,
    publicUrl,
    databaseUrl,
    orderSecret,
    orderSecretGenerated,
    adminToken,
    allowedOrigins,
    sandbox,
    trustProxy,
    etpay: etpay && {
      merchantCode: etpay[0],
      apiToken: etpay[1],
      apiUrl: urlOr('ETPAY_API_URL', sandbox ? `${publicUrl}/sandbox/etpay/api` : defaults.etpayApiUrl),
      pmtUrl: urlOr('ETPAY_PMT_URL', sandbox ? `${publicUrl}/sandbox/etpay/pmt` : defaults.etpayPmtUrl),
    },
    tpaga: tpaga && {
      username: tpaga[0],
      password: tpaga[1],
      apiUrl: urlOr(
        'TPAGA_API_URL',
        sandbox ? `${publicUrl}/sandbox/tpaga/merchants/api/v1` : defaults.tpagaApiUrl,
      ),
      terminalId: read('TPAGA_TERMINAL_ID') ?? 'web',
      expiryMinutes:
        parse(
          'TPAGA_EXPIRY_MINUTES',
          z.coerce.number().int().min(1).max(1440),
          'must be whole minutes, 1–1440.',
        ) ?? 30,
      autoDelivery: isOn(flag('TPAGA_AUTO_DELIVERY')),
    },
  };
}

/** A provider is on when both credentials are set; sandbox mode fills in the sandbox's own. */
function providerCredentials(
  read: (name: string) => string | undefined,
  fail: (name: string, what: string) => never,
  sandbox: boolean,
  names: [string, string],
  sandboxValues: [string, string],
): [string, string] | null {
  const [a, b] = [read(names[0]), read(names[1])];
  if (a && b) return [a, b];
  if (a || b) {
    const missing = a ? names[1] : names[0];
    return fail(missing, `is missing: ${names[0]} and ${names[1]} go together.`);
  }
  return sandbox ? sandboxValues : null;
}

function parseDatabaseUrl(value: string, fail: (name: string, what: string) => never): Config['databaseUrl'] {
  if (value.startsWith('sqlite:')) {
    const path = value.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (!path) fail('DATABASE_URL', 'needs a path after sqlite:, e.g. sqlite:./data/pasarela.db.');
    return { kind: 'sqlite', path };
  }
  if (/^postgres(ql)?:\/\//.test(value)) return { kind: 'postgres', url: value };
  return fail('DATABASE_URL', 'must be sqlite:<path> or postgres://…');
}

function parseOrigin(entry: string, fail: (name: string, what: string) => never): string {
  let url: URL | undefined;
  try {
    url = new URL(entry);
  } catch {
    url = undefined;
  }
  if (!url || !/^https?:$/.test(url.protocol) || url.origin !== entry.replace(/\/$/, '')) {
    return fail(
      'PASARELA_ALLOWED_ORIGINS',
      `has "${entry}": list origins like https://shop.example (no path).`,
    );
  }
  return url.origin;
}

/** The settings for the start-up log line: no secret, token or password. */
export function describeConfig(config: Config) {
  return {
    publicUrl: config.publicUrl,
    database: config.databaseUrl.kind,
    sandbox: config.sandbox,
    providers: [config.etpay && 'etpay', config.tpaga && 'tpaga'].filter(Boolean),
    allowedOrigins: config.allowedOrigins,
    admin: config.adminToken !== null,
    orderSecretGenerated: config.orderSecretGenerated,
  };
}
