import fc from 'fast-check';
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../server/config.js';
import { PasarelaError } from '../../server/errors.js';
import { createLogger, type LoggerOptions, redact, redactString } from '../../server/log.js';
import { builtInSettings } from '../../server/providers/index.js';

const jwt =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJwYXltZW50X3Rva2VuIjoiYWJjIn0.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
const unsignedJwt = 'eyJhbGciOiJub25lIn0.eyJvcmRlcl9pZCI6IjEifQ.';
const basic = 'cGFzYXJlbGEtc2FuZGJveDpzYW5kYm94LXRwYWdhLXBhc3N3b3Jk';
const bearer = 'admin-token-0123456789abcdef';
const prToken = `pr-${'4c1a1299e041112a4c2b57dbde1de2920fe4aabdae0c850b44cd576a54aacb8174439470'.slice(0, 72)}`;
const secrets = [jwt, unsignedJwt.slice(0, -1), basic, bearer, prToken.slice(3), 'hunter2-password'];

/** A logger whose lines are collected, and the parsed entries. */
function capture(options: Omit<LoggerOptions, 'write'> = {}) {
  const lines: string[] = [];
  const log = createLogger({
    now: () => Date.UTC(2025, 0, 2, 3, 4, 5),
    ...options,
    write: (l) => lines.push(l),
  });
  const entries = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  return { log, lines, entries };
}

function expectNoSecrets(lines: string[]) {
  expect(lines.length).toBeGreaterThan(0);
  for (const line of lines) for (const secret of secrets) expect(line).not.toContain(secret);
}

describe('createLogger', () => {
  it('writes one JSON object per line with time, level, message and fields', () => {
    const { log, lines, entries } = capture();
    log.info('session created', { session: 'ps_1', amount: 12000 });
    log.warn('provider slow', { ms: 900 });
    log.error('provider failed', { nested: { provider: 'tpaga' } });
    expect(lines.every((line) => !line.includes('\n'))).toBe(true);
    expect(entries()).toEqual([
      {
        time: '2025-01-02T03:04:05.000Z',
        level: 'info',
        msg: 'session created',
        session: 'ps_1',
        amount: 12000,
      },
      { time: '2025-01-02T03:04:05.000Z', level: 'warn', msg: 'provider slow', ms: 900 },
      {
        time: '2025-01-02T03:04:05.000Z',
        level: 'error',
        msg: 'provider failed',
        nested: { provider: 'tpaga' },
      },
    ]);
  });

  it('writes only lines at or above its level', () => {
    const { log, entries } = capture({ level: 'warn' });
    log.debug('d');
    log.info('i');
    log.warn('w');
    log.error('e');
    expect(entries().map((entry) => entry.level)).toEqual(['warn', 'error']);
  });

  it('leaves debug lines out by default', () => {
    const { log, lines } = capture();
    log.debug('noise');
    expect(lines).toEqual([]);
  });

  it('keeps its own time, level and message when a field has the same name', () => {
    const { log, entries } = capture();
    log.info('real', { msg: 'fake', level: 'error' });
    expect(entries()[0]).toMatchObject({
      level: 'info',
      msg: 'real',
      field_msg: 'fake',
      field_level: 'error',
    });
  });

  it('writes values JSON cannot hold as text, and survives cycles', () => {
    const { log, lines, entries } = capture();
    const cycle: Record<string, unknown> = { name: 'loop' };
    cycle.self = cycle;
    const headers = new Map([
      ['authorization', `Bearer ${bearer}`],
      ['accept', 'application/json'],
    ]);
    log.info('odd values', { big: 10n, at: new Date(0), cycle, fn: () => 1, headers, tags: new Set(['a']) });
    expect(lines.join('')).not.toContain(bearer);
    expect(entries()[0]).toMatchObject({
      big: '10',
      at: '1970-01-01T00:00:00.000Z',
      cycle: { name: 'loop', self: '[circular]' },
      headers: { authorization: '[redacted]', accept: 'application/json' },
      tags: ['a'],
    });
    expect(entries()[0]).not.toHaveProperty('fn');
  });
});

