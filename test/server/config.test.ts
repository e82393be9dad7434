import { describe, expect, it } from 'vitest';
import { describeConfig, loadConfig } from '../../server/config.js';
import { createLogger } from '../../server/log.js';
import { builtInSettings, sandboxCredentials } from '../../server/providers/index.js';
import { env, etpay, failure, secret, tpaga, webhookSecret } from './config.fixture.js';

describe('loadConfig defaults', () => {
  it('applies the documented defaults', () => {
    const config = loadConfig(env());
    expect(config).toMatchObject({
      port: 8787,
      host: '127.0.0.1',
      publicUrl: 'http://localhost:8787',
      databaseUrl: { kind: 'sqlite', path: './data/pasarela.db' },
      orderSecret: secret,
      orderSecretGenerated: false,
      adminToken: null,
      allowedOrigins: ['http://localhost:8787'],
      sandbox: false,
      trustProxy: 0,
      webhooks: null,
      limits: { createPerMinute: 20, readPerMinute: 300, streamsPerClient: 50 },
      unknownVariables: [],
      logLevel: 'info',
    });
    expect(Object.keys(config.providers)).toEqual(['etpay']);
    expect(loadConfig(env({ PORT: '9000' })).publicUrl).toBe('http://localhost:9000');
  });

  it('points ETpay and Tpaga at their own sandbox hosts outside sandbox mode', () => {
    const config = loadConfig(env(tpaga));
    expect(config.providers.etpay).toEqual({
      merchantCode: 'cl_shop',
      apiToken: etpay.ETPAY_API_TOKEN,
      apiUrl: 'https://api-sandbox.etpay.com',
      pmtUrl: 'https://pmt-sandbox.etpay.com',
      sessionMinutes: 30,
    });
    expect(config.providers.tpaga).toEqual({
      username: 'shop-user',
      password: tpaga.TPAGA_PASSWORD,
      apiUrl: 'https://stag.wallet.tpaga.co/merchants/api/v1',
      terminalId: 'web',
      expiryMinutes: 30,
      autoDelivery: false,
    });
  });

  it('treats empty variables as unset', () => {
    const config = loadConfig(env({ PORT: '', PASARELA_ADMIN_TOKEN: '', TPAGA_USERNAME: '', HOST: ' ' }));
    expect(config).toMatchObject({ port: 8787, host: '127.0.0.1', adminToken: null });
    expect(config.providers.tpaga).toBeUndefined();
  });
});

