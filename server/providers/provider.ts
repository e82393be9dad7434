import type { z } from 'zod';
import type { Currency, PaymentSession, ProviderId, Status } from '../core/session.js';
import type { ProviderAttachment } from '../store/store.js';
import { ProviderError, ProviderErrorKind } from './errors.js';

/** What a provider answers to a creation: the attachment, before Pasarela dates and schedules it. */
export type ProviderAnswer = Omit<ProviderAttachment, 'updatedAt' | 'nextCheckAt'>;

/** What `GET /api/config` says about a provider. */
export interface ProviderInfo {
  id: ProviderId;
  name: string;
  currency: Currency;
  /** ISO 3166-1 alpha-2 (`CL`, `CO`). */
  country: string;
  flow: 'redirect' | 'wallet';
  /** The picker's mark: an https or `data:image/` URL (DESIGN.md, "Providers are modules"). */
  mark: string;
}

export interface CreateContext {
  /** The buyer's IP address (some providers require it). */
  clientIp: string;
  signal?: AbortSignal;
}

/** A verified provider answer, ready for `Store.applyObservation`. */
export interface ProviderObservation {
  /** Statuses to apply in order; empty when the answer changes nothing (pending, unknown word). */
  statuses: Status[];
  /** The provider's raw status word. */
  providerStatus: string | null;
  /** Identifies this observation for deduplication, or null when repeats are harmless. */
  dedupeKey: string | null;
  detail?: Record<string, string>;
}

/** Which operations after payment a provider has (the others throw `OperationNotSupportedError`). */
export interface ProviderCapabilities {
  /** Confirming delivery (a provider may refund a payment whose delivery is never confirmed). */
  deliver: boolean;
  refund: boolean;
  cancel: boolean;
}

/** One payment provider's client (one folder each: HTTP plumbing plus pure status mapping). */
export interface PaymentProvider {
  readonly info: ProviderInfo;
  readonly capabilities: ProviderCapabilities;
  /**
   * Creates the provider's session for a stored Pasarela session. Safe to call again for the same
   * session where the provider deduplicates (an idempotency token).
   */
  create(session: PaymentSession, context: CreateContext): Promise<ProviderAnswer>;
  /** Asks the provider for the current status (reconciliation; a webhook or return hint). */
  query(session: PaymentSession, signal?: AbortSignal): Promise<ProviderObservation>;
  /** Admin operations. Providers without them throw a 422 `operation_not_supported` PasarelaError. */
  deliver(session: PaymentSession, signal?: AbortSignal): Promise<ProviderObservation>;
  refund(session: PaymentSession, signal?: AbortSignal): Promise<ProviderObservation>;
  cancel(session: PaymentSession, signal?: AbortSignal): Promise<ProviderObservation>;
  /** Confirms delivery by itself once a payment is paid (a setting of its own). */
  readonly autoDeliver?: boolean;
  /** Its notifications, at `POST /webhooks/<id><path>`; none when the provider sends none. */
  readonly webhook?: WebhookHandler;
  /**
   * What the buyer's return to `/return/<session>` says, from its query: a verified observation, a
   * hint to ask the provider, or nothing. Never proof by itself unless verified here.
   */
  readReturn?(session: PaymentSession, query: URLSearchParams, lookup: SessionLookup): Promise<ReturnOutcome>;
}

/** Finds the session a provider reference (the provider's own session id) belongs to. */
export type SessionLookup = (providerRef: string) => Promise<PaymentSession | undefined>;

/** A provider notification as its handler sees it: the path's parameters and the body. */
export interface WebhookRequest {
  /** The route parameters of the matched path (`{ token }` for `/:token`). */
  params: Record<string, string>;
  /** The body as JSON (a 400 `invalid_json` when it is not). */
  json(): Promise<unknown>;
  /** The body's exact text, for a signature over it; `json()` may still be called after. */
  text(): Promise<string>;
  /** The request itself, for headers; its body is read through `json()` or `text()`. */
  raw: Request;
  findSession: SessionLookup;
}

/**
 * What a notification means. `observation`: verified here, applied as it stands. `query`: a
 * hint, answered only after the provider was asked and its verified answer stored.
 */
