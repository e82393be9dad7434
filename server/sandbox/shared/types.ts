import type { Hono } from 'hono';
import type { ApiFault } from './faults.js';
import type { WebhookBehaviour, WebhookDelivery, WebhookDispatcher } from './webhooks.js';

/** One provider session or payment request as the sandboxes' sessions page lists it. */
export interface SandboxSessionSummary {
  /** The provider's own reference for it (a session token, a payment request token). */
  token: string;
  orderId: string;
  amount: number;
  /** The provider's own status word (`created`, `paid`, `success`, `error`, `expired`, …). */
  status: string;
  createdAt: string;
  expiresAt: string;
  /** The buyer's page for this session (funnel or wallet), absolute. */
  buyerUrl: string;
  deliveries: WebhookDelivery[];
}

/** What both sandboxes expose besides their Hono app. */
export interface Sandbox {
  /** Mount with `app.route(prefix, sandbox.app)`, or serve alone. */
  readonly app: Hono;
  readonly webhooks: WebhookDispatcher;
  listSessions(): SandboxSessionSummary[];
  /** Default notification behaviour for sessions without their own. */
  setWebhookBehaviour(behaviour: WebhookBehaviour): void;
  setSessionWebhookBehaviour(token: string, behaviour: WebhookBehaviour): void;
  /** The next `count` API calls fail this way; `body` is what a `garbage` answer carries. */
  failApi(fault: ApiFault, count: number, body?: string): void;
  /** Forgets scripted behaviours (not sessions). */
  resetBehaviours(): void;
  /** Stops timers, ends hanging requests, waits for notifications in flight. */
  close(): Promise<void>;
  /** The sessions as plain JSON, to keep across a restart (not behaviours or the delivery log). */
  snapshot(): SandboxState;
  /** Takes back what `snapshot` gave (sessions of merchants this sandbox no longer has are left out). */
  restore(state: SandboxState): void;
}

/** A sandbox's sessions as JSON: each sandbox reads only its own shape back. */
export interface SandboxState {
  version: 1;
  sessions: unknown[];
  attempts?: unknown[];
}