describe('loadConfig values', () => {
  it('reads every variable', () => {
    const config = loadConfig({
      PORT: '3000',
      HOST: '0.0.0.0',
      PUBLIC_URL: 'https://Pay.Shop.Example/checkout/',
      DATABASE_URL: 'postgres://pasarela:pw@db.internal:5432/pasarela',
      PASARELA_ORDER_SECRET: secret,
      PASARELA_ADMIN_TOKEN: 'admin-token-0123456789',
      PASARELA_ALLOWED_ORIGINS: 'https://shop.example, https://WWW.Shop.Example:443/,http://localhost:5173',
      PASARELA_SANDBOX: 'false',
      PASARELA_TRUST_PROXY: 'true',
      ...etpay,
      ETPAY_API_URL: 'https://api-prod01.etpayment.com/',
      ETPAY_PMT_URL: 'https://pmt-01.etpayment.com',
      ...tpaga,
      TPAGA_API_URL: 'https://wallet.tpaga.co/merchants/api/v1/',
      TPAGA_TERMINAL_ID: 'kiosk-7',
      TPAGA_EXPIRY_MINUTES: '1440',
      TPAGA_AUTO_DELIVERY: '1',
      ETPAY_SESSION_MINUTES: '45',
      PASARELA_WEBHOOK_URL: 'https://shop.example/pasarela-events, http://127.0.0.1:9000/hooks',
      PASARELA_WEBHOOK_SECRET: webhookSecret,
      PASARELA_RATE_LIMIT_CREATE: '5',
      PASARELA_RATE_LIMIT_READ: '0',
      PASARELA_STREAMS_PER_CLIENT: '8',
    });
    expect(config).toEqual({
      port: 3000,
      host: '0.0.0.0',
      publicUrl: 'https://pay.shop.example/checkout',
      databaseUrl: { kind: 'postgres', url: 'postgres://pasarela:pw@db.internal:5432/pasarela' },
      orderSecret: secret,
      orderSecretGenerated: false,
      adminToken: 'admin-token-0123456789',
      allowedOrigins: ['https://shop.example', 'https://www.shop.example', 'http://localhost:5173'],
      sandbox: false,
      trustProxy: 1,
      providers: {
        etpay: {
          merchantCode: 'cl_shop',
          apiToken: etpay.ETPAY_API_TOKEN,
          apiUrl: 'https://api-prod01.etpayment.com',
          pmtUrl: 'https://pmt-01.etpayment.com',
          sessionMinutes: 45,
        },
        tpaga: {
          username: 'shop-user',
          password: tpaga.TPAGA_PASSWORD,
          apiUrl: 'https://wallet.tpaga.co/merchants/api/v1',
          terminalId: 'kiosk-7',
          expiryMinutes: 1440,
          autoDelivery: true,
        },
      },
      webhooks: {
        urls: ['https://shop.example/pasarela-events', 'http://127.0.0.1:9000/hooks'],
        secret: webhookSecret,
      },
      limits: { createPerMinute: 5, readPerMinute: 0, streamsPerClient: 8 },
      unknownVariables: [],
      logLevel: 'info',
    });
  });

  it('reads sqlite paths in the forms people write', () => {
    const path = (value: string) => loadConfig(env({ DATABASE_URL: value })).databaseUrl;
    expect(path('sqlite:./data/shop.db')).toEqual({ kind: 'sqlite', path: './data/shop.db' });
    expect(path('sqlite:///var/lib/pasarela.db')).toEqual({ kind: 'sqlite', path: '/var/lib/pasarela.db' });
    expect(path('sqlite::memory:')).toEqual({ kind: 'sqlite', path: ':memory:' });
    expect(path('postgresql://db/pasarela')).toEqual({ kind: 'postgres', url: 'postgresql://db/pasarela' });
  });

  it('accepts 1, 0, true and false for boolean variables', () => {
    const read = (value: string) =>
      builtInSettings(loadConfig(env({ TPAGA_AUTO_DELIVERY: value, ...tpaga }))).tpaga?.autoDelivery;
    expect(['1', 'true', 'TRUE', '0', 'false'].map(read)).toEqual([true, true, true, false, false]);
  });

  it('reads PASARELA_TRUST_PROXY as a number of trusted hops (1 and true are one, 0 and false none)', () => {
    const read = (value: string) => loadConfig(env({ PASARELA_TRUST_PROXY: value })).trustProxy;
    expect(['1', 'true', '0', 'false', '2', '10'].map(read)).toEqual([1, 1, 0, 0, 2, 10]);
    expect(failure(env({ PASARELA_TRUST_PROXY: 'yes' }))).toMatch(/^PASARELA_TRUST_PROXY /);
    expect(failure(env({ PASARELA_TRUST_PROXY: '11' }))).toMatch(/^PASARELA_TRUST_PROXY .*at most 10/);
  });

  it('accepts the ends of the numeric ranges', () => {
    expect(loadConfig(env({ PORT: '0' })).port).toBe(0);
    expect(loadConfig(env({ PORT: '65535' })).port).toBe(65535);
    expect(
      builtInSettings(loadConfig(env({ ...tpaga, TPAGA_EXPIRY_MINUTES: '1' }))).tpaga?.expiryMinutes,
    ).toBe(1);
  });
});

