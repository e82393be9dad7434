import type { Session } from './types.js';

/** What an error screen's retry button does again. */
export const Retry = { config: 'config', pay: 'pay', resume: 'resume' } as const;
export type Retry = (typeof Retry)[keyof typeof Retry];

/** The screen the element shows: one variant per step of the checkout. */
export type Screen =
  /** Fetching the server's configuration. */
  | { type: 'loading' }
  /** Choosing a provider; `busy` while the session is being created. */
  | { type: 'picker'; busy: boolean }
  /** Leaving for the provider's page (the `redirect` flow). */
  | { type: 'redirect'; session: Session }
  /** A wallet payment in progress: a QR code on a desktop, the app on a phone. */
  | { type: 'wallet'; session: Session; phone: boolean }
  /** Back from the provider: waiting for the server to know the outcome. */
  | { type: 'confirming'; session: Session | undefined }
  /** The session's status is final. */
  | { type: 'final'; session: Session }
  /** The server refused a new session: the order has a paid one already. */
  | { type: 'orderPaid' }
  | { type: 'error'; code: string; message: string; retry: Retry };
