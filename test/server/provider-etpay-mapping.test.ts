import { describe, expect, it } from 'vitest';
import type { Status } from '../../server/core/session.js';
import { type EtpayAttempt, mapAttempts, mapPaymentStatus } from '../../server/providers/etpay/index.js';

describe('ETpay mapping: payment_status', () => {
  it.each<[string, Status | undefined]>([
    ['success', 'paid'],
    ['error', 'failed'],
    ['failed', 'failed'],
    ['failure', 'failed'],
    ['rejected', 'failed'],
    ['cancelled', 'failed'],
    ['canceled', 'failed'],
    ['expired', 'expired'],
    ['pending', undefined],
    ['processing', undefined],
    ['refunded', undefined],
    ['', undefined],
    ['constructor', undefined],
    ['toString', undefined],
  ])('maps %j to %s', (raw, status) => {
    expect(mapPaymentStatus(raw)).toBe(status);
  });

  it.each([
    ['SUCCESS', 'paid'],
    ['Success', 'paid'],
    ['ERROR', 'failed'],
    ['Cancelled', 'failed'],
    ['EXPIRED', 'expired'],
    [' success ', 'paid'],
  ])('compares %j after lower-casing', (raw, status) => {
    expect(mapPaymentStatus(raw)).toBe(status);
  });
});

const token = 'S2YLog';
const attempt = (payment_token: string, payment_status: string): EtpayAttempt => ({
  payment_token,
  payment_status,
});

describe('ETpay mapping: check_payment_status attempts', () => {
  it('reports nothing when there is no attempt yet', () => {
    expect(mapAttempts([], { sessionToken: token, expired: false })).toEqual({
      statuses: [],
      providerStatus: null,
      dedupeKey: null,
    });
  });

  it('reports paid for a single success, keyed like its notification', () => {
    expect(mapAttempts([attempt('p1', 'success')], { sessionToken: token, expired: false })).toEqual({
      statuses: ['paid'],
      providerStatus: 'success',
      dedupeKey: 'S2YLog:p1:success',
      detail: { payment_token: 'p1' },
    });
  });

  it('reports failed for a single error', () => {
    const observation = mapAttempts([attempt('p1', 'error')], { sessionToken: token, expired: false });
    expect(observation.statuses).toEqual(['failed']);
    expect(observation.dedupeKey).toBe('S2YLog:p1:error');
  });

  it('reports paid when any attempt succeeded, before or after failures', () => {
    for (const attempts of [
      [attempt('p1', 'error'), attempt('p2', 'success')],
      [attempt('p1', 'success'), attempt('p2', 'error')],
      [attempt('p1', 'rejected'), attempt('p2', 'SUCCESS'), attempt('p3', 'pending')],
    ]) {
      const observation = mapAttempts(attempts, { sessionToken: token, expired: false });
      expect(observation.statuses).toEqual(['paid']);
      expect(observation.providerStatus?.toLowerCase()).toBe('success');
    }
  });

  it('reports a success even past the lifetime (money wins)', () => {
    expect(mapAttempts([attempt('p1', 'success')], { sessionToken: token, expired: true }).statuses).toEqual([
      'paid',
    ]);
  });

  it('reports the newest clearly final failure when nothing succeeded', () => {
    const observation = mapAttempts(
      [attempt('p1', 'error'), attempt('p2', 'cancelled'), attempt('p3', 'pending')],
      {
        sessionToken: token,
        expired: false,
      },
    );
    expect(observation).toEqual({
      statuses: ['failed'],
      providerStatus: 'cancelled',
      dedupeKey: 'S2YLog:p2:cancelled',
      detail: { payment_token: 'p2' },
    });
  });

  it('reports a failure rather than expiry when the lifetime is over', () => {
    expect(mapAttempts([attempt('p1', 'error')], { sessionToken: token, expired: true }).statuses).toEqual([
      'failed',
    ]);
  });

  it("reports ETpay's own expired word as expired", () => {
    expect(mapAttempts([attempt('p1', 'expired')], { sessionToken: token, expired: false }).statuses).toEqual(
      ['expired'],
    );
  });

  it('reports expired past the lifetime when no attempt is final', () => {
    expect(mapAttempts([], { sessionToken: token, expired: true })).toEqual({
      statuses: ['expired'],
      providerStatus: null,
      dedupeKey: 'S2YLog:lifetime:expired',
    });
    expect(mapAttempts([attempt('p1', 'processing')], { sessionToken: token, expired: true })).toMatchObject({
      statuses: ['expired'],
      providerStatus: 'processing',
    });
  });

  it('changes nothing for attempts that are not final, keeping the raw word', () => {
    expect(mapAttempts([attempt('p1', 'processing')], { sessionToken: token, expired: false })).toEqual({
      statuses: [],
      providerStatus: 'processing',
      dedupeKey: 'S2YLog:p1:processing',
      detail: { payment_token: 'p1' },
    });
  });
});