describe('loadConfig providers', () => {
  it('enables only the providers whose credentials are set', () => {
    const onlyTpaga = loadConfig({ PASARELA_ORDER_SECRET: secret, ...tpaga });
    expect(onlyTpaga.providers.etpay).toBeUndefined();
    expect(builtInSettings(onlyTpaga).tpaga?.username).toBe('shop-user');
  });

  it('names the missing half of a credential pair', () => {
    expect(failure(env({ ETPAY_API_TOKEN: undefined }))).toMatch(/^ETPAY_API_TOKEN is missing/);
    expect(failure(env({ ETPAY_MERCHANT_CODE: undefined }))).toMatch(/^ETPAY_MERCHANT_CODE is missing/);
    expect(failure(env({ TPAGA_USERNAME: 'shop-user' }))).toMatch(/^TPAGA_PASSWORD is missing/);
    expect(failure(env({ TPAGA_PASSWORD: 'pw' }))).toMatch(/^TPAGA_USERNAME is missing/);
  });

  it('refuses half-set credentials in sandbox mode too', () => {
    expect(failure({ PASARELA_SANDBOX: '1', TPAGA_USERNAME: 'shop-user' })).toMatch(/^TPAGA_PASSWORD /);
  });

  it('says to set credentials or use the sandbox when no provider is enabled', () => {
    const message = failure({ PASARELA_ORDER_SECRET: secret });
    expect(message).toMatch(/^ETPAY_MERCHANT_CODE /);
    expect(message).toContain('TPAGA_USERNAME');
    expect(message).toContain('PASARELA_SANDBOX=1');
  });

  it('checks a disabled provider’s variables too', () => {
    expect(failure(env({ TPAGA_EXPIRY_MINUTES: 'soon' }))).toMatch(/^TPAGA_EXPIRY_MINUTES /);
  });
});

describe('loadConfig in sandbox mode', () => {
  it('uses the sandbox credentials and the built-in sandboxes under PUBLIC_URL', () => {
    const config = loadConfig({ PASARELA_SANDBOX: '1', PUBLIC_URL: 'http://127.0.0.1:4000/' });
    expect(config.sandbox).toBe(true);
    expect(config.providers.etpay).toEqual({
      ...sandboxCredentials.etpay,
      apiUrl: 'http://127.0.0.1:4000/sandbox/etpay/api',
      pmtUrl: 'http://127.0.0.1:4000/sandbox/etpay/pmt',
      sessionMinutes: 30,
    });
    expect(config.providers.tpaga).toEqual({
      username: 'pasarela-sandbox',
      password: 'sandbox-tpaga-password',
      merchantSlug: 'pasarela',
      apiUrl: 'http://127.0.0.1:4000/sandbox/tpaga/merchants/api/v1',
      terminalId: 'web',
      expiryMinutes: 30,
      autoDelivery: false,
    });
  });

  it('generates a fresh 32-byte order secret when none is set, and says so', () => {
    const first = loadConfig({ PASARELA_SANDBOX: '1' });
    const second = loadConfig({ PASARELA_SANDBOX: '1' });
    expect(first.orderSecretGenerated).toBe(true);
    expect(new TextEncoder().encode(first.orderSecret).length).toBeGreaterThanOrEqual(32);
    expect(first.orderSecret).not.toBe(second.orderSecret);
    const given = loadConfig({ PASARELA_SANDBOX: '1', PASARELA_ORDER_SECRET: secret });
    expect(given).toMatchObject({ orderSecret: secret, orderSecretGenerated: false });
  });

  it('prefers explicit ETpay credentials and hosts to the sandbox ones', () => {
    const config = loadConfig({
      PASARELA_SANDBOX: '1',
      ...etpay,
      ETPAY_PMT_URL: 'https://pmt-01.etpayment.com',
    });
    expect(config.providers.etpay).toEqual({
      merchantCode: 'cl_shop',
      apiToken: etpay.ETPAY_API_TOKEN,
      apiUrl: 'http://localhost:8787/sandbox/etpay/api',
      pmtUrl: 'https://pmt-01.etpayment.com',
      sessionMinutes: 30,
    });
    expect(config.providers.tpaga).toMatchObject({ username: 'pasarela-sandbox', merchantSlug: 'pasarela' });
  });

  it('keeps credentials and URLs that are set', () => {
    const tpagaApiUrl = 'https://stag.wallet.tpaga.co/merchants/api/v1';
    const config = loadConfig({ PASARELA_SANDBOX: '1', ...tpaga, TPAGA_API_URL: tpagaApiUrl });
    expect(config.providers.tpaga).toMatchObject({ username: 'shop-user', apiUrl: tpagaApiUrl });
    expect(builtInSettings(config).tpaga?.merchantSlug).toBeUndefined();
    expect(builtInSettings(config).etpay?.merchantCode).toBe(sandboxCredentials.etpay.merchantCode);
  });
});

