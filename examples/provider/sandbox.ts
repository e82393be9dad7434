/**
 * The Pago Simple sandbox: an offline stand-in for the provider's API and payment page, as a
 * `SandboxModule` from `pasarela/sandbox` (here `../../server/sandbox/index.js`).
 *
 * What a provider author writes for a sandbox: the provider's API as far as the client uses it
 * (behind `ApiFaults`, so tests can script 5xx answers and hangs), a buyer page that decides a
 * payment and notifies like the provider would (through a `WebhookDispatcher`, which gives the
 * scripted notification behaviours and the delivery log), in-process controls for tests, and the
 * `Sandbox` interface the `/sandbox` sessions page and `snapshot`/`restore` use. Pass the module to
 * `createSandboxes({ publicUrl, extra: [pagosimpleSandbox] })`: it is mounted at
 * `/sandbox/pagosimple`, where sandbox mode points `PAGOSIMPLE_API_URL` (`…/api`).
 */
import { type Context, Hono } from 'hono';
import { bearerAuth } from 'hono/bearer-auth';
import { z } from 'zod';
import {
  ApiFaults,
  type Sandbox,
  type SandboxBaseOptions,
  type SandboxModule,
  type SandboxSessionSummary,
  type WebhookBehaviour,
  WebhookDispatcher,
  WebhookMode,
} from '../../server/sandbox/index.js';
import { pagoSimpleSandboxCredentials } from './pagosimple.js';
import { notFoundPage, payPage, type SandboxPayment, statusPage } from './sandbox-pages.js';
import { signatureHeader, signBody } from './signature.js';

export interface PagoSimpleSandboxOptions extends SandboxBaseOptions {
  /** The API key the API accepts (the module's sandbox credential by default). */
  apiKey?: string;
  /** The notification signing secret (the module's sandbox credential by default). */
  secret?: string;
  /** How long a payment may be paid (30 min). */
  lifetimeMs?: number;
  /** How long a scripted API timeout holds the request (30 s). */
  hangMs?: number;
  /** Longest wait for Pasarela's answer to a notification (10 s). */
  webhookTimeoutMs?: number;
  /** Notification behaviour for payments without their own (normal). */
  webhook?: WebhookBehaviour;
}

/** The sandbox plus controls for tests; each throws for an unknown payment id. */
export interface PagoSimpleSandbox extends Sandbox {
  /** The buyer pays: `pending` → `paid`, then the signed notification. False when not pending. */
  pay(id: string): Promise<boolean>;
  /** The buyer refuses: `pending` → `failed`, then the signed notification. */
  fail(id: string): Promise<boolean>;
  /** The payment's lifetime ends now: `expired`, nothing is sent (as at the real provider). */
  expire(id: string): SandboxSessionSummary;
  getSession(id: string): SandboxSessionSummary | undefined;
}

const createBody = z.object({
  reference: z.string().min(1).max(100),
  amount: z.number().int().min(1).max(1_000_000_000),
  currency: z.literal('CLP'),
  return_url: z.url({ protocol: /^https?$/ }),
  notify_url: z.url({ protocol: /^https?$/ }),
});

/** Pago Simple's error shape, also the body of a scripted 5xx. */
const apiError = (code: string, message: string) => ({ error: { code, message } });

