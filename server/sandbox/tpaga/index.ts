export {
  DeliveryMode as TpagaDeliveryMode,
  Notify as TpagaNotify,
  type TpagaMerchant,
  TpagaSandboxMerchant,
  type TpagaSandboxOptions,
} from './options.js';
export { PaymentRequestStatus as TpagaStatus } from './payment-request.js';
export { createTpagaSandbox, type TpagaSandbox } from './sandbox.js';
