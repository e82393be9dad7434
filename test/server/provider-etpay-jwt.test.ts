import { decodeJwt, generateKeyPair, SignJWT, UnsecuredJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PaymentSession } from '../../server/core/session.js';
import { EtpayJwtError, type EtpayJwtReason } from '../../server/providers/etpay/index.js';
import {
  type EtpayClientFixture,
  notifiedJwt,
  returnedJwt,
  startEtpayClient,
} from './provider-etpay.fixture.js';

// One sandbox for the file: every case only reads the sessions and JWTs made here.
let etpay: EtpayClientFixture;
let paid: PaymentSession;
let other: PaymentSession;
let webhookJwt: string;
let returnJwt: string;
let rejectedWebhookJwt: string;
let rejectedReturnJwt: string;

beforeAll(async () => {
  etpay = await startEtpayClient();
  paid = await etpay.created({ orderId: 'OC-700104' });
  other = await etpay.created({ orderId: 'OC-700105' });
  returnJwt = returnedJwt(await etpay.decide(paid, 'approve'));
  rejectedReturnJwt = returnedJwt(await etpay.decide(other, 'reject'));
  const [approved, rejected] = await etpay.pasarela.waitFor(2);
  webhookJwt = notifiedJwt(approved!.body);
  rejectedWebhookJwt = notifiedJwt(rejected!.body);
});
afterAll(async () => {
  await etpay?.close();
});

/** Looks sessions up by ETpay token among those this file created. */
async function find(token: string): Promise<PaymentSession | undefined> {
  return [paid, other].find((session) => session.providerRef === token);
}

const verify = (jwt: string, findSession = find) => etpay.provider.verifyPaymentJwt(jwt, findSession);

async function expectRefused(jwt: string, reason: EtpayJwtReason, findSession = find) {
  const error = await verify(jwt, findSession).catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(EtpayJwtError);
  expect((error as EtpayJwtError).reason).toBe(reason);
  return error as EtpayJwtError;
}

function claimsOf(jwt: string): Record<string, unknown> {
  return decodeJwt(jwt);
}

const key = (secret: string) => new TextEncoder().encode(secret);

describe('ETpay client: payment JWTs from the sandbox', () => {
  it('verifies the webhook JWT and reports paid with the attempt as the dedupe key', async () => {
    const { session, observation } = await verify(webhookJwt);
    const claims = claimsOf(webhookJwt);
    expect(session.id).toBe(paid.id);
    expect(observation).toEqual({
      statuses: ['paid'],
      providerStatus: 'success',
      dedupeKey: `${paid.providerRef}:${claims.payment_token}:success`,
      detail: { payment_token: claims.payment_token },
    });
  });

  it('keeps the RUT out of the observation', async () => {
    expect(claimsOf(webhookJwt).user_rut).toBeTruthy();
    const { observation } = await verify(webhookJwt);
    expect(JSON.stringify(observation)).not.toContain(String(claimsOf(webhookJwt).user_rut));
  });

  it('verifies the return ?jwt= to the same observation as the webhook', async () => {
    expect(returnJwt).toBe(webhookJwt);
    expect((await verify(returnJwt)).observation).toEqual((await verify(webhookJwt)).observation);
  });

  it('reports failed for a rejected payment, from the webhook and from the return', async () => {
    for (const jwt of [rejectedWebhookJwt, rejectedReturnJwt]) {
      const { session, observation } = await verify(jwt);
      expect(session.id).toBe(other.id);
      expect(observation.statuses).toEqual(['failed']);
      expect(observation.providerStatus).toBe('error');
    }
  });
});

