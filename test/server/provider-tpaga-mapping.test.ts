import { describe, expect, it } from 'vitest';
import { newPaymentSession, Status } from '../../server/core/session.js';
import {
  createBody,
  formatExpiresAt,
  mapTpagaStatus,
  TpagaStatus,
  toObservation,
} from '../../server/providers/tpaga/index.js';

const token = `pr-${'4c'.repeat(36)}`;

describe('mapTpagaStatus', () => {
  it.each([
    ['created', []],
    ['paid', ['paid']],
    ['delivered', ['delivered']],
    ['failed', ['failed']],
    ['expired', ['expired']],
    ['cancelled', ['cancelled']],
    ['reverted', ['refunded']],
  ])('maps %s to %j', (raw, statuses) => {
    expect(mapTpagaStatus(raw)).toEqual(statuses);
  });

  it('maps every Tpaga status word', () => {
    for (const raw of Object.values(TpagaStatus)) expect(Array.isArray(mapTpagaStatus(raw))).toBe(true);
    expect(Object.keys(TpagaStatus)).toHaveLength(7);
  });

  it.each(['PAID', 'Paid', ' paid', 'refunded', 'canceled', 'pending', '', 'constructor', 'toString'])(
    'changes nothing for the unknown word %j',
    (raw) => {
      expect(mapTpagaStatus(raw, Status.pending)).toEqual([]);
    },
  );

  it.each([
    [Status.pending, ['paid', 'refunded']],
    [Status.failed, ['paid', 'refunded']],
    [Status.expired, ['paid', 'refunded']],
    [Status.cancelled, ['paid', 'refunded']],
    [Status.paid, ['refunded']],
    [Status.delivered, ['refunded']],
    [Status.refunded, ['refunded']],
  ])('maps reverted seen by a %s session to %j', (current, statuses) => {
    expect(mapTpagaStatus('reverted', current)).toEqual(statuses);
  });

  it('maps the other words the same whatever the session status', () => {
    for (const current of Object.values(Status)) {
      expect(mapTpagaStatus('paid', current)).toEqual(['paid']);
      expect(mapTpagaStatus('created', current)).toEqual([]);
    }
  });
});

describe('toObservation', () => {
  it('keeps the raw status and keys the observation by token and status', () => {
    expect(toObservation({ token, status: 'paid' }, { status: Status.pending })).toEqual({
      statuses: ['paid'],
      providerStatus: 'paid',
      dedupeKey: `${token}:paid`,
    });
  });

  it('records a revert while pending as paid then refunded', () => {
    expect(toObservation({ token, status: 'reverted' }, { status: Status.pending })).toEqual({
      statuses: ['paid', 'refunded'],
      providerStatus: 'reverted',
      dedupeKey: `${token}:reverted`,
    });
  });

  it('observes nothing for an unknown word, keeping it for the log', () => {
    expect(toObservation({ token, status: 'in_review' }, { status: Status.paid })).toEqual({
      statuses: [],
      providerStatus: 'in_review',
      dedupeKey: `${token}:in_review`,
    });
  });
});

describe('create body helpers', () => {
  it('writes expires_at in UTC with milliseconds and +00:00', () => {
    expect(formatExpiresAt(Date.parse('2025-11-22T15:30:00Z'))).toBe('2025-11-22T15:30:00.000+00:00');
    expect(formatExpiresAt(Date.parse('2025-01-02T03:04:05.678-05:00'))).toBe(
      '2025-01-02T08:04:05.678+00:00',
    );
  });

  it('treats a blank description as none', () => {
    const body = createBody(
      newPaymentSession({
        id: 'ps_abc',
        provider: 'tpaga',
        amount: 5000,
        currency: 'COP',
        orderId: 'X1',
        description: '   ',
      }),
      { publicUrl: 'https://pay.example/', terminalId: 'web', expiryMinutes: 1, clientIp: '::1', now: 0 },
    );
    expect(body).toEqual({
      cost: '5000',
      purchase_details_url: 'https://pay.example/return/ps_abc',
      idempotency_token: 'ps_abc',
      order_id: 'X1',
      terminal_id: 'web',
      purchase_description: 'Orden X1',
      user_ip_address: '::1',
      expires_at: '1970-01-01T00:01:00.000+00:00',
    });
  });
});