describe('loadConfig errors', () => {
  it('requires PASARELA_ORDER_SECRET outside sandbox mode', () => {
    const message = failure({ ...etpay });
    expect(message).toMatch(/^PASARELA_ORDER_SECRET is missing/);
    expect(message).toContain('PASARELA_SANDBOX=1');
  });

  it('refuses a short or padded order secret without repeating it', () => {
    const short = 'short-but-secret-value-31-bytes';
    const message = failure(env({ PASARELA_ORDER_SECRET: short }));
    expect(message).toMatch(/^PASARELA_ORDER_SECRET is too short/);
    expect(message).not.toContain(short);
    const padded = failure(env({ PASARELA_ORDER_SECRET: ` ${secret}` }));
    expect(padded).toMatch(/^PASARELA_ORDER_SECRET .*whitespace/);
    expect(padded).not.toContain(secret);
  });

  it('counts the order secret in bytes', () => {
    // 16 two-byte characters: 16 characters, 32 bytes.
    expect(loadConfig(env({ PASARELA_ORDER_SECRET: 'ñ'.repeat(16) })).orderSecret).toBe('ñ'.repeat(16));
  });

  it('refuses a short admin token without repeating it', () => {
    const message = failure(env({ PASARELA_ADMIN_TOKEN: 'hunter2' }));
    expect(message).toMatch(/^PASARELA_ADMIN_TOKEN is too short/);
    expect(message).not.toContain('hunter2');
  });

  const each = (name: string, says: string, values: string[]) =>
    values.map((value) => ({ name, value, says }));
  const badUrls = [
    'a.example',
    '/relative',
    'ftp://a.example',
    'https://a.example/?a',
    'https://a.example/#x',
  ];
  const badOrigins = ['https://a.example/path', 'a.example', '*', 'ftp://a.example', 'https://a.example?x'];
  const refusals = [
    ...each('PASARELA_SANDBOX', 'must be 1 or 0', ['yes', 'on', '2']),
    ...each('TPAGA_AUTO_DELIVERY', 'must be 1 or 0', ['y']),
    ...each('PORT', 'must be a port number', ['abc', '70000', '65536', '-1', '80.5', '1e3', '0x50', 'http']),
    ...each('TPAGA_EXPIRY_MINUTES', 'must be', ['0', '1.5', '1441', '2.5', 'soon']),
    ...each('PUBLIC_URL', 'must be an absolute http(s) URL', ['ftp://x', 'not a url']),
    ...['PUBLIC_URL', 'ETPAY_API_URL', 'ETPAY_PMT_URL', 'TPAGA_API_URL'].flatMap((name) =>
      each(name, 'must', [...badUrls, 'https://user:pw@a.example']),
    ),
    ...each(
      'PASARELA_ALLOWED_ORIGINS',
      'has "',
      badOrigins.map((origin) => `https://ok.example,${origin}`),
    ),
    ...each('PASARELA_ALLOWED_ORIGINS', 'lists no origin', [' , ']),
    ...each('DATABASE_URL', 'must be sqlite:', ['mysql://', 'mysql://db/x', './data/x.db', 'postgres://']),
    ...each('DATABASE_URL', 'needs a path', ['sqlite:']),
    ...each('HOST', 'must be a host name', ['http://0.0.0.0', 'a b']),
  ];
  for (const { name, value, says } of refusals) {
    it(`refuses ${name}=${value}, naming the variable`, () => {
      expect(failure(env({ [name]: value })).startsWith(`${name} ${says}`)).toBe(true);
    });
  }
});