export function createPagoSimpleSandbox(options: PagoSimpleSandboxOptions): PagoSimpleSandbox {
  const base = options.publicUrl.replace(/\/+$/, '');
  const now = () => (options.now ?? Date.now)();
  const log = options.log ?? (() => {});
  const secret = options.secret ?? pagoSimpleSandboxCredentials.secret;
  const lifetimeMs = options.lifetimeMs ?? 30 * 60_000;
  const defaultWebhook = options.webhook ?? { mode: WebhookMode.normal };
  const payments = new Map<string, SandboxPayment>();
  const behaviours = new Map<string, WebhookBehaviour>();
  const faults = new ApiFaults();
  let webhook = defaultWebhook;
  const webhooks = new WebhookDispatcher({
    // The dispatcher sends a body and its content type only: the signature header is added on
    // the way out, so replays from the sessions page are signed too.
    fetch: signingFetch(options.fetch ?? fetch, secret),
    timeoutMs: options.webhookTimeoutMs ?? 10_000,
    now,
    log,
  });

  /** A payment in its current state: an unpaid one past its lifetime reads as expired. */
  function find(id: string): SandboxPayment | undefined {
    const payment = payments.get(id);
    if (payment?.status === 'pending' && now() >= payment.expiresAt) payment.status = 'expired';
    return payment;
  }

  function require(id: string): SandboxPayment {
    const payment = find(id);
    if (!payment) throw new Error(`no Pago Simple sandbox payment has the id "${id}"`);
    return payment;
  }

  function summary(payment: SandboxPayment): SandboxSessionSummary {
    return {
      token: payment.id,
      // Pago Simple knows no order: its reference (Pasarela's session id) stands in.
      orderId: payment.reference,
      amount: payment.amount,
      status: payment.status,
      createdAt: new Date(payment.createdAt).toISOString(),
      expiresAt: new Date(payment.expiresAt).toISOString(),
      buyerUrl: `${base}/pay/${payment.id}`,
      deliveries: webhooks.forSession(payment.id),
    };
  }

  /** Resolves when the provider would redirect the buyer: after the notification, in normal mode. */
  async function decide(payment: SandboxPayment, approve: boolean): Promise<boolean> {
    find(payment.id);
    if (payment.status !== 'pending') return false;
    payment.status = approve ? 'paid' : 'failed';
    log(`pagosimple: ${payment.id} ${payment.status}`);
    const body = JSON.stringify({ id: payment.id });
    await webhooks.dispatch(
      payment.id,
      { url: payment.notifyUrl, body },
      behaviours.get(payment.id) ?? webhook,
    );
    return true;
  }

  const api = new Hono();
  // Faults first: they stand for the whole service failing, before it even checks the key.
  api.use(
    faults.middleware({
      serverErrorBody: apiError('internal', 'Pago Simple failed'),
      hangMs: options.hangMs,
    }),
  );
  api.use(
    bearerAuth({
      token: options.apiKey ?? pagoSimpleSandboxCredentials.apiKey,
      noAuthenticationHeaderMessage: apiError('unauthorized', 'Send Authorization: Bearer <API key>.'),
      invalidAuthenticationHeaderMessage: apiError('unauthorized', 'Send Authorization: Bearer <API key>.'),
      invalidTokenMessage: apiError('unauthorized', 'The API key is not valid.'),
    }),
  );

  api.post('/payments', async (c) => {
    const parsed = createBody.safeParse(await readJson(c));
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return c.json(apiError('invalid_request', `${issue?.path.join('.')}: ${issue?.message}`), 422);
    }
    const input = parsed.data;
    // A repeated reference is the same payment (the client retries a lost answer); with other
    // money it is a mistake.
    const existing = [...payments.values()].find((p) => p.reference === input.reference);
    if (existing) {
      if (existing.amount !== input.amount || existing.currency !== input.currency) {
        return c.json(apiError('reference_in_use', 'This reference has a payment with another amount.'), 409);
      }
      return c.json(created(find(existing.id) ?? existing), 200);
    }
    const payment: SandboxPayment = {
      id: `pay_${crypto.randomUUID().replaceAll('-', '')}`,
      reference: input.reference,
      amount: input.amount,
      currency: input.currency,
      status: 'pending',
      returnUrl: input.return_url,
      notifyUrl: input.notify_url,
      createdAt: now(),
      expiresAt: now() + lifetimeMs,
    };
    payments.set(payment.id, payment);
    log(`pagosimple: created ${payment.id} for ${payment.reference}`);
    return c.json(created(payment), 201);
  });

  api.get('/payments/:id', (c) => {
    const payment = find(c.req.param('id'));
    if (!payment) return c.json(apiError('not_found', 'No payment has this id.'), 404);
    const { id, reference, amount, currency, status } = payment;
    return c.json({ id, reference, amount, currency, status });
  });

  function created(payment: SandboxPayment) {
    return {
      id: payment.id,
      status: payment.status,
      pay_url: `${base}/pay/${payment.id}`,
      expires_at: new Date(payment.expiresAt).toISOString(),
    };
  }

  const app = new Hono();
  app.route('/api', api);
  app.get('/pay/:id', (c) => {
    const payment = find(c.req.param('id'));
    if (!payment) return c.html(notFoundPage(), 404);
    return c.html(payment.status === 'pending' ? payPage(payment) : statusPage(payment));
  });
  app.post('/pay/:id', async (c) => {
    const payment = find(c.req.param('id'));
    if (!payment) return c.html(notFoundPage(), 404);
    const action = (await c.req.parseBody().catch(() => ({}) as Record<string, unknown>)).action;
    if (action !== 'approve' && action !== 'reject') return c.html(payPage(payment), 400);
    // A second submit, or a decision after expiry: nothing changes, the buyer sees why.
    if (!(await decide(payment, action === 'approve'))) return c.html(statusPage(payment), 409);
    return c.redirect(payment.returnUrl, 303);
  });
  // The sessions page links here for the list as JSON.
  app.get('/_sim/sessions', (c) => c.json(controls.listSessions()));

  const controls: Omit<PagoSimpleSandbox, 'app'> = {
    webhooks,
    listSessions: () => [...payments.keys()].map((id) => summary(require(id))),
    getSession: (id) => {
      const payment = find(id);
      return payment && summary(payment);
    },
    pay: (id) => decide(require(id), true),
    fail: (id) => decide(require(id), false),
    expire: (id) => {
      const payment = require(id);
      payment.expiresAt = now();
      return summary(require(id));
    },
    setWebhookBehaviour: (behaviour) => {
      webhook = behaviour;
    },
    setSessionWebhookBehaviour: (id, behaviour) => {
      behaviours.set(require(id).id, behaviour);
    },
    failApi: (fault, count) => faults.add(fault, count),
    resetBehaviours: () => {
      webhook = defaultWebhook;
      behaviours.clear();
      faults.clear();
    },
    close: async () => {
      faults.releaseHangs();
      await webhooks.close();
    },
    snapshot: () => ({ version: 1, sessions: [...payments.values()] }),
    restore: (state) => {
      for (const saved of state.sessions as SandboxPayment[]) {
        if (typeof saved?.id === 'string') payments.set(saved.id, saved);
      }
    },
  };
  return { ...controls, app };
}

/** The module `createSandboxes({ extra })` takes. */
export const pagosimpleSandbox: SandboxModule<PagoSimpleSandbox, PagoSimpleSandboxOptions> = {
  id: 'pagosimple',
  label: 'Pago Simple (ejemplo)',
  create: createPagoSimpleSandbox,
  // Deciding from the sessions page: `pay`/`fail` refuse a decided payment by answering false.
  decisions: (sandbox) => [
    { label: 'Pagar', run: (id) => sandbox.pay(id) },
    { label: 'Rechazar', run: (id) => sandbox.fail(id) },
  ],
  // No `connect`: each payment carries its own `notify_url`, so nothing is set up by hand.
};

/** Adds `PagoSimple-Signature` to every notification the dispatcher sends. */
function signingFetch(inner: typeof fetch, secret: string): typeof fetch {
  return async (input, init) => {
    const headers = new Headers(init?.headers);
    if (typeof init?.body === 'string') headers.set(signatureHeader, await signBody(secret, init.body));
    return inner(input, { ...init, headers });
  };
}

async function readJson(c: Context): Promise<unknown> {
  try {
    return JSON.parse(await c.req.text());
  } catch {
    return undefined;
  }
}