export type WebhookOutcome =
  | { session: PaymentSession; observation: ProviderObservation }
  | { session: PaymentSession; query: true };

export interface WebhookHandler {
  /** Paths under `/webhooks/<id>`: `''` for the base itself, `'/:token'` and the like. */
  readonly paths: readonly string[];
  /**
   * True when a notification proves nothing and costs a provider query: the route then limits it
   * per address and per payment (its path parameters), like a buyer's return.
   */
  readonly hintOnly: boolean;
  /** Verifies and reads a notification; throws a `PasarelaError` (4xx) or a `ProviderError`. */
  handle(request: WebhookRequest): Promise<WebhookOutcome>;
}

/** What a buyer's return says (see `PaymentProvider.readReturn`). */
export type ReturnOutcome =
  | { session: PaymentSession; observation: ProviderObservation }
  | { query: true }
  | undefined;

/** What a provider's configuration is given besides its own variables. */
export interface SettingsContext {
  /** PASARELA_SANDBOX: unset credentials take the built-in sandbox's. */
  sandbox: boolean;
  /** PUBLIC_URL, no trailing slash. */
  publicUrl: string;
  /** Where this provider's built-in sandbox is mounted (`<PUBLIC_URL>/sandbox/<id>`). */
  sandboxUrl: string;
}

/**
 * A provider's settings from the environment: the variables it reads (each with the zod schema
 * that validates it, from a trimmed string), the two that switch it on, what the built-in sandbox
 * accepts in their place, and what the start-up line shows.
 */
export interface ProviderConfiguration<Settings, Names extends string = string> {
  readonly variables: { readonly [N in Names]: z.ZodType<unknown, string> };
  /** Both set, or neither (then the provider is off, unless in sandbox mode). */
  readonly credentials: readonly [Names, Names];
  /** What the built-in sandbox accepts for the credentials. */
  readonly sandboxCredentials: readonly [string, string];
  settings(values: Readonly<Partial<Record<Names, unknown>>>, context: SettingsContext): Settings;
  /** Non-secret settings for the start-up log line (no credential, token or password). */
  describe(settings: Settings): Record<string, unknown>;
}

/** What a provider module's client is built with besides its settings. */
export interface ProviderContext {
  publicUrl: string;
  fetch?: typeof fetch;
  now?: () => number;
}

/**
 * A payment provider as one module (DESIGN.md, "Providers are modules"): identity, its
 * configuration and how to build its client. The registry (`providers/index.ts`) lists the
 * built-in ones; `createPasarela({ providers })` and `loadConfig(env, { providers })` take others.
 */
export interface ProviderModule<Settings = unknown> {
  readonly info: ProviderInfo;
  readonly capabilities: ProviderCapabilities;
  /** How it reads its environment variables; a module without one is always on. */
  readonly configuration?: ProviderConfiguration<Settings, string>;
  create(settings: Settings, context: ProviderContext): PaymentProvider;
}

/** Declares a module with its settings' type checked; the registry keeps it as `ProviderModule`. */
export function defineProvider<Settings, Names extends string>(
  module: Omit<ProviderModule<Settings>, 'configuration'> & {
    configuration?: ProviderConfiguration<Settings, Names>;
  },
): ProviderModule {
  return module as unknown as ProviderModule;
}

/** The provider answered with a definite refusal (4xx): nothing was created or changed. */
export class ProviderRejectedError extends ProviderError {
  override readonly name = 'ProviderRejectedError';
  /** The provider's 4xx status. */
  readonly status: number;
  /** The provider's own error word or code, for logs (never shown to a buyer). */
  readonly providerCode: string | undefined;
  constructor(message: string, status: number, providerCode?: string) {
    super(ProviderErrorKind.rejected, message);
    this.status = status;
    this.providerCode = providerCode;
  }
}

/** The provider has no such operation (`capabilities` says which it has). */
export class OperationNotSupportedError extends ProviderError {
  override readonly name = 'OperationNotSupportedError';
  constructor(message?: string) {
    super(ProviderErrorKind.notSupported, message);
  }
}
