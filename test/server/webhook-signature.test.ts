// Standard Webhooks v1 signatures: ours against the reference library (standardwebhooks), both
// ways, and what verifyWebhook refuses.
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { signWebhook, verifyWebhook, WebhookVerificationError } from '../../server/index.js';

const secret = `whsec_${Buffer.from('pasarela-test-webhook-secret-32by').toString('base64')}`;
const other = `whsec_${Buffer.from('another-secret-of-thirty-two-byte').toString('base64')}`;
const body = JSON.stringify({
  type: 'session.paid',
  timestamp: '2026-12-04T03:00:00.000Z',
  data: { id: 'ps_AAAAAAAAAAAAAAAAAAAAAA', status: 'paid', amount: 38000, currency: 'COP' },
});
const id = 'evt_1';

async function headersFor(timestamp: number, secrets: string | string[] = secret) {
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': await signWebhook(id, timestamp, body, secrets),
  };
}

async function refusal(promise: Promise<unknown>) {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WebhookVerificationError);
  return error as WebhookVerificationError;
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

describe('signWebhook and verifyWebhook', () => {
  it('sign what the Standard Webhooks reference library verifies', async () => {
    const headers = await headersFor(nowSeconds());
    expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
  });

  it('verify what the reference library signs', async () => {
    const timestamp = new Date();
    const signature = new Webhook(secret).sign(id, timestamp, body);
    const verified = await verifyWebhook(
      body,
      {
        'webhook-id': id,
        'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
        'webhook-signature': signature,
      },
      secret,
    );
    expect(verified).toMatchObject({ id, payload: { type: 'session.paid' } });
  });

  it('takes a Headers object, and any one of several signatures (a secret rotation)', async () => {
    const headers = new Headers(await headersFor(nowSeconds(), [other, secret]));
    expect((await verifyWebhook(body, headers, secret)).id).toBe(id);
    expect((await verifyWebhook(body, headers, other)).id).toBe(id);
    // The reference library agrees about the rotated header.
    expect(() => new Webhook(secret).verify(body, Object.fromEntries(headers))).not.toThrow();
  });

  it('refuses a tampered body and a wrong secret', async () => {
    const headers = await headersFor(nowSeconds());
    const tampered = body.replace('38000', '3800');
    expect((await refusal(verifyWebhook(tampered, headers, secret))).reason).toBe('no_matching_signature');
    expect((await refusal(verifyWebhook(body, headers, other))).reason).toBe('no_matching_signature');
    expect(() => new Webhook(secret).verify(tampered, headers)).toThrow();
  });

  it('refuses a timestamp outside the tolerance, either way, and says so', async () => {
    const old = await headersFor(nowSeconds() - 301);
    const error = await refusal(verifyWebhook(body, old, secret));
    expect(error.reason).toBe('stale_timestamp');
    expect(error.message).toMatch(/more than 300 s/);
    const ahead = await headersFor(nowSeconds() + 400);
    expect((await refusal(verifyWebhook(body, ahead, secret))).reason).toBe('stale_timestamp');
    expect((await verifyWebhook(body, ahead, secret, { toleranceSeconds: 600 })).id).toBe(id);
  });

  it('refuses missing headers, a malformed timestamp or signature, and a secret that is not whsec_', async () => {
    const headers = await headersFor(nowSeconds());
    const without = { ...headers, 'webhook-signature': undefined };
    expect((await refusal(verifyWebhook(body, without, secret))).reason).toBe('missing_headers');
    const badStamp = { ...headers, 'webhook-timestamp': 'yesterday' };
    expect((await refusal(verifyWebhook(body, badStamp, secret))).reason).toBe('invalid_timestamp');
    const garbage = { ...headers, 'webhook-signature': 'v1,!!!not-base64 v2,abc' };
    expect((await refusal(verifyWebhook(body, garbage, secret))).reason).toBe('no_matching_signature');
    expect((await refusal(verifyWebhook(body, headers, 'plain-secret'))).reason).toBe('invalid_secret');
  });
});
