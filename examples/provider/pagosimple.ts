/**
 * Pago Simple: a complete example of a provider module a merchant adds to Pasarela (README,
 * "Adding a provider"). It imports only `pasarela/server` (here `../../server/index.js`).
 *
 * What a provider author writes, in the order of this file:
 * 1. `info` (id, name, currency, country, flow, a mark for the picker) and `capabilities`.
 * 2. `configuration`: the environment variables with their zod schemas, the two credentials that
 *    switch the provider on, what the sandbox accepts in their place, `settings()` and the
 *    secret-free `describe()` for the start-up line.
 * 3. `create(settings, context)`: the client. `create` and `query` call the provider through
 *    `createProviderHttp` (timeouts, retries, the caller's abort) and verify each answer is about
 *    this session; a 4xx is a `ProviderRejectedError`; operations it lacks throw
 *    `OperationNotSupportedError`; its `webhook` verifies the signature before reading anything;
 *    `readReturn` says what the buyer's return means.
 * 4. Passing the module to both `loadConfig(env, { providers })` and `createPasarela({ providers })`
 *    (and its sandbox, `sandbox.ts`, to `createSandboxes({ extra })`).
 */
import { z } from 'zod';
import {
  baseUrl,
  type CreateContext,
  createProviderHttp,
  credential,
  defineProvider,
  OperationNotSupportedError,
  PasarelaError,
  type PaymentProvider,
  type PaymentSession,
  type ProviderAnswer,
  ProviderError,
  ProviderErrorKind,
  type ProviderInfo,
  type ProviderModule,
  type ProviderObservation,
  ProviderRejectedError,
  ProviderUnavailableError,
  type Status,
  svgMark,
} from '../../server/index.js';
import { signatureHeader, verifyBody } from './signature.js';

/** What `configuration.settings` builds from the environment, and `create` is given. */
export interface PagoSimpleSettings {
  /** `PAGOSIMPLE_API_KEY`, sent as `Authorization: Bearer <key>`. */
  apiKey: string;
  /** `PAGOSIMPLE_SECRET`: the key Pago Simple signs its notifications with. */
  secret: string;
  /** `PAGOSIMPLE_API_URL`, no trailing slash. */
  apiUrl: string;
  /** Per API call (10 s); tests shorten it. */
  timeoutMs?: number;
  /** First retry backoff step (200 ms). */
  backoffMs?: number;
}

/** Pago Simple's own host, when `PAGOSIMPLE_API_URL` is unset outside sandbox mode. */
export const pagoSimpleApiUrl = 'https://api.pagosimple.example/v1';

/** What the example sandbox accepts by default, and what sandbox mode configures. */
export const pagoSimpleSandboxCredentials = {
  apiKey: 'pagosimple-sandbox-key',
  secret: 'pagosimple-sandbox-signing-secret',
} as const;

/** Pago Simple's payment `status` words: a closed set, each mapped below. */
export const PagoSimpleStatus = {
  pending: 'pending',
  paid: 'paid',
  failed: 'failed',
  expired: 'expired',
} as const;
export type PagoSimpleStatus = (typeof PagoSimpleStatus)[keyof typeof PagoSimpleStatus];

const info: ProviderInfo = {
  id: 'pagosimple',
  name: 'Pago Simple',
  currency: 'CLP',
  country: 'CL',
  flow: 'redirect',
  // A white check mark on teal; any https or `data:image/` URL would do.
  mark: svgMark('#00796b', 'M8 16.5l2.1-2.1 3.9 3.9 8-8 2.1 2.1L14 22.5z'),
};

const capabilities = { deliver: false, refund: false, cancel: false } as const;

const payment = z.object({
  id: z.string().min(16),
  reference: z.string(),
  amount: z.number().int(),
  currency: z.string(),
  status: z.enum(PagoSimpleStatus),
});
const created = z.object({
  id: z.string().min(16),
  status: z.enum(PagoSimpleStatus),
  pay_url: z.url({ protocol: /^https?$/ }),
  expires_at: z.iso.datetime({ offset: true }),
});
const refusal = z.object({ error: z.object({ code: z.string(), message: z.string().optional() }) });

