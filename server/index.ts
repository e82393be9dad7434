// `pasarela/server`: the backend as a library.
export { createPasarela, type PasarelaApp, type PasarelaOptions } from './app.js';
export { type Config, ConfigError, loadConfig } from './config.js';
export type { PaymentSession, PublicSession, Status, StatusEvent } from './core/session.js';
export { PasarelaError } from './errors.js';
export { createLogger, type Logger } from './log.js';
export { type ClientIpResolver, clientIpResolver } from './middleware/client-ip.js';
export { type RateLimitOptions, rateLimit } from './middleware/rate-limit.js';
export { loadWidgetBundle, openStore } from './node.js';
export {
  signWebhook,
  type VerifiedWebhook,
  type VerifyWebhookOptions,
  verifyWebhook,
  WebhookVerificationError,
  type WebhookVerificationReason,
} from './notifications/signature.js';
export { signOrder, verifyOrder } from './orders.js';
export type { TrustedOrder } from './payments.js';
export type { PaymentProvider, ProviderInfo, ProviderObservation } from './providers/provider.js';
export type { WidgetBundle } from './routes/widget.js';
export { closeOnSignals, type RunningServer, type StartOptions, startServer } from './serve.js';
export type { Store } from './store/store.js';