describe('redaction', () => {
  it('masks values under secret-sounding keys, at any depth', () => {
    const { log, lines, entries } = capture();
    log.info('provider call', {
      token: bearer,
      apiToken: basic,
      merchant_api_token: basic,
      signature_token: 'sig-secret-value',
      password: 'hunter2-password',
      Authorization: `Basic ${basic}`,
      headers: { cookie: 'sid=abc', 'x-signature': 'deadbeef' },
      list: [{ client_secret: 'hunter2-password' }],
      jwt,
      missing: null,
    });
    expectNoSecrets(lines);
    expect(lines[0]).not.toContain('sig-secret-value');
    expect(entries()[0]).toMatchObject({
      token: '[redacted]',
      apiToken: '[redacted]',
      merchant_api_token: '[redacted]',
      signature_token: '[redacted]',
      password: '[redacted]',
      Authorization: '[redacted]',
      headers: { cookie: '[redacted]', 'x-signature': '[redacted]' },
      list: [{ client_secret: '[redacted]' }],
      jwt: '[redacted]',
      missing: null,
    });
  });

  it('masks JWTs, Basic and Bearer credentials and Tpaga tokens in any string', () => {
    const { log, lines } = capture();
    log.info(`notification ${jwt} arrived`, {
      note: `got ${unsignedJwt} then Authorization: Basic ${basic} and bearer ${bearer}`,
      path: `/webhooks/tpaga/${prToken}`,
      url: `https://pay.shop.example/return/ps_1?jwt=${jwt}&x=1`,
      deep: { deeper: [{ text: `token_${jwt}` }] },
    });
    expectNoSecrets(lines);
    expect(JSON.parse(lines[0]!)).toMatchObject({
      msg: 'notification [redacted] arrived',
      path: '/webhooks/tpaga/pr-[redacted]',
      url: 'https://pay.shop.example/return/ps_1?jwt=[redacted]&x=1',
    });
  });

  it('masks passwords in URLs and secret-named query parameters', () => {
    expect(redactString('postgres://pasarela:hunter2-password@db/x')).toBe(
      'postgres://pasarela:[redacted]@db/x',
    );
    expect(redactString('GET /cb?payment_request_token=abc123&ok=1')).toBe(
      'GET /cb?payment_request_token=[redacted]&ok=1',
    );
    expect(redactString('merchant_api_token=abc&merchant_code=cl_x')).toBe(
      'merchant_api_token=[redacted]&merchant_code=cl_x',
    );
  });

  it('masks secret members inside JSON text, such as a provider error body', () => {
    const body = JSON.stringify({ merchant_code: 'cl_x', merchant_api_token: 'hunter2-password', a: 1 });
    expect(redactString(`ETpay answered 400: ${body}`)).toBe(
      'ETpay answered 400: {"merchant_code":"cl_x","merchant_api_token":"[redacted]","a":1}',
    );
  });

  it('masks errors, their causes and their stacks', () => {
    const { log, lines, entries } = capture();
    const cause = new Error(`upstream said Bearer ${bearer}`);
    const error = new Error(`cannot verify ${jwt}`, { cause });
    log.error('webhook failed', {
      error,
      pasarela: new PasarelaError(401, 'invalid_signature', `bad ${prToken}`),
    });
    expectNoSecrets(lines);
    const entry = entries()[0] as { error: Record<string, unknown>; pasarela: Record<string, unknown> };
    expect(entry.error).toMatchObject({
      name: 'Error',
      message: 'cannot verify [redacted]',
      cause: { message: 'upstream said Bearer [redacted]' },
    });
    expect(entry.error.stack).toContain('cannot verify [redacted]');
    expect(entry.pasarela).toMatchObject({
      status: 401,
      code: 'invalid_signature',
      message: 'bad pr-[redacted]',
    });
  });

  it('redacts long hostile strings without slowing down', () => {
    const hostile = [
      'eyJ'.repeat(40_000),
      '_eyA'.repeat(30_000),
      ` ${'token'.repeat(25_000)}`,
      `"${'secret'.repeat(20_000)}`,
      '//a:'.repeat(30_000),
      `eyJhbGciOiJIUzI1NiJ9${'.'.repeat(100_000)}`,
    ];
    // Linear patterns take milliseconds here; a backtracking one takes minutes. The bound is
    // generous so that a loaded machine does not fail it, and still catches the catastrophic case.
    const started = performance.now();
    for (const text of hostile) redactString(text);
    expect(performance.now() - started).toBeLessThan(10_000);
  });

  it('leaves ordinary text alone', () => {
    const text = 'GET /api/sessions/ps_3kVx9QmT2bLw8ZpR5nYc7A from api-sandbox.etpay.com v1.2.3 (12 ms)';
    expect(redactString(text)).toBe(text);
    expect(redact({ session: 'ps_1', status: 'paid', amount: 12000 })).toEqual({
      session: 'ps_1',
      status: 'paid',
      amount: 12000,
    });
  });
});