/** Pago Simple's word → the Pasarela statuses to apply; `pending` changes nothing. */
export function mapPagoSimpleStatus(status: PagoSimpleStatus): Status[] {
  switch (status) {
    case PagoSimpleStatus.pending:
      return [];
    case PagoSimpleStatus.paid:
      return ['paid'];
    case PagoSimpleStatus.failed:
      return ['failed'];
    case PagoSimpleStatus.expired:
      return ['expired'];
    default:
      return assertNever(status);
  }
}

/** The client `create` builds: `PaymentProvider`, nothing more. */
export function createPagoSimpleProvider(
  settings: PagoSimpleSettings,
  context: { publicUrl: string; fetch?: typeof fetch },
): PaymentProvider {
  const send = createProviderHttp({
    ...(context.fetch && { fetch: context.fetch }),
    ...(settings.timeoutMs !== undefined && { timeoutMs: settings.timeoutMs }),
    ...(settings.backoffMs !== undefined && { backoffMs: settings.backoffMs }),
  });
  const api = settings.apiUrl.replace(/\/+$/, '');
  const publicUrl = context.publicUrl.replace(/\/+$/, '');
  const headers = {
    Authorization: `Bearer ${settings.apiKey}`,
    'Content-Type': 'application/json',
    Accept: 'application/json',
  };

  /** A 4xx as a refusal (nothing happened); anything else unexpected leaves the outcome unknown. */
  function failure(operation: string, status: number, body: unknown): ProviderError {
    if (status === 401) {
      return new ProviderRejectedError(
        `Pago Simple refused the API key for ${operation} (401): check PAGOSIMPLE_API_KEY for this PAGOSIMPLE_API_URL`,
        401,
      );
    }
    if (status >= 400 && status < 500) {
      const said = refusal.safeParse(body).data?.error;
      const message = said?.message ? `: ${said.message.slice(0, 160)}` : '';
      return new ProviderRejectedError(
        `Pago Simple refused ${operation} (${status})${message}`,
        status,
        said?.code,
      );
    }
    return new ProviderUnavailableError(
      `Pago Simple answered ${operation} with an unexpected ${status}`,
      status,
    );
  }

  /** An answer without the documented fields says nothing certain: treated as no answer. */
  function parse<T>(operation: string, schema: z.ZodType<T>, body: unknown): T {
    const parsed = schema.safeParse(body);
    if (!parsed.success)
      throw new ProviderUnavailableError(`Pago Simple answered ${operation} without a payment`);
    return parsed.data;
  }

  return {
    info,
    capabilities,

    async create(session: PaymentSession, { signal }: CreateContext): Promise<ProviderAnswer> {
      const operation = 'POST /payments';
      const response = await send({
        method: 'POST',
        url: `${api}/payments`,
        headers,
        body: JSON.stringify({
          reference: session.id,
          amount: session.amount,
          currency: session.currency,
          return_url: `${publicUrl}/return/${encodeURIComponent(session.id)}`,
          notify_url: `${publicUrl}/webhooks/${info.id}`,
        }),
        // Pago Simple answers a repeated reference with the payment it already made, so a retry
        // after a lost answer cannot make a second payment.
        idempotent: true,
        ...(signal && { signal }),
      });
      if (response.status !== 200 && response.status !== 201) {
        throw failure(operation, response.status, response.json);
      }
      const answer = parse(operation, created, response.json);
      return {
        providerRef: answer.id,
        providerSecret: null,
        action: { type: 'redirect', url: answer.pay_url },
        expiresAt: new Date(answer.expires_at).toISOString(),
        providerStatus: answer.status,
      };
    },

    async query(session: PaymentSession, signal?: AbortSignal): Promise<ProviderObservation> {
      const id = session.providerRef;
      if (!id) throw new Error(`session ${session.id} has no Pago Simple payment`);
      const operation = 'GET /payments/:id';
      const response = await send({
        method: 'GET',
        url: `${api}/payments/${encodeURIComponent(id)}`,
        headers,
        idempotent: true,
        ...(signal && { signal }),
      });
      if (response.status !== 200) throw failure(operation, response.status, response.json);
      const answer = parse(operation, payment, response.json);
      // The status counts only for the payment this session made: same id, reference and money.
      if (
        answer.id !== id ||
        answer.reference !== session.id ||
        answer.amount !== session.amount ||
        answer.currency !== session.currency
      ) {
        throw new ProviderError(
          ProviderErrorKind.answerMismatch,
          `Pago Simple answered about another payment than session ${session.id}'s`,
        );
      }
      return {
        statuses: mapPagoSimpleStatus(answer.status),
        providerStatus: answer.status,
        dedupeKey: `${answer.id}:${answer.status}`,
      };
    },

    deliver: () =>
      Promise.reject(new OperationNotSupportedError('Pago Simple has no delivery confirmation.')),
    refund: () => Promise.reject(new OperationNotSupportedError('Pago Simple has no refund call.')),
    cancel: () => Promise.reject(new OperationNotSupportedError('Pago Simple has no cancel call.')),

    webhook: {
      paths: [''],
      // The notification names a payment and nothing more: Pasarela asks the API before storing.
      hintOnly: true,
      async handle(request) {
        // The HMAC covers the exact text sent; `json()` parses the same text once it holds.
        const raw = await request.text();
        if (!(await verifyBody(settings.secret, raw, request.raw.headers.get(signatureHeader)))) {
          throw new PasarelaError(
            401,
            'invalid_signature',
            `The ${signatureHeader} header is missing or is not this body's HMAC-SHA256 with PAGOSIMPLE_SECRET.`,
          );
        }
        const body = await request.json();
        const id = (body as { id?: unknown } | null)?.id;
        if (typeof id !== 'string' || id === '') {
          throw new PasarelaError(
            400,
            'invalid_notification',
            'Expected {"id": "<Pago Simple payment id>"}.',
          );
        }
        const session = await request.findSession(id);
        if (!session)
          throw new PasarelaError(404, 'session_not_found', 'No payment session has this payment.');
        return { session, query: true };
      },
    },

    // The buyer is back: a good moment to ask, never proof by itself (the query carries nothing signed).
    readReturn: async () => ({ query: true }),
  };
}

