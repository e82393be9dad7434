export { createEtpayProvider, type EtpayProvider, type EtpayProviderOptions, etpayInfo } from './client.js';
export {
  type EtpayInitializeBody,
  type EtpayMetadataItem,
  initializeBody,
  maxMetadataItems,
} from './initialize-request.js';
export { type EtpayAttempt, EtpayPaymentStatus, mapAttempts, mapPaymentStatus } from './mapping.js';
export {
  EtpayJwtError,
  EtpayJwtReason,
  type FindEtpaySession,
  type VerifiedPayment,
  verifyPaymentJwt,
} from './payment-jwt.js';
