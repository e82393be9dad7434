// `pasarela/server`: the backend as a library, runtime-neutral (it runs on Hono, not on Node APIs): none of
// our modules reachable from here imports `node:*` (test/server/entries.test.ts checks). The Node
// listener, store opener, widget-bundle loader and backup are in `pasarela/server/node`.
export { createPasarela, type PasarelaApp, type PasarelaOptions } from './app.js';
export { type Config, ConfigError, type LoadConfigOptions, loadConfig } from './config.js';
export { baseUrl, credential, flag, integer } from './config-schemas.js';
export type { PaymentSession, PublicSession, Status, StatusEvent } from './core/session.js';
export { PasarelaError } from './errors.js';
export { createLogger, type Logger } from './log.js';
export { type ClientIpResolver, clientIpResolver } from './middleware/client-ip.js';
export { type RateLimitOptions, rateLimit } from './middleware/rate-limit.js';
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
export { ProviderError, ProviderErrorKind } from './providers/errors.js';
export { createProviderHttp, type ProviderHttp, ProviderUnavailableError } from './providers/http.js';
export { builtInProviders } from './providers/index.js';
export { svgMark } from './providers/mark.js';
export {
  type CreateContext,
  defineProvider,
  OperationNotSupportedError,
  type PaymentProvider,
  type ProviderAnswer,
  type ProviderCapabilities,
  type ProviderConfiguration,
  type ProviderContext,
  type ProviderInfo,
  type ProviderModule,
  type ProviderObservation,
  ProviderRejectedError,
  type ReturnOutcome,
  type SessionLookup,
  type SettingsContext,
  type WebhookHandler,
  type WebhookOutcome,
  type WebhookRequest,
} from './providers/provider.js';
export type { WidgetBundle } from './routes/widget.js';
export type { Store } from './store/store.js';
