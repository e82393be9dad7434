import { Hono } from 'hono';
import { ApiFaults } from '../shared/faults.js';
import type { SandboxSessionSummary } from '../shared/types.js';
import { type WebhookBehaviour, WebhookDispatcher, WebhookMode } from '../shared/webhooks.js';
import { apiRoutes } from './api.js';
import { controlRoutes } from './control.js';
import { type EtpayCore, funnelUrl } from './core.js';
import { funnelRoutes } from './funnel.js';
import { EtpaySandboxMerchant, type EtpaySandboxOptions, etpaySandboxDefaults } from './options.js';
import { lastRut, recordAttempt } from './payment.js';
import { type EtpayAttempt, type EtpaySession, SessionStore } from './session.js';
import type { EtpaySandbox } from './types.js';

/**
 * The offline ETpay simulator (ETPAY.md §10): API at `/api`, funnel at `/pmt`, scripted
 * behaviours at `/_sim`. Mount the app with `app.route('/sandbox/etpay', sandbox.app)`.
 */
export function createEtpaySandbox(options: EtpaySandboxOptions): EtpaySandbox {
  const now = options.now ?? Date.now;
  const log = options.log ?? (() => {});
  const defaultBehaviour: WebhookBehaviour = options.webhook ?? { mode: WebhookMode.normal };
  let behaviour = defaultBehaviour;
  const sessionBehaviours = new Map<string, WebhookBehaviour>();
  const core: EtpayCore = {
    publicUrl: options.publicUrl.replace(/\/+$/, ''),
    merchants: options.merchants ?? [EtpaySandboxMerchant],
    store: new SessionStore(now, options.sessionLifetimeMs ?? etpaySandboxDefaults.sessionLifetimeMs),
    webhooks: new WebhookDispatcher({
      timeoutMs: options.webhookTimeoutMs ?? etpaySandboxDefaults.webhookTimeoutMs,
      now,
      log,
      ...(options.fetch ? { fetch: options.fetch } : {}),
      ...(options.holdMs === undefined ? {} : { holdMs: options.holdMs }),
    }),
    faults: new ApiFaults(),
    hangMs: options.hangMs ?? etpaySandboxDefaults.hangMs,
    now,
    log,
    behaviourFor: (session) => sessionBehaviours.get(session.token) ?? behaviour,
  };

  function sessionOf(token: string): EtpaySession {
    const session = core.store.get(token);
    if (!session) throw new Error(`no ETpay sandbox session has the token "${token}"`);
    return session;
  }

  function summary(session: EtpaySession): SandboxSessionSummary {
    const latest = core.store.attemptsOf(session).at(-1);
    return {
      token: session.token,
      orderId: session.merchantOrderId,
      amount: session.orderAmount,
      // An attempt outranks the lifetime: a late success is still the session's result.
      status: latest?.paymentStatus ?? (core.store.isExpired(session) ? 'expired' : 'created'),
      createdAt: new Date(session.createdAt).toISOString(),
      expiresAt: new Date(session.expiresAt).toISOString(),
      buyerUrl: funnelUrl(core, session.token),
      deliveries: core.webhooks.forSession(session.token),
    };
  }

  const sandbox: Omit<EtpaySandbox, 'app'> = {
    webhooks: core.webhooks,
    listSessions: () => core.store.all().map(summary),
    getSession: (token) => {
      const session = core.store.get(token);
      return session && summary(session);
    },
    setWebhookBehaviour: (next) => {
      behaviour = next;
    },
    setSessionWebhookBehaviour: (token, next) => {
      sessionOf(token);
      sessionBehaviours.set(token, next);
    },
    failApi: (fault, count, body) => core.faults.add(fault, count, body),
    resetBehaviours: () => {
      behaviour = defaultBehaviour;
      sessionBehaviours.clear();
      core.faults.clear();
    },
    attempt: async (token, status) => {
      const session = sessionOf(token);
      const { attempt, jwt } = await recordAttempt(core, session, status, lastRut(core, session));
      return { paymentToken: attempt.paymentToken, paymentStatus: attempt.paymentStatus, jwt };
    },
    expire: (token) => core.store.expire(sessionOf(token)),
    snapshot: () => ({ version: 1, ...core.store.snapshot() }),
    restore: (state) =>
      core.store.restore(
        state.sessions as EtpaySession[],
        (state.attempts ?? []) as EtpayAttempt[],
        core.merchants,
      ),
    flush: () => core.webhooks.flush(),
    close: async () => {
      core.faults.releaseHangs();
      await core.webhooks.close();
    },
  };

  const app = new Hono({ strict: false });
  app.route('/api', apiRoutes(core));
  app.route('/pmt', funnelRoutes(core));
  app.route('/_sim', controlRoutes(sandbox, log));
  return { ...sandbox, app };
}
