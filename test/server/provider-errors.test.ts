import { describe, expect, it } from 'vitest';
import { ErrorCode, PasarelaError, providerErrorAnswer } from '../../server/errors.js';
import { ProviderError, ProviderErrorKind } from '../../server/providers/errors.js';
import { EtpayJwtError, EtpayJwtReason } from '../../server/providers/etpay/payment-jwt.js';
import { ProviderUnavailableError } from '../../server/providers/http.js';
import { OperationNotSupportedError, ProviderRejectedError } from '../../server/providers/provider.js';
import { TpagaAnswerMismatchError } from '../../server/providers/tpaga/payment-request.js';

const unavailableMessage =
  'Tpaga is not answering right now. Please try again in a moment or choose another payment method.';

describe('provider errors', () => {
  it('share one base class and keep their own names', () => {
    const errors = [
      new ProviderUnavailableError('GET /info failed'),
      new ProviderRejectedError('refused', 422, '1'),
      new OperationNotSupportedError('no refund call'),
      new TpagaAnswerMismatchError('ps_1', 'cost'),
      new EtpayJwtError(EtpayJwtReason.badSignature, 'not signed'),
    ];
    expect(errors.every((error) => error instanceof ProviderError)).toBe(true);
    expect(errors.map((error) => [error.name, error.kind])).toEqual([
      ['ProviderUnavailableError', ProviderErrorKind.unavailable],
      ['ProviderRejectedError', ProviderErrorKind.rejected],
      ['OperationNotSupportedError', ProviderErrorKind.notSupported],
      ['TpagaAnswerMismatchError', ProviderErrorKind.answerMismatch],
      ['EtpayJwtError', ProviderErrorKind.untrustedNotification],
    ]);
  });

  it('gives an unreadable ETpay JWT the malformed kind', () => {
    expect(new EtpayJwtError(EtpayJwtReason.malformed, 'not a JWS').kind).toBe(
      ProviderErrorKind.malformedNotification,
    );
  });
});

describe('providerErrorAnswer', () => {
  const tpaga = { providerName: 'Tpaga' };

  it.each([
    [ProviderErrorKind.unavailable, 502, ErrorCode.providerUnavailable, unavailableMessage],
    [ProviderErrorKind.rejected, 502, ErrorCode.providerUnavailable, unavailableMessage],
    [ProviderErrorKind.answerMismatch, 502, ErrorCode.providerUnavailable, unavailableMessage],
    [ProviderErrorKind.notSupported, 422, ErrorCode.operationNotSupported, 'the provider says why'],
    [ProviderErrorKind.malformedNotification, 400, ErrorCode.invalidNotification, 'the provider says why'],
    [ProviderErrorKind.untrustedNotification, 401, ErrorCode.invalidSignature, 'the provider says why'],
  ])('answers the %s kind with %i %s', (kind, status, code, message) => {
    const answer = providerErrorAnswer(new ProviderError(kind, 'the provider says why'), tpaga);
    expect(answer).toBeInstanceOf(PasarelaError);
    expect(answer).toMatchObject({ status, code, message });
  });

  it('covers every kind', () => {
    for (const kind of Object.values(ProviderErrorKind)) {
      const answer = providerErrorAnswer(new ProviderError(kind, 'why'), tpaga);
      expect(Object.values(ErrorCode)).toContain(answer.code);
    }
  });

  it('names the admin operation a provider does not have', () => {
    const answer = providerErrorAnswer(new OperationNotSupportedError('no refund call'), {
      providerName: 'ETpay',
      operation: 'refund',
    });
    expect(answer).toMatchObject({ status: 422, message: 'ETpay has no refund operation.' });
  });

  it('speaks of the payment provider when the route named none', () => {
    const answer = providerErrorAnswer(new ProviderUnavailableError('GET /info failed'), undefined);
    expect(answer.message).toMatch(/^The payment provider is not answering right now\./);
  });
});