/** The module: what `loadConfig` and `createPasarela` are given. */
export const pagosimple: ProviderModule = defineProvider<PagoSimpleSettings, string>({
  info,
  capabilities,
  configuration: {
    variables: {
      PAGOSIMPLE_API_KEY: credential,
      PAGOSIMPLE_SECRET: credential,
      PAGOSIMPLE_API_URL: baseUrl(pagoSimpleApiUrl),
    },
    credentials: ['PAGOSIMPLE_API_KEY', 'PAGOSIMPLE_SECRET'],
    sandboxCredentials: [pagoSimpleSandboxCredentials.apiKey, pagoSimpleSandboxCredentials.secret],
    settings: (values, { sandbox, sandboxUrl }) => ({
      apiKey: values.PAGOSIMPLE_API_KEY as string,
      secret: values.PAGOSIMPLE_SECRET as string,
      apiUrl:
        (values.PAGOSIMPLE_API_URL as string | undefined) ??
        (sandbox ? `${sandboxUrl}/api` : pagoSimpleApiUrl),
    }),
    describe: (settings) => ({ apiUrl: settings.apiUrl }),
  },
  create: (settings, context) => createPagoSimpleProvider(settings, context),
});

function assertNever(value: never): never {
  throw new Error(`unexpected Pago Simple status: ${String(value)}`);
}