describe('redaction of a running server’s secrets', () => {
  it('writes none of a sandbox configuration’s secrets through a realistic flow', () => {
    const databasePassword = 'db-password-0123456789';
    const config = loadConfig({
      PASARELA_SANDBOX: '1',
      PASARELA_ADMIN_TOKEN: 'flow-admin-token-0123456789',
      DATABASE_URL: `postgres://pasarela:${databasePassword}@db.internal/pasarela`,
    });
    const { etpay, tpaga } = builtInSettings(config);
    if (!etpay || !tpaga) throw new Error('sandbox mode enables both providers');
    const basicCredential = btoa(`${tpaga.username}:${tpaga.password}`);
    const paymentJwt = jwt;
    const paymentRequest = prToken;
    const hidden = [
      config.orderSecret,
      config.adminToken!,
      etpay.apiToken,
      tpaga.password,
      basicCredential,
      databasePassword,
      paymentJwt.split('.')[1]!,
      paymentRequest.slice(3),
    ];

    const { log, lines } = capture({ level: 'debug' });
    log.info('pasarela starting', {
      config,
      database: `postgres://pasarela:${databasePassword}@db.internal`,
    });
    log.debug('tpaga request', {
      url: `${tpaga.apiUrl}/payment_requests/create`,
      headers: { Authorization: `Basic ${basicCredential}`, 'Content-Type': 'application/json' },
    });
    log.debug('etpay request', {
      body: { merchant_code: etpay.merchantCode, merchant_api_token: etpay.apiToken },
      form: `merchant_code=${etpay.merchantCode}&merchant_api_token=${etpay.apiToken}`,
    });
    log.warn(`etpay answered 401: ${JSON.stringify({ merchant_api_token: etpay.apiToken, error: 'bad' })}`);
    log.info(`POST /webhooks/tpaga/${paymentRequest}`, { path: `/webhooks/tpaga/${paymentRequest}` });
    log.info('admin call', { headers: new Map([['authorization', `Bearer ${config.adminToken}`]]) });
    log.info(`GET /return/ps_1?jwt=${paymentJwt}`, {
      order: { token: paymentJwt, secret: config.orderSecret },
    });
    log.error('verification failed', {
      error: new PasarelaError(401, 'invalid_signature', `bad signature for ${paymentJwt}`),
      env: { PASARELA_ORDER_SECRET: config.orderSecret, TPAGA_PASSWORD: tpaga.password },
    });

    expect(lines).toHaveLength(8);
    for (const line of lines) for (const value of hidden) expect(line).not.toContain(value);
  });

  it('writes an error by its name and its masked message', () => {
    const { log, entries } = capture();
    log.error('sign failed', { error: new TypeError(`signOrder: bad Bearer ${bearer}`) });
    expect(entries()[0]).toMatchObject({
      error: { name: 'TypeError', message: 'signOrder: bad Bearer [redacted]' },
    });
  });
});

describe('redaction, over generated input', () => {
  const text = fc.string({ unit: 'grapheme-ascii', maxLength: 40 });

  it('never writes a JWT’s payload or signature, whatever surrounds it', async () => {
    const claims = fc.dictionary(
      fc.string({ minLength: 1, maxLength: 8 }),
      fc.oneof(fc.string(), fc.integer()),
    );
    await fc.assert(
      fc.asyncProperty(
        claims,
        text,
        text,
        fc.constantFrom('HS256', 'HS512'),
        async (payload, before, after, alg) => {
          const token = await new SignJWT(payload)
            .setProtectedHeader({ alg })
            .sign(new TextEncoder().encode('k'.repeat(64)));
          const [, body, signature] = token.split('.') as [string, string, string];
          const lines: string[] = [];
          createLogger({ write: (line) => lines.push(line) }).info(`${before}${token}${after}`, {
            url: `https://pay.shop.example/return/ps_1?x=${before}&jwt=${token}`,
            list: [`${before}${token}`],
          });
          for (const secret of [body, signature].filter((part) => part.length >= 8)) {
            expect(lines[0]).not.toContain(secret);
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('never writes a Basic or Bearer credential or a Tpaga token', () => {
    const credential = fc.string({ unit: fc.constantFrom(...'ABCDEFabcdef0123456789+/=-_.~'), minLength: 8 });
    const hex = fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 72, maxLength: 72 });
    fc.assert(
      fc.property(
        credential,
        hex,
        text,
        fc.constantFrom('Basic', 'Bearer', 'bearer'),
        (value, pr, around, scheme) => {
          const lines: string[] = [];
          createLogger({ write: (line) => lines.push(line) }).warn(
            `Authorization: ${scheme} ${value}${around}`,
            {
              path: `/webhooks/tpaga/pr-${pr}${around}`,
            },
          );
          expect(lines[0]).not.toContain(value);
          expect(lines[0]).not.toContain(pr);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('never writes a value kept under a secret-sounding key, however deep', () => {
    const key = fc.constantFrom(
      'token',
      'apiToken',
      'client_secret',
      'PASSWORD',
      'x-signature',
      'Cookie',
      'jwt',
    );
    const path = fc.array(fc.string({ unit: fc.constantFrom(...'abcxyz'), minLength: 1, maxLength: 4 }), {
      maxLength: 5,
    });
    const secret = fc.string({ minLength: 12 }).map((value) => `secret:${value}`);
    fc.assert(
      fc.property(path, key, secret, (keys, secretKey, value) => {
        let fields: Record<string, unknown> = { [secretKey]: value };
        for (const name of [...keys].reverse()) fields = { [name]: fields };
        const lines: string[] = [];
        createLogger({ write: (line) => lines.push(line) }).error('x', fields);
        expect(lines[0]).not.toContain(JSON.stringify(value).slice(1, -1));
      }),
      { numRuns: 200 },
    );
  });
});
