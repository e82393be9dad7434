import { createHmac } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader, generateKeyPair, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { PasarelaError } from '../../server/errors.js';
import {
  assertReturnUrlAllowed,
  clockToleranceSeconds,
  maxTokenLength,
  type OrderClaims,
  signOrder,
  verifyOrder,
} from '../../server/orders.js';

const secret = 'orders-test-secret-at-least-32-bytes-long!';
const key = new TextEncoder().encode(secret);
const claims = {
  order_id: 'OC-1001',
  amount: 12000,
  currency: 'CLP',
  description: 'Café de grano',
  items: [
    { name: 'Café', quantity: 2, amount: 10000 },
    { name: 'Envío', amount: 2000 },
  ],
  customer_email: 'ana@shop.example',
  return_url: 'https://shop.example/gracias?pedido=OC-1001',
} satisfies OrderClaims;

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const inAnHour = () => Math.floor(Date.now() / 1000) + 3600;

/** A token signed with jose directly, for claims `signOrder` would refuse to sign. */
function rawToken(
  payload: Record<string, unknown>,
  options: { exp?: number | null; nbf?: number; alg?: string } = {},
) {
  const exp = options.exp === undefined ? inAnHour() : options.exp;
  return new SignJWT({ ...payload, ...(exp !== null && { exp }), ...(options.nbf && { nbf: options.nbf }) })
    .setProtectedHeader({ alg: options.alg ?? 'HS256' })
    .sign(key);
}

/** The PasarelaError `verifyOrder` rejects a token with. */
async function rejection(token: string, options: { now?: () => number } = {}): Promise<PasarelaError> {
  const error = await verifyOrder(token, secret, options).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(PasarelaError);
  const pasarelaError = error as PasarelaError;
  expect(pasarelaError.message).not.toContain(secret);
  return pasarelaError;
}

async function expectInvalid(token: string | Promise<string>) {
  const error = await rejection(await token);
  expect(error).toMatchObject({ status: 400, code: 'invalid_order' });
  expect(error.message).toContain('PASARELA_ORDER_SECRET');
}

describe('signOrder and verifyOrder', () => {
  it('round-trips an order', async () => {
    const order = await verifyOrder(await signOrder(claims, secret), secret);
    expect(order).toEqual({
      orderId: 'OC-1001',
      amount: 12000,
      currency: 'CLP',
      description: 'Café de grano',
      items: [
        { name: 'Café', quantity: 2, amount: 10000 },
        { name: 'Envío', amount: 2000 },
      ],
      customerEmail: 'ana@shop.example',
      returnUrl: 'https://shop.example/gracias?pedido=OC-1001',
    });
  });

  it('fills the optional claims with null and an empty item list', async () => {
    const token = await signOrder({ order_id: 'A_1', amount: 1, currency: 'COP' }, secret);
    expect(await verifyOrder(token, secret)).toEqual({
      orderId: 'A_1',
      amount: 1,
      currency: 'COP',
      description: null,
      items: [],
      customerEmail: null,
      returnUrl: null,
    });
  });

  it('signs HS256 tokens that expire in 30 minutes by default', async () => {
    const token = await signOrder(claims, secret);
    expect(decodeProtectedHeader(token).alg).toBe('HS256');
    const { exp, iat } = decodeJwt(token);
    expect(exp! - iat!).toBe(30 * 60);
  });

  it('takes expiresIn as a time span or as seconds from now', async () => {
    const exp = async (expiresIn: string | number) => {
      const { exp, iat } = decodeJwt(await signOrder(claims, secret, { expiresIn }));
      return exp! - iat!;
    };
    expect(await exp('2h')).toBe(7200);
    expect(await exp(90)).toBe(90);
  });

  it('refuses to sign an order the server would reject, naming the claim', async () => {
    await expect(signOrder({ ...claims, amount: 0 }, secret)).rejects.toThrow(/amount/);
    await expect(signOrder({ ...claims, currency: 'USD' } as never, secret)).rejects.toThrow(/currency/);
  });

  it('does not repeat the secret when it refuses to sign', async () => {
    const error = await signOrder({ ...claims, order_id: '' }, secret).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TypeError);
    expect((error as TypeError).message).not.toContain(secret);
  });
});

