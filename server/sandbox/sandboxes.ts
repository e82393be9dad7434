import { Hono } from 'hono';
import { createEtpaySandbox, type EtpaySandbox, type EtpaySandboxOptions } from './etpay/index.js';
import { sessionsPage } from './sessions-page.js';
import type { SandboxState } from './shared/types.js';
import { createTpagaSandbox, type TpagaSandbox, type TpagaSandboxOptions } from './tpaga/index.js';

export interface SandboxesOptions {
  /** The external base URL of the app the sandboxes are mounted in (no `/sandbox`). */
  publicUrl: string;
  etpay?: Partial<EtpaySandboxOptions>;
  tpaga?: Partial<TpagaSandboxOptions>;
  fetch?: typeof fetch;
  now?: () => number;
  log?: (line: string) => void;
}

export interface Sandboxes {
  /** Routes under `/sandbox`: the sessions page, `/sandbox/etpay/*` and `/sandbox/tpaga/*`. */
  app: Hono;
  etpay: EtpaySandbox;
  tpaga: TpagaSandbox;
  close(): Promise<void>;
  /** Both sandboxes' sessions, to keep across a restart (`npm start` keeps them in ./data). */
  snapshot(): SandboxesState;
  restore(state: Partial<SandboxesState>): void;
}

export interface SandboxesState {
  etpay: SandboxState;
  tpaga: SandboxState;
}

/** Both provider sandboxes mounted under `/sandbox`, with a page listing their sessions. */
export function createSandboxes(options: SandboxesOptions): Sandboxes {
  const base = options.publicUrl.replace(/\/+$/, '');
  const shared = {
    ...(options.fetch && { fetch: options.fetch }),
    ...(options.now && { now: options.now }),
    ...(options.log && { log: options.log }),
  };
  const etpay = createEtpaySandbox({ ...shared, ...options.etpay, publicUrl: `${base}/sandbox/etpay` });
  const tpaga = createTpagaSandbox({ ...shared, ...options.tpaga, publicUrl: `${base}/sandbox/tpaga` });

  const app = new Hono();
  app.route('/sandbox/etpay', etpay.app);
  app.route('/sandbox/tpaga', tpaga.app);
  app.route(
    '/sandbox',
    sessionsPage('/sandbox', [
      {
        id: 'etpay',
        name: 'ETpay (Chile)',
        sandbox: etpay,
        decisions: [
          { label: 'Notificar éxito', run: (token) => etpay.attempt(token, 'success') },
          { label: 'Notificar error', run: (token) => etpay.attempt(token, 'error') },
        ],
      },
      {
        id: 'tpaga',
        name: 'Tpaga (Colombia)',
        sandbox: tpaga,
        decisions: [
          { label: 'Pagar', run: (token) => tpaga.pay(token) },
          { label: 'Rechazar', run: (token) => tpaga.fail(token) },
        ],
      },
    ]),
  );

  return {
    app,
    etpay,
    tpaga,
    close: async () => {
      await Promise.all([etpay.close(), tpaga.close()]);
    },
    snapshot: () => ({ etpay: etpay.snapshot(), tpaga: tpaga.snapshot() }),
    restore: (state) => {
      if (state.etpay?.version === 1) etpay.restore(state.etpay);
      if (state.tpaga?.version === 1) tpaga.restore(state.tpaga);
    },
  };
}
