import { Hono } from 'hono';
import type { Sandbox, SandboxSessionSummary } from '../shared/types.js';
import { apiRoutes } from './api.js';
import { controlRoutes } from './control.js';
import { TpagaCore } from './core.js';
import { SimError } from './errors.js';
import type { TpagaSandboxOptions } from './options.js';
import type { PaymentRequest, PaymentRequestStatus } from './payment-request.js';
import { walletRoutes } from './wallet.js';

/**
 * The Tpaga sandbox: its Hono app plus in-process controls for tests. The controls throw for an
 * unknown token (and the control API answers 404); `pay`, `fail` and `autoRevert` throw when the
 * request is not in a state they apply to (409 on the control API).
 */
export interface TpagaSandbox extends Sandbox {
  /** The buyer pays in the wallet: `created` → `paid`, then the webhook (no redirect). */
  pay(token: string): Promise<SandboxSessionSummary>;
  /** The buyer rejects in the wallet: `created` → `failed`, then the webhook. */
  fail(token: string): Promise<SandboxSessionSummary>;
  /** `expires_at` becomes now; the next read shows `expired` (nothing is sent). */
  expire(token: string): SandboxSessionSummary;
  /** Tpaga reverts an undelivered `paid` request now, and sends the webhook. */
  autoRevert(token: string): Promise<SandboxSessionSummary>;
  /** Releases the webhooks `reorder` holds, newest first. */
  flush(): Promise<void>;
  /** `409` bodies in the 2018 form: the payment request at the top level. */
  setIdempotencyUnwrapped(on: boolean): void;
  /** Every API call after Basic auth answers the "contact Tpaga support" `403`. */
  setDisabled(on: boolean): void;
  /**
   * Where a merchant's webhooks go (`{url}/{token}`), `null` for none. The Pasarela server
   * registers its own URL this way; at the real Tpaga it is configured by hand.
   */
  setWebhookBase(username: string, url: string | null): void;
  /** One request's summary, or `undefined`. */
  getSession(token: string): SandboxSessionSummary | undefined;
}

/** Builds a Tpaga sandbox; mount its `app` at `/sandbox/tpaga` (or serve it alone). */
export function createTpagaSandbox(options: TpagaSandboxOptions): TpagaSandbox {
  const core = new TpagaCore(options);

  async function decideNow(token: string, approve: boolean): Promise<SandboxSessionSummary> {
    const pr = core.require(token);
    if (!(await core.decide(pr, approve))) throw notInState(pr, 'created', approve ? 'pay' : 'fail');
    return core.summary(pr);
  }

  const controls: Omit<TpagaSandbox, 'app'> = {
    webhooks: core.webhooks,
    listSessions: () => core.all().map((pr) => core.summary(pr)),
    getSession: (token) => {
      const pr = core.find(token);
      return pr && core.summary(pr);
    },
    setWebhookBehaviour: (behaviour) => {
      core.webhook = behaviour;
    },
    setSessionWebhookBehaviour: (token, behaviour) => {
      core.require(token).webhook = behaviour;
    },
    failApi: (fault, count, body) => core.faults.add(fault, count, body),
    resetBehaviours: () => core.resetBehaviours(),
    pay: (token) => decideNow(token, true),
    fail: (token) => decideNow(token, false),
    expire: (token) => {
      const pr = core.require(token);
      pr.expiresAt = core.now();
      return core.summary(core.require(token));
    },
    autoRevert: async (token) => {
      const pr = core.require(token);
      if (!(await core.revert(pr))) throw notInState(pr, 'paid', 'auto-revert');
      return core.summary(pr);
    },
    flush: () => core.webhooks.flush(),
    setIdempotencyUnwrapped: (on) => {
      core.idempotencyUnwrapped = on;
    },
    setDisabled: (on) => {
      core.disabled = on;
    },
    setWebhookBase: (username, url) => {
      core.merchant(username).webhookBase = url ?? undefined;
    },
    close: () => core.close(),
    snapshot: () => ({ version: 1, sessions: core.all() }),
    restore: (state) => core.restore(state.sessions as PaymentRequest[]),
  };

  const app = new Hono();
  app.route('/merchants/api/v1', apiRoutes(core, options.hangMs ?? 30_000));
  app.route('/w', walletRoutes(core));
  app.route('/_sim', controlRoutes(controls, core.log));
  return { ...controls, app };
}

function notInState(pr: PaymentRequest, needed: PaymentRequestStatus, action: string): SimError {
  return new SimError(
    409,
    'invalid_state',
    `${pr.token} is ${pr.status}; ${action} needs a ${needed} payment request`,
  );
}