describe('verifyOrder rejects forged and malformed tokens', () => {
  it('rejects a token whose payload was changed after signing', async () => {
    const [header, , signature] = (await signOrder(claims, secret)).split('.');
    const payload = base64url({ ...claims, amount: 1, exp: inAnHour() });
    await expectInvalid(`${header}.${payload}.${signature}`);
  });

  it('rejects a signed token whose amount was edited in the payload segment', async () => {
    const [header, payload, signature] = (await signOrder(claims, secret)).split('.') as [
      string,
      string,
      string,
    ];
    const edited = { ...JSON.parse(Buffer.from(payload, 'base64url').toString()), amount: 1 };
    await expectInvalid(`${header}.${base64url(edited)}.${signature}`);
  });

  it('rejects a token signed with another key', async () => {
    await expectInvalid(signOrder(claims, 'another-secret-that-is-also-32-bytes-long'));
  });

  it('rejects an unsigned alg: none token', async () => {
    const header = base64url({ alg: 'none', typ: 'JWT' });
    const payload = base64url({ ...claims, exp: inAnHour() });
    await expectInvalid(`${header}.${payload}.`);
    await expectInvalid(`${header}.${payload}`);
  });

  it('rejects tokens signed with other algorithms', async () => {
    const hs512 = new SignJWT({ ...claims, exp: inAnHour() }).setProtectedHeader({ alg: 'HS512' }).sign(key);
    await expectInvalid(hs512);
    const { privateKey } = await generateKeyPair('RS256');
    const rs256 = new SignJWT({ ...claims, exp: inAnHour() })
      .setProtectedHeader({ alg: 'RS256' })
      .sign(privateKey);
    await expectInvalid(rs256);
  });

  it('rejects a token without exp', async () => {
    await expectInvalid(rawToken(claims, { exp: null }));
  });

  it('rejects a token whose exp is not a number', async () => {
    const unsigned = `${base64url({ alg: 'HS256' })}.${base64url({ ...claims, exp: String(inAnHour()) })}`;
    await expectInvalid(`${unsigned}.${createHmac('sha256', secret).update(unsigned).digest('base64url')}`);
  });

  it('rejects strings that are not JWTs', async () => {
    const garbage = [
      '',
      '..',
      'not-a-token',
      'a.b.c',
      'Bearer eyJhbGciOiJIUzI1NiJ9.e30.x',
      `${base64url({ alg: 'HS256' })}.${Buffer.from('not json').toString('base64url')}.sig`,
      'ñ\u0000.☃.🙂',
    ];
    for (const token of garbage) await expectInvalid(token);
  });

  it('says an order token past the one length limit is too large', async () => {
    const error = await rejection('x'.repeat(maxTokenLength + 1));
    expect(error).toMatchObject({ status: 413, code: 'order_too_large' });
    expect((error as Error).message).toMatch(/sign a smaller order/);
  });

  it('rejects a token that is not a string', async () => {
    for (const token of [undefined, null, 42, { order: 'x' }]) await expectInvalid(token as never);
  });
});

