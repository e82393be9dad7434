export { createTpagaProvider, type TpagaProvider, type TpagaProviderOptions, tpagaInfo } from './client.js';
export {
  type CreateBodyOptions,
  createBody,
  formatExpiresAt,
  type TpagaCreateBody,
} from './create-request.js';
export { mapTpagaStatus, TpagaStatus, toObservation } from './mapping.js';
export {
  isValidTpagaToken,
  TpagaAnswerField,
  TpagaAnswerMismatchError,
  type TpagaCreatedPaymentRequest,
  type TpagaPaymentRequest,
  tpagaCreatedPaymentRequest,
  tpagaPaymentRequest,
  tpagaTokenPattern,
  verifyPaymentRequest,
} from './payment-request.js';
