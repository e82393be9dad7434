// Several Pasarela instances sharing one PostgreSQL schema, in this process, each on its own
// listener, and one pair of sandboxes on another (the providers every instance talks to).
import { createPasarela, type PasarelaApp, type PasarelaOptions } from '../../server/app.js';
import { loadConfig } from '../../server/config.js';
import { silentLogger } from '../../server/log.js';
import { signOrder } from '../../server/orders.js';
import { sandboxCredentials } from '../../server/providers/index.js';
import { createSandboxes, type Sandboxes } from '../../server/sandbox/index.js';
import { openPostgresStore } from '../../server/store/postgres/index.js';
import type { Store } from '../../server/store/store.js';
import { type Listener, listen } from './helpers/listen.js';
import { freshSchema } from './helpers/postgres.js';

export const orderSecret = 'cluster-test-order-secret-of-32-bytes!!';
export const adminToken = 'cluster-test-admin-token-0123456789';

export interface Instance {
  url: string;
  app: PasarelaApp;
  store: Store;
  listener: Listener;
}

export interface Cluster {
  instances: Instance[];
  sandboxes: Sandboxes;
  sandboxUrl: string;
  databaseUrl: string;
  order(claims: Record<string, unknown>): Promise<string>;
  close(): Promise<void>;
}

/** Provider settings for instances that talk to the sandboxes at `sandboxUrl`. */
export function providerEnv(sandboxUrl: string): Record<string, string> {
  return {
    ETPAY_MERCHANT_CODE: sandboxCredentials.etpay.merchantCode,
    ETPAY_API_TOKEN: sandboxCredentials.etpay.apiToken,
    ETPAY_API_URL: `${sandboxUrl}/sandbox/etpay/api`,
    ETPAY_PMT_URL: `${sandboxUrl}/sandbox/etpay/pmt`,
    TPAGA_USERNAME: sandboxCredentials.tpaga.username,
    TPAGA_PASSWORD: sandboxCredentials.tpaga.password,
    TPAGA_API_URL: `${sandboxUrl}/sandbox/tpaga/merchants/api/v1`,
  };
}

export async function startCluster(
  count: number,
  options: Partial<PasarelaOptions> = {},
  env: Record<string, string> = {},
): Promise<Cluster> {
  const schema = await freshSchema();
  let sandboxes: Sandboxes | undefined;
  const sandboxListener = await listen({ fetch: (request, e) => sandboxes!.app.fetch(request, e) });
  sandboxes = createSandboxes({ publicUrl: sandboxListener.url });
  const instances: Instance[] = [];
  for (let i = 0; i < count; i++) {
    let app: PasarelaApp | undefined;
    const listener = await listen({ fetch: (request, e) => app!.fetch(request, e) });
    const config = loadConfig({
      PUBLIC_URL: listener.url,
      DATABASE_URL: schema.url,
      PASARELA_ORDER_SECRET: orderSecret,
      PASARELA_ADMIN_TOKEN: adminToken,
      ...providerEnv(sandboxListener.url),
      ...env,
    });
    const store = await openPostgresStore({ url: schema.url });
    app = createPasarela({ config, store, logger: silentLogger, reconciler: false, ...options });
    instances.push({ url: listener.url, app, store, listener });
  }
  // Tpaga notifies one address (the load balancer's, in production): the first instance here.
  sandboxes.tpaga.setWebhookBase(sandboxCredentials.tpaga.username, `${instances[0]!.url}/webhooks/tpaga`);
  let orders = 0;
  return {
    instances,
    sandboxes,
    sandboxUrl: sandboxListener.url,
    databaseUrl: schema.url,
    order: (claims) =>
      signOrder(
        { order_id: `CL-${++orders}`, amount: 15_000, currency: 'COP', ...claims } as never,
        orderSecret,
      ),
    async close() {
      for (const instance of instances) {
        await instance.app.close();
        await instance.listener.close();
        await instance.store.close();
      }
      await sandboxes!.close();
      await sandboxListener.close();
      await schema.drop();
    },
  };
}