describe('verifyOrder expiry', () => {
  it('answers order_expired for a token expired for longer than the clock tolerance', async () => {
    const error = await rejection(
      await rawToken(claims, { exp: Math.floor(Date.now() / 1000) - clockToleranceSeconds - 1 }),
    );
    expect(error).toMatchObject({ status: 400, code: 'order_expired' });
  });

  it('tolerates a signing server whose clock is a few seconds off', async () => {
    const now = Math.floor(Date.now() / 1000);
    // nbf 5 s ahead (a signer's clock running fast), exp 5 s behind (one running slow).
    const order = await verifyOrder(await rawToken(claims, { nbf: now + 5, exp: now - 5 }), secret);
    expect(order.orderId).toBe('OC-1001');
  });

  it('names nbf when it is further ahead than the tolerance', async () => {
    const now = Math.floor(Date.now() / 1000);
    const error = await rejection(
      await rawToken(claims, { nbf: now + clockToleranceSeconds + 60, exp: now + 600 }),
    );
    expect(error).toMatchObject({ status: 400, code: 'invalid_order' });
    expect((error as Error).message).toMatch(/nbf is more than 30 s ahead of this server's clock/);
  });

  it('accepts a token the given clock sees as live, though its exp has passed', async () => {
    const exp = Math.floor(Date.now() / 1000) - 60;
    const order = await verifyOrder(await rawToken(claims, { exp }), secret, {
      now: () => (exp - 60) * 1000,
    });
    expect(order.orderId).toBe('OC-1001');
  });

  it('judges expiry by the clock it is given', async () => {
    const token = await signOrder(claims, secret);
    const later = () => Date.now() + 31 * 60_000;
    expect(await rejection(token, { now: later })).toMatchObject({ code: 'order_expired' });
    expect((await verifyOrder(token, secret, { now: () => Date.now() + 29 * 60_000 })).orderId).toBe(
      'OC-1001',
    );
  });
});

describe('verifyOrder claims', () => {
  const cases: Array<[string, string, Record<string, unknown>]> = [
    ['order_id missing', 'order_id', { order_id: undefined }],
    ['order_id empty', 'order_id', { order_id: '' }],
    ['order_id too long', 'order_id', { order_id: 'a'.repeat(65) }],
    ['order_id with a space', 'order_id', { order_id: 'OC 1' }],
    ['order_id with a slash', 'order_id', { order_id: 'OC/1' }],
    ['order_id not a string', 'order_id', { order_id: 1001 }],
    ['amount missing', 'amount', { amount: undefined }],
    ['amount a float', 'amount', { amount: 12000.5 }],
    ['amount zero', 'amount', { amount: 0 }],
    ['amount negative', 'amount', { amount: -5 }],
    ['amount with cents', 'amount', { amount: 1.5 }],
    ['amount unsafe', 'amount', { amount: Number.MAX_SAFE_INTEGER + 1 }],
    ['amount 2**60', 'amount', { amount: 2 ** 60 }],
    ['amount a string', 'amount', { amount: '12000' }],
    ['currency missing', 'currency', { currency: undefined }],
    ['currency other', 'currency', { currency: 'USD' }],
    ['currency lower case', 'currency', { currency: 'clp' }],
    ['description too long', 'description', { description: 'x'.repeat(201) }],
    ['description not a string', 'description', { description: 42 }],
    ['items not a list', 'items', { items: { name: 'Café', amount: 1 } }],
    ['too many items', 'items', { items: Array.from({ length: 51 }, () => ({ name: 'x', amount: 1 })) }],
    ['item without a name', 'items[0].name', { items: [{ amount: 1 }] }],
    ['item without an amount', 'items[0].amount', { items: [{ name: 'Café' }] }],
    ['item amount negative', 'items[0].amount', { items: [{ name: 'Café', amount: -1 }] }],
    ['item amount a float', 'items[0].amount', { items: [{ name: 'Café', amount: 1.5 }] }],
    ['item amount unsafe', 'items[0].amount', { items: [{ name: 'Café', amount: 2 ** 53 }] }],
    ['item quantity zero', 'items[0].quantity', { items: [{ name: 'Café', quantity: 0, amount: 1 }] }],
    ['item quantity a float', 'items[0].quantity', { items: [{ name: 'Café', quantity: 1.5, amount: 1 }] }],
    ['customer_email not an email', 'customer_email', { customer_email: 'ana' }],
    ['return_url relative', 'return_url', { return_url: '/gracias' }],
    ['return_url javascript:', 'return_url', { return_url: 'javascript:alert(1)' }],
    ['return_url ftp', 'return_url', { return_url: 'ftp://shop.example/x' }],
  ];

  for (const [name, claim, change] of cases) {
    it(`rejects an order with ${name}, naming the claim`, async () => {
      const error = await rejection(await rawToken({ ...claims, ...change }));
      expect(error).toMatchObject({ status: 400, code: 'invalid_order' });
      expect(error.message.startsWith(`The order token's ${claim} `)).toBe(true);
      expect(error.message).not.toContain('Invalid input');
    });
  }

  it('accepts the edges of each claim', async () => {
    const order = await verifyOrder(
      await rawToken({
        order_id: `${'a'.repeat(62)}_-`,
        amount: Number.MAX_SAFE_INTEGER,
        currency: 'COP',
        description: 'x'.repeat(200),
        items: Array.from({ length: 50 }, () => ({ name: 'Regalo', amount: 0 })),
        return_url: 'http://localhost:5173/done',
      }),
      secret,
    );
    expect(order).toMatchObject({ amount: Number.MAX_SAFE_INTEGER, returnUrl: 'http://localhost:5173/done' });
    expect(order.items).toHaveLength(50);
  });

  it('accepts the largest order the claims allow', async () => {
    const wide = (length: number) => '€'.repeat(length);
    const token = await signOrder(
      {
        ...claims,
        order_id: 'a'.repeat(64),
        description: wide(200),
        items: Array.from({ length: 50 }, () => ({ name: wide(120), quantity: 9999, amount: 2 ** 52 })),
        return_url: `https://shop.example/${'p'.repeat(2000)}`,
      },
      secret,
    );
    expect((await verifyOrder(token, secret)).items).toHaveLength(50);
  });

  it('ignores claims it does not know', async () => {
    const order = await verifyOrder(await rawToken({ ...claims, coupon: 'GRATIS' }), secret);
    expect(order).not.toHaveProperty('coupon');
  });
});

describe('assertReturnUrlAllowed', () => {
  const allowed = ['https://shop.example', 'http://localhost:5173'];

  it('refuses everything when no origin is listed', () => {
    expect(() => assertReturnUrlAllowed('https://shop.example/gracias', [])).toThrow(
      expect.objectContaining({ status: 422, code: 'return_url_not_allowed' }),
    );
  });

  it('allows URLs on a listed origin', () => {
    expect(() => assertReturnUrlAllowed('https://shop.example/gracias?x=1#top', allowed)).not.toThrow();
    expect(() => assertReturnUrlAllowed('https://SHOP.example:443/gracias', allowed)).not.toThrow();
    expect(() => assertReturnUrlAllowed('http://localhost:5173/', allowed)).not.toThrow();
  });

  for (const url of [
    'https://shop.example.evil.com',
    'https://shop.example.evil.com/gracias',
    'https://evil.com/https://shop.example',
    'https://evil.com/?next=https://shop.example',
    'https://evilshop.example/gracias',
    'https://shop.example@evil.com/gracias',
    'https://shop.example:8443/gracias',
    'http://shop.example/gracias',
    'https://localhost:5173/',
    'http://localhost:5174/',
    'javascript:alert(document.domain)',
    'blob:https://shop.example/0b3f1c2e-6a4d-4d1e-9a57-5d7b8c9e0f12',
    'data:text/html,<script>alert(1)</script>',
    'not a url',
  ]) {
    it(`answers 422 return_url_not_allowed for ${url}`, () => {
      let error: unknown;
      try {
        assertReturnUrlAllowed(url, allowed);
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(PasarelaError);
      expect(error).toMatchObject({ status: 422, code: 'return_url_not_allowed' });
      expect((error as PasarelaError).message).toContain('PASARELA_ALLOWED_ORIGINS');
    });
  }
});
