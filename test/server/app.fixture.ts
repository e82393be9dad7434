// A whole Pasarela server for route tests: the app, both sandboxes and a SQLite store, on a real
// listener at 127.0.0.1, configured as `npm run serve` with PASARELA_SANDBOX=1 would be.
import { createPasarela, type PasarelaApp, type PasarelaOptions } from '../../server/app.js';
import { type Config, loadConfig } from '../../server/config.js';
import { createLogger } from '../../server/log.js';
import { signOrder } from '../../server/orders.js';
import { createSandboxes, type Sandboxes } from '../../server/sandbox/index.js';
import { openSqliteStore } from '../../server/store/sqlite/index.js';
import type { Store } from '../../server/store/store.js';
import { listen } from './helpers/listen.js';

export const orderSecret = 'test-order-secret-of-at-least-32-bytes!!';
export const adminToken = 'test-admin-token-0123456789';

export interface TestServer {
  url: string;
  config: Config;
  app: PasarelaApp;
  store: Store;
  sandboxes: Sandboxes;
  /** Every log line written, for redaction checks. */
  logs: string[];
  order(claims?: Record<string, unknown>): Promise<string>;
  createSession(
    provider: 'etpay' | 'tpaga',
    claims?: Record<string, unknown>,
    headers?: Record<string, string>,
  ): Promise<Response>;
  admin(path: string, init?: RequestInit): Promise<Response>;
  close(): Promise<void>;
}

export interface TestServerOptions {
  env?: Record<string, string>;
  options?: Partial<PasarelaOptions>;
  storePath?: string;
  /** How long the store retries a locked database (its default is 5 s). */
  busyBudgetMs?: number;
}

export async function startTestServer(setup: TestServerOptions = {}): Promise<TestServer> {
  let app: PasarelaApp | undefined;
  const listener = await listen({ fetch: (request, env) => app!.fetch(request, env) });
  const config = loadConfig({
    PASARELA_SANDBOX: '1',
    PUBLIC_URL: listener.url,
    PASARELA_ORDER_SECRET: orderSecret,
    PASARELA_ADMIN_TOKEN: adminToken,
    DATABASE_URL: 'sqlite::memory:',
    ...setup.env,
  });
  const logs: string[] = [];
  const logger = createLogger({ write: (line) => logs.push(line) });
  const store = await openSqliteStore({
    path: setup.storePath ?? ':memory:',
    ...(setup.busyBudgetMs !== undefined && { busyBudgetMs: setup.busyBudgetMs }),
  });
  const sandboxes = createSandboxes({ publicUrl: config.publicUrl });
  sandboxes.connect(config);
  app = createPasarela({ config, store, logger, reconciler: false, ...setup.options });
  app.route('/', sandboxes.app);

  // The first order is OC-1001; each later one gets its own id, since an order is paid only once.
  let orders = 0;
  const order = (claims: Record<string, unknown> = {}) =>
    signOrder(
      {
        order_id: `OC-${1001 + orders++}`,
        amount: 12000,
        currency: 'CLP',
        description: 'Café de grano',
        ...claims,
      } as never,
      orderSecret,
    );
  return {
    url: listener.url,
    config,
    app: app as PasarelaApp,
    store,
    sandboxes,
    logs,
    order,
    async createSession(provider, claims = {}, headers = {}) {
      const currency = provider === 'etpay' ? 'CLP' : 'COP';
      return fetch(`${listener.url}/api/sessions`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...headers },
        body: JSON.stringify({ provider, order: await order({ currency, ...claims }) }),
      });
    },
    admin(path, init = {}) {
      return fetch(`${listener.url}/api/admin${path}`, {
        ...init,
        headers: { Authorization: `Bearer ${adminToken}`, ...(init.headers ?? {}) },
      });
    },
    async close() {
      await app!.close();
      await sandboxes.close();
      await listener.close();
      await store.close();
    },
  };
}
