// The Tpaga sandbox mounted at `/sandbox/tpaga` of a parent app on a real listener, as the
// Pasarela server mounts it, with a receiver standing for the merchant's webhook endpoint.
import { Hono } from 'hono';
import {
  createTpagaSandbox,
  type TpagaMerchant,
  type TpagaSandbox,
  TpagaSandboxMerchant,
  type TpagaSandboxOptions,
} from '../../server/sandbox/tpaga/index.js';
import { listen, type Receiver, receiver } from './helpers/listen.js';

export interface TpagaFixture {
  sandbox: TpagaSandbox;
  /** The sandbox's external base URL: `http://127.0.0.1:<port>/sandbox/tpaga`. */
  base: string;
  /** The merchant's webhook endpoint. */
  merchant: Receiver;
  close(): Promise<void>;
}

/** `Authorization: Basic …` for a merchant (the sandbox's own by default). */
export function basicAuth(
  merchant: Pick<TpagaMerchant, 'username' | 'password'> = TpagaSandboxMerchant,
): string {
  return `Basic ${btoa(`${merchant.username}:${merchant.password}`)}`;
}

/** Options may depend on the merchant receiver's URL (for its webhook base). */
export async function startTpaga(
  options: Partial<TpagaSandboxOptions> | ((merchantUrl: string) => Partial<TpagaSandboxOptions>) = {},
): Promise<TpagaFixture> {
  const merchant = await receiver();
  const parent = new Hono();
  const server = await listen({ fetch: (request, env) => parent.fetch(request, env) });
  const base = `${server.url}/sandbox/tpaga`;
  const resolved = typeof options === 'function' ? options(merchant.url) : options;
  const sandbox = createTpagaSandbox({ publicUrl: base, ...resolved });
  parent.route('/sandbox/tpaga', sandbox.app);
  return {
    sandbox,
    base,
    merchant,
    async close() {
      await sandbox.close();
      await server.close();
      await merchant.close();
    },
  };
}
