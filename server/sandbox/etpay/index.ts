export { type EtpayMerchant, EtpaySandboxMerchant, type EtpaySandboxOptions } from './options.js';
export { createEtpaySandbox } from './sandbox.js';
export { PaymentStatus as EtpayPaymentStatus } from './session.js';
export type { EtpayAttemptResult, EtpaySandbox } from './types.js';
