import type { Config } from './config.js';
import type { SessionHub } from './live.js';
import type { Logger } from './log.js';
import type { ClientIpResolver } from './middleware/client-ip.js';
import type { Dispatcher } from './notifications/dispatcher.js';
import type { Payments, TrustedOrder } from './payments.js';
import type { Store } from './store/store.js';

/** What every route group gets from `createPasarela`. */
export interface AppContext {
  config: Config;
  store: Store;
  payments: Payments;
  hub: SessionHub;
  log: Logger;
  now: () => number;
  clientIp: ClientIpResolver;
  resolveOrder: ((orderId: string) => Promise<TrustedOrder | undefined>) | undefined;
  /** Aborted on shutdown: SSE streams end, waits stop. */
  shutdown: AbortSignal;
  sseHeartbeatMs: number;
  /** The merchant's notification destinations (webhook URLs, the hook) and their dispatcher. */
  notifications: { destinations: readonly string[]; dispatcher: Dispatcher };
}
