// The crash battery's pieces (test/server/crash-cycles.test.ts): a seeded random, the plans of
// provider notifications per session, and a gate that holds requests while no server listens.

/** mulberry32: small, seeded, good enough to replay a schedule. */
export function random(from: number): () => number {
  let state = from >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export type Provider = 'etpay' | 'tpaga';

/** One thing the provider tells the server, and the status the server should store for it. */
export interface Step {
  word: string;
  status: string;
  /** The provider has decided (the attempt or the payment exists there); only the webhook remains. */
  made: boolean;
  jwt?: string;
  /** For a failure message: when it was answered 2xx, and the status read right after. */
  acknowledgedAt?: string;
  readAfter?: string;
}

/** A session whose 201 arrived. */
export interface Tracked {
  id: string;
  provider: Provider;
  token?: string;
  steps: Step[];
  /** Index of the next step to notify. */
  next: number;
  busy: boolean;
}

export const plans: Record<Provider, [string, string][][]> = {
  etpay: [
    [['success', 'paid']],
    [['error', 'failed']],
    // Money wins: a success after a failure is still applied.
    [
      ['error', 'failed'],
      ['success', 'paid'],
    ],
  ],
  tpaga: [[['pay', 'paid']], [['fail', 'failed']]],
};

/** Opens for requests while a server is listening; requests wait for it otherwise. */
export function gate() {
  let open: (() => void) | undefined;
  let opened: Promise<void> = new Promise((resolve) => {
    open = resolve;
  });
  let url: string | undefined;
  return {
    get url() {
      return url;
    },
    wait: () => opened,
    /** Without a URL: requests waiting are let go, and find no server. */
    open(next?: string) {
      url = next;
      open?.();
      open = undefined;
    },
    close() {
      url = undefined;
      opened = new Promise((resolve) => {
        open = resolve;
      });
    },
  };
}