describe('loadConfig error messages', () => {
  it('quotes a bad origin on one line, whatever the entry holds', () => {
    const message = failure(env({ PASARELA_ALLOWED_ORIGINS: 'https://shop.example/a\nhttps://b.example' }));
    expect(message).toMatch(/^PASARELA_ALLOWED_ORIGINS has "https:\/\/shop\.example\/a\\nhttps:/);
  });

  it('does not repeat a password written into an origin', () => {
    const message = failure(env({ PASARELA_ALLOWED_ORIGINS: 'https://shop:hunter2-password@shop.example' }));
    expect(message).toMatch(/^PASARELA_ALLOWED_ORIGINS has "https:\/\/\[redacted\]@shop\.example"/);
    expect(message).not.toContain('hunter2-password');
  });

  it('never repeats a secret it refuses', () => {
    const values = {
      PASARELA_ORDER_SECRET: 'short-order-secret-value',
      PASARELA_ADMIN_TOKEN: 'short-admin',
      ETPAY_API_TOKEN: ' padded-etpay-token ',
      TPAGA_PASSWORD: 'padded-tpaga-password\t',
    };
    for (const [name, value] of Object.entries(values)) {
      const message = failure(env({ ...tpaga, [name]: value }));
      expect(message.startsWith(`${name} `)).toBe(true);
      expect(message).not.toContain(value.trim());
    }
  });
});

describe('describeConfig', () => {
  it('summarises the settings without secrets, tokens, passwords or user names', () => {
    const config = loadConfig(
      env({ ...tpaga, PASARELA_ADMIN_TOKEN: 'admin-token-0123456789', DATABASE_URL: 'postgres://u:pw@db/x' }),
    );
    const summary = JSON.stringify(describeConfig(config));
    const hidden = [secret, 'admin-token-0123456789', etpay.ETPAY_API_TOKEN, ...Object.values(tpaga), 'u:pw'];
    for (const value of hidden) expect(summary).not.toContain(value);
    expect(describeConfig(config)).toMatchObject({
      publicUrl: 'http://localhost:8787',
      database: 'postgres',
      sandbox: false,
      adminApi: true,
      generatedOrderKey: false,
      providers: [{ id: 'etpay' }, { id: 'tpaga', terminalId: 'web' }],
    });
  });

  it('names the notification endpoints without their query or the webhook secret', () => {
    const hook = `whsec_${Buffer.from('config-test-webhook-secret-32-by').toString('base64')}`;
    const config = loadConfig(
      env({
        ...tpaga,
        PASARELA_WEBHOOK_URL: 'https://shop.example/hooks?key=k-123, https://erp.example/in',
        PASARELA_WEBHOOK_SECRET: hook,
      }),
    );
    const summary = JSON.stringify(describeConfig(config));
    expect(summary).not.toContain(hook);
    expect(summary).not.toContain('k-123');
    expect(describeConfig(config).notifications).toEqual([
      'https://shop.example/hooks',
      'https://erp.example/in',
    ]);
  });

  it('holds none of the sandbox secrets', () => {
    const config = loadConfig({ PASARELA_SANDBOX: '1', PASARELA_ADMIN_TOKEN: 'sandbox-admin-token-0123' });
    const summary = JSON.stringify(describeConfig(config));
    const hidden = [
      config.orderSecret,
      'sandbox-admin-token-0123',
      sandboxCredentials.etpay.apiToken,
      sandboxCredentials.tpaga.username,
      sandboxCredentials.tpaga.password,
    ];
    for (const value of hidden) expect(summary).not.toContain(value);
    expect(describeConfig(config).providers.map((provider) => provider.id)).toEqual(['etpay', 'tpaga']);
  });

  it('reads in full in the start-up log line, with nothing for the logger to mask', () => {
    const lines: string[] = [];
    const config = loadConfig({ PASARELA_SANDBOX: '1' });
    createLogger({ write: (line) => lines.push(line) }).info('pasarela listening', describeConfig(config));
    expect(lines[0]).not.toContain('[redacted]');
    expect(lines[0]).not.toContain(config.orderSecret);
    expect(JSON.parse(lines[0]!)).toMatchObject({ sandbox: true, generatedOrderKey: true });
  });
});