describe('ETpay client: forged payment JWTs', () => {
  it('refuses a JWT signed with another key, naming the signature_token', async () => {
    const forged = await new SignJWT(claimsOf(webhookJwt))
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .sign(key('not-the-signature-token'));
    const error = await expectRefused(forged, 'bad_signature');
    expect(error.message).toBe("the notification's JWT is not signed with this session's signature_token");
  });

  it("refuses a JWT signed with another session's signature_token", async () => {
    const forged = await new SignJWT(claimsOf(webhookJwt))
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .sign(key(other.providerSecret!));
    await expectRefused(forged, 'bad_signature');
  });

  it('refuses alg none', async () => {
    const unsecured = new UnsecuredJWT(claimsOf(webhookJwt)).encode();
    expect(unsecured.split('.')).toHaveLength(3);
    await expectRefused(unsecured, 'bad_signature');
  });

  it("refuses HS512, even with the session's own signature_token", async () => {
    const forged = await new SignJWT(claimsOf(webhookJwt))
      .setProtectedHeader({ alg: 'HS512', typ: 'JWT' })
      .sign(key(paid.providerSecret!));
    const error = await expectRefused(forged, 'bad_signature');
    expect(error.message).toContain('HS256');
  });

  it('refuses RS256', async () => {
    const { privateKey } = await generateKeyPair('RS256');
    const forged = await new SignJWT(claimsOf(webhookJwt))
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT' })
      .sign(privateKey);
    await expectRefused(forged, 'bad_signature');
  });

  it("refuses a payload changed after signing (the rejected attempt's JWT turned into a success)", async () => {
    const [header, payload, signature] = rejectedWebhookJwt.split('.');
    const changed = {
      ...JSON.parse(Buffer.from(payload!, 'base64url').toString()),
      payment_status: 'success',
    };
    const tampered = [header, Buffer.from(JSON.stringify(changed)).toString('base64url'), signature].join(
      '.',
    );
    await expectRefused(tampered, 'bad_signature');
  });

  it.each([
    ['an empty string', ''],
    ['a plain word', 'success'],
    ['two parts', 'eyJhbGciOiJIUzI1NiJ9.e30'],
    ['four parts', 'a.b.c.d'],
    ['undecodable parts', 'not.a.jwt'],
    ['a payload that is not JSON', `eyJhbGciOiJIUzI1NiJ9.${Buffer.from('hello').toString('base64url')}.sig`],
  ])('refuses %s as malformed', async (_label, jwt) => {
    await expectRefused(jwt, 'malformed');
  });

  it('refuses a JWT without session_token as malformed', async () => {
    const forged = await new SignJWT({ payment_status: 'success' })
      .setProtectedHeader({ alg: 'HS256' })
      .sign(key(paid.providerSecret!));
    await expectRefused(forged, 'malformed');
  });

  it('refuses an unknown session_token before checking any signature', async () => {
    const forged = await new SignJWT({ ...claimsOf(webhookJwt), session_token: 'A'.repeat(64) })
      .setProtectedHeader({ alg: 'HS256' })
      .sign(key(paid.providerSecret!));
    const error = await expectRefused(forged, 'unknown_session');
    expect(error.message).not.toContain('A'.repeat(64));
  });

  it('refuses a session found without its signature_token as unknown', async () => {
    await expectRefused(webhookJwt, 'unknown_session', async () => ({ ...paid, providerSecret: null }));
  });

  it("refuses a correctly signed JWT for another order than the session's", async () => {
    const forged = await new SignJWT({ ...claimsOf(webhookJwt), merchant_order_id: 'OC-999999' })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .sign(key(paid.providerSecret!));
    await expectRefused(forged, 'order_mismatch');
  });

  it('refuses a correctly signed JWT without payment_status as malformed', async () => {
    const { payment_status: _dropped, ...claims } = claimsOf(webhookJwt);
    const forged = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256' })
      .sign(key(paid.providerSecret!));
    await expectRefused(forged, 'malformed');
  });

  it('accepts a correctly signed JWT without iat or exp', async () => {
    const { iat: _iat, ...claims } = claimsOf(webhookJwt);
    const signed = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256' })
      .sign(key(paid.providerSecret!));
    expect((await verify(signed)).observation.statuses).toEqual(['paid']);
  });
});

describe('ETpay client: return URLs with a query', () => {
  it('gets the ?jwt= appended with "&" and verifies it', async () => {
    const fixture = await startEtpayClient();
    try {
      const client = fixture.client({ publicUrl: `${fixture.pasarela.url}/?tenant=7` });
      const session = fixture.newSession();
      const created = { ...session, ...(await client.create(session, { clientIp: '203.0.113.7' })) };
      const location = new URL((await fixture.decide(created, 'approve')).headers.get('location')!);
      expect(location.pathname).toBe(`/return/${session.id}`);
      expect([...location.searchParams.keys()]).toEqual(['tenant', 'jwt']);
      const verified = await client.verifyPaymentJwt(location.searchParams.get('jwt')!, async () => created);
      expect(verified.observation.statuses).toEqual(['paid']);
    } finally {
      await fixture.close();
    }
  });
});
