import { Hono, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import { HTTPException } from 'hono/http-exception';
import { secureHeaders } from 'hono/secure-headers';
import type { Config } from './config.js';
import type { AppContext } from './context.js';
import { randomId } from './core/ids.js';
import type { PublicSession } from './core/session.js';
import { errorBody, PasarelaError, type ProviderCall, providerErrorAnswer } from './errors.js';
import { SessionHub } from './live.js';
import { followStoreChanges } from './live-sync.js';
import { createLogger, type Logger } from './log.js';
import { apiHeadersMiddleware, isApiRequest } from './middleware/api-headers.js';
import { type ClientIpResolver, clientIpResolver } from './middleware/client-ip.js';
import { sharedCounter } from './middleware/rate-counter.js';
import { rateLimit } from './middleware/rate-limit.js';
import { requestBasics } from './middleware/request-basics.js';
import { Dispatcher, type DispatcherOptions } from './notifications/dispatcher.js';
import { hookSender, type Sender, webhookSender } from './notifications/senders.js';
import { Payments, type TrustedOrder } from './payments.js';
import { enabledProviders } from './providers/enabled.js';
import { ProviderError } from './providers/errors.js';
import { builtInProviders } from './providers/index.js';
import type { ProviderModule } from './providers/provider.js';
import { Reconciler } from './reconciler.js';
import { adminRoutes } from './routes/admin.js';
import { eventRoutes } from './routes/events.js';
import { miscRoutes } from './routes/misc.js';
import { openApiRoutes } from './routes/openapi.js';
import { qrRoutes } from './routes/qr.js';
import { returnRoutes } from './routes/return.js';
import { sessionRoutes } from './routes/sessions.js';
import { webhookRoutes } from './routes/webhooks.js';
import { type WidgetBundle, widgetRoutes } from './routes/widget.js';
import { DestinationName } from './store/outbox.js';
import { type Store, StoreBusyError, StoreUnavailableError } from './store/store.js';

export interface PasarelaOptions {
  /** Validated settings (`loadConfig(process.env)`); the library mirrors the environment. */
  config: Config;
  /** Where sessions live; the caller opens and owns it (`openStore(config.databaseUrl)` on Node). */
  store: Store;
  /** The merchant's own order lookup, for `{ provider, orderId }` requests. */
  resolveOrder?: (orderId: string) => Promise<TrustedOrder | undefined>;
  /**
   * Called for every stored status change (fulfilment), through the outbox: at least once per
   * change, after it is stored, with the session as it stood after the change; retried with the
   * notifications' backoff when it throws, also after a restart. It should return within the
   * attempt timeout (10 s) and be idempotent (key on the session id and status).
   */
  onStatusChange?: (session: PublicSession) => void | Promise<void>;
  /**
   * The dispatcher of merchant notifications (signed webhooks, `onStatusChange`, automatic
   * delivery): its retry schedule, attempt timeout, claim lease, poll interval and concurrency.
   * The defaults are the production ones (DESIGN.md, "Merchant notifications").
   */
  notifications?: Omit<DispatcherOptions, 'store' | 'log' | 'now' | 'senders'>;
  /**
   * The provider modules (the built-in ones by default; README, "Adding a provider"). Pass the
   * same list to `loadConfig`, which reads their variables: each module `config` has settings for
   * (or that has no configuration) is enabled.
   */
  providers?: readonly ProviderModule[];
  fetch?: typeof fetch;
  now?: () => number;
  newSessionId?: () => string;
  logger?: Logger;
  /** The socket address of a request, when not on @hono/node-server. */
  remoteAddress?: ClientIpResolver;
  /** The widget's script-tag bundle, served at `/pasarela.js`. */
  widget?: WidgetBundle;
  rateLimits?: {
    create?: { limit: number; windowMs: number };
    read?: { limit: number; windowMs: number };
    /** Hint-only webhooks and returns, per payment and per address (30 and 600 a minute). */
    hints?: { perSession: number; perAddress: number; windowMs: number };
  };
  /**
   * The background re-query of pending sessions: how often it looks for due sessions (5 s), how
   * many it queries at once (4), and each session's schedule: a first check 60 s after creation,
   * then doubling up to 10 min. `false` turns the loop off (checks are still scheduled).
   */
  reconciler?:
    | {
        intervalMs?: number;
        concurrency?: number;
        firstCheckDelayMs?: number;
        maxCheckDelayMs?: number;
        /** How long a claimed session is left to this instance (2 min). */
        leaseMs?: number;
      }
    | false;
  sseHeartbeatMs?: number;
  /**
   * A hint-only webhook or a buyer's return within this long of the session's last provider query
   * (5 s) shares that query's answer; one more query follows when the gap ends. A flood of
   * hints costs one query per session per gap.
   */
  hintGapMs?: number;
  /**
   * Public session JSON kept in memory for status reads (10,000; 0 turns it off). With a shared
   * database (PostgreSQL) it is kept current by the store's change notifications.
   */
  sessionCacheSize?: number;
}

export type PasarelaApp = Hono & {
  /** Stops the reconciler and ends live streams; the caller closes the store afterwards. */
  close(): Promise<void>;
  readonly payments: Payments;
  readonly reconciler: Reconciler | undefined;
  readonly dispatcher: Dispatcher;
};

/** The Pasarela backend as a Hono app: serve it alone or mount it in the merchant's app. */
export function createPasarela(options: PasarelaOptions): PasarelaApp {
  const { config, store } = options;
  const now = options.now ?? Date.now;
  const log = options.logger ?? createLogger();
  const hub = new SessionHub(options.sessionCacheSize);
  const shutdown = new AbortController();
  const providers = enabledProviders(options.providers ?? builtInProviders, config, {
    publicUrl: config.publicUrl,
    ...(options.fetch && { fetch: options.fetch }),
    now,
  });
  const autoDeliver = new Set(providers.filter((p) => p.autoDeliver).map((p) => p.info.id));
  const senders = new Map<string, Sender>();
  for (const url of config.webhooks?.urls ?? []) {
    senders.set(
      url,
      webhookSender({ url, secrets: [config.webhooks!.secret], fetch: options.fetch ?? fetch, now }),
    );
  }
  if (options.onStatusChange) senders.set(DestinationName.hook, hookSender(options.onStatusChange));
  // The delivery job asks Payments, which exists below; senders run only once the app is built.
  let payments: Payments | undefined;
  if (autoDeliver.size) {
    senders.set(DestinationName.deliver, async (delivery, signal) => {
      const { done, note } = await payments!.confirmDelivery(delivery.sessionId, signal);
      return { ok: done, httpStatus: null, error: done ? null : note, response: note };
    });
  }
  const destinations = [...senders.keys()].filter((name) => name !== DestinationName.deliver);
  const dispatcher = new Dispatcher({ ...options.notifications, store, log, now, senders });
  payments = new Payments({
    store,
    providers: new Map(providers.map((p) => [p.info.id, p])),
    hub,
    log,
    now,
    newSessionId: options.newSessionId ?? newSessionId,
    announce: (session) => [
      ...destinations.map((name) => ({ name })),
      ...(autoDeliver.has(session.provider)
        ? [{ name: DestinationName.deliver, statuses: ['paid' as const] }]
        : []),
    ],
    announced: () => dispatcher.wake(),
    shutdown: shutdown.signal,
    ...(options.hintGapMs !== undefined && { hintGapMs: options.hintGapMs }),
    ...(options.reconciler && {
      firstCheckDelayMs: options.reconciler.firstCheckDelayMs,
      maxCheckDelayMs: options.reconciler.maxCheckDelayMs,
    }),
  });
  const clientIp = clientIpResolver({
    trustProxy: config.trustProxy,
    ...(options.remoteAddress && { remoteAddress: options.remoteAddress }),
  });
  const ctx: AppContext = {
    config,
    store,
    payments,
    hub,
    log,
    now,
    clientIp,
    resolveOrder: options.resolveOrder,
    shutdown: shutdown.signal,
    sseHeartbeatMs: options.sseHeartbeatMs ?? 15_000,
    notifications: { destinations, dispatcher },
  };

  const app = new Hono();
  app.use('*', requestBasics(log, newSessionId().slice(3, 11)));
  // Pages, scripts and redirects get Hono's full secure-headers set; API answers their own
  // (middleware/api-headers.ts), which the hot handlers send on the adapter's fast path.
  const documentHeaders = secureHeaders({ crossOriginResourcePolicy: 'cross-origin' });
  const corsForOrigins = cors({
    origin: (origin) => (config.allowedOrigins.includes(origin) ? origin : null),
    allowHeaders: ['Content-Type', 'Idempotency-Key', 'Authorization'],
    allowMethods: ['GET', 'POST', 'OPTIONS'],
    maxAge: 600,
  });
  // Matched by route, not by `c.req.path`, so that it holds when the app is mounted under a prefix
  // (`shop.route('/pay', pasarela)`: the path is then `/pay/api/…`).
  app.use('/api/*', apiHeadersMiddleware(corsForOrigins));
  app.use('*', (c, next) => {
    if (isApiRequest(c)) return next();
    c.header('X-Request-Id', c.get('requestId'));
    return documentHeaders(c, next);
  });
  // Only requests that carry a body: on a GET, body-limit still wraps the (empty) request stream,
  // which halved status-read throughput in bench/status.
  app.on(
    ['POST', 'PUT', 'PATCH'],
    '*',
    bodyLimit({
      maxSize: 64 * 1024,
      onError: (c) => {
        // Answered before the body was read to its end: what is left of it would be taken for
        // the next request on this connection, so the connection ends with this answer (a client
        // that reuses it would otherwise lose its next request to a reset).
        c.header('Connection', 'close');
        throw new PasarelaError(413, 'payload_too_large', 'The request body is larger than 64 KB.');
      },
    }),
  );
  const limits = options.rateLimits ?? {};
  // Instances sharing a database share their counts through it; one process counts in memory,
  // each limit on its own (up to 100,000 addresses each).
  const counter = store.addRateHits
    ? sharedCounter({ store: { addRateHits: store.addRateHits.bind(store) }, log, now })
    : undefined;
  const create = limits.create ?? { limit: config.limits.createPerMinute, windowMs: 60_000 };
  const read = limits.read ?? { limit: config.limits.readPerMinute, windowMs: 60_000 };
  // A limit of 0 is off (PASARELA_RATE_LIMIT_CREATE=0).
  if (create.limit > 0) {
    app.post('/api/sessions', rateLimit({ name: 'session creation', clientIp, now, counter, ...create }));
  }
  if (read.limit > 0)
    app.get('/api/sessions/*', rateLimit({ name: 'status', clientIp, now, counter, ...read }));
  // Provider hints cost a provider query each: limited per session (or payment token) and per
  // address. A provider posts from a few addresses for every session, so that limit is high; a
  // real retry of one notification stays far below the per-payment one.
  const hintLimits = limits.hints ?? { perSession: 30, perAddress: 600, windowMs: 60_000 };
  const hintLimit = (
    name: string,
    /** The payment a request is about; without one (the body names it), per address only. */
    key: ((c: import('hono').Context) => string | undefined) | undefined,
  ): MiddlewareHandler[] => [
    rateLimit({ name, clientIp, now, counter, limit: hintLimits.perAddress, windowMs: hintLimits.windowMs }),
    ...(key
      ? [
          rateLimit({
            name,
            clientIp,
            now,
            counter,
            key,
            per: 'for this payment',
            limit: hintLimits.perSession,
            windowMs: hintLimits.windowMs,
          }),
        ]
      : []),
  ];
  // A notification that only hints (the provider is asked each time) is limited like a return,
  // per payment by its path parameters (the payment's token) where its paths have any.
  for (const provider of providers) {
    const webhook = provider.webhook;
    if (!webhook?.hintOnly) continue;
    const perPayment = webhook.paths.some((path) => path.includes('/:'));
    const paths = webhook.paths.map((path) => `/webhooks/${provider.info.id}${path}`);
    const key = perPayment
      ? (c: import('hono').Context) => Object.values(c.req.param()).join('/')
      : undefined;
    for (const limit of hintLimit(`${provider.info.name} notification`, key)) app.on('POST', paths, limit);
  }
  for (const limit of hintLimit('return', (c) => c.req.param('id'))) app.get('/return/:id', limit);

  app.route('/', miscRoutes(ctx));
  app.route('/', openApiRoutes(ctx));
  app.route('/api/sessions', sessionRoutes(ctx));
  app.route('/api/sessions', eventRoutes(ctx));
  app.route('/api/sessions', qrRoutes(ctx));
  app.route('/api/admin', adminRoutes(ctx));
  app.route('/webhooks', webhookRoutes(ctx, options.providers ?? builtInProviders));
  app.route('/return', returnRoutes(ctx));
  app.route('/', widgetRoutes(options.widget));

  app.notFound((c) => c.json(errorBody('not_found', `No route ${c.req.method} ${c.req.path}.`), 404));
  app.onError((error, c) => {
    if (error instanceof PasarelaError)
      return c.json(errorBody(error.code, error.message), error.status as 400);
    if (error instanceof ProviderError) {
      // The buyer gets something to act on; the provider's own words go to the log.
      const call = c.get('providerCall') as ProviderCall | undefined;
      log.warn('provider call failed', {
        provider: call?.providerName,
        kind: error.kind,
        error: error.message,
      });
      const answer = providerErrorAnswer(error, call);
      return c.json(errorBody(answer.code, answer.message), answer.status as 400);
    }
    if (error instanceof HTTPException) {
      // A malformed Authorization header on the admin API is as unauthorized as a missing one.
      const status = error.status === 400 && c.req.path.includes('/api/admin') ? 401 : error.status;
      const code = status === 401 ? 'unauthorized' : status === 413 ? 'payload_too_large' : 'bad_request';
      const message = status === 401 ? 'Send Authorization: Bearer <PASARELA_ADMIN_TOKEN>.' : error.message;
      // Keep the headers Hono prepared (WWW-Authenticate on 401).
      const response = c.json(errorBody(code, message || 'Bad request.'), status);
      error.getResponse().headers.forEach((value, name) => {
        if (name !== 'content-type' && name !== 'content-length') response.headers.set(name, value);
      });
      return response;
    }
    if (error instanceof StoreUnavailableError) {
      log.error('store unavailable', { path: c.req.path, error: error.message });
      c.header('Retry-After', '2');
      return c.json(
        errorBody(
          'store_unavailable',
          'The payment server cannot reach its database; nothing was changed. Please try again in a moment.',
        ),
        503,
      );
    }
    if (error instanceof StoreBusyError) {
      log.warn('store busy', { path: c.req.path, error: error.message });
      c.header('Retry-After', '1');
      return c.json(
        errorBody(
          'store_busy',
          'The payment server is busy; nothing was changed. Please try again in a moment.',
        ),
        503,
      );
    }
    log.error('unhandled error', {
      path: c.req.path,
      error: error instanceof Error ? (error.stack ?? error.message) : String(error),
    });
    return c.json(
      errorBody('internal_error', 'Something went wrong on the payment server; please try again.'),
      500,
    );
  });

  const reconciler =
    options.reconciler === false
      ? undefined
      : new Reconciler({
          store,
          payments,
          log,
          now,
          ...(options.reconciler?.intervalMs !== undefined && { intervalMs: options.reconciler.intervalMs }),
          ...(options.reconciler?.leaseMs !== undefined && { leaseMs: options.reconciler.leaseMs }),
          ...(options.reconciler?.concurrency !== undefined && {
            concurrency: options.reconciler.concurrency,
          }),
        });
  reconciler?.start();
  dispatcher.start();
  const stopFollowing = followStoreChanges({ store, hub, log });

  return Object.assign(app, {
    payments,
    reconciler,
    dispatcher,
    close: async () => {
      shutdown.abort();
      stopFollowing();
      counter?.stop();
      payments.stop();
      await reconciler?.stop();
      // Attempts in flight finish (or are cut short and due again at once) before the store closes.
      await dispatcher.stop();
    },
  });
}

/** `ps_` + 22 base62 characters from a CSPRNG: about 131 bits. */
export function newSessionId(): string {
  return randomId('ps_');
}
