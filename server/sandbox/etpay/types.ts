import type { Sandbox, SandboxSessionSummary } from '../shared/types.js';

/** What `attempt()` produced: the attempt as ETpay lists it, and the JWT it was notified with. */
export interface EtpayAttemptResult {
  paymentToken: string;
  paymentStatus: string;
  jwt: string;
}

/** The ETpay sandbox: its Hono app plus in-process controls for tests. */
export interface EtpaySandbox extends Sandbox {
  /**
   * Adds a payment attempt to any session, even a decided or expired one, and notifies the
   * merchant (a late success, a retried attempt). Resolves per the session's webhook behaviour.
   * Throws for an unknown token.
   */
  attempt(token: string, status: string): Promise<EtpayAttemptResult>;
  /** The session's lifetime ends now (nothing is sent). Throws for an unknown token. */
  expire(token: string): void;
  /** Releases the notifications `reorder` holds, newest first. */
  flush(): Promise<void>;
  /** One session's summary, or `undefined`. */
  getSession(token: string): SandboxSessionSummary | undefined;
}
