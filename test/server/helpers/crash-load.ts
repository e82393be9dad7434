// The crash battery's pieces (test/server/crash-cycles.test.ts): a seeded random, the plans of
// provider notifications per session, a gate that holds requests while no server listens, the
// check that every stored notification reached the merchant, and the summary line.
import { expect } from 'vitest';
import { verifyWebhook } from '../../../server/index.js';
import type { ScriptedReceiver } from './scripted-receiver.js';

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

export interface Counts {
  cycles: number;
  created: number;
  acknowledged: number;
  transitions: number;
  received: number;
  duplicates: number;
  inFlightAtKills: number;
  serverErrors: number;
  unacknowledgedStored: number;
  hintsStoredLater: number;
  hintsAnsweredEarly: number;
}

/** Waits (60 s at most) until every stored notification event arrived, signed, at least once. */
export async function expectEveryDelivered(
  receiver: ScriptedReceiver,
  notifications: ReadonlyMap<string, { type: string; sessionId: string }>,
  webhookSecret: string,
): Promise<void> {
  const verified = new Set<string>();
  const deadline = Date.now() + 60_000;
  let checked = 0;
  while ([...notifications.keys()].some((id) => !verified.has(id))) {
    if (Date.now() > deadline) {
      const missing = [...notifications.keys()].filter((id) => !verified.has(id));
      throw new Error(
        `${missing.length} notifications never delivered, e.g. ${missing.slice(0, 3).join(', ')}`,
      );
    }
    await receiver.waitFor(checked + 1, Math.max(1, deadline - Date.now())).catch(() => undefined);
    for (; checked < receiver.requests.length; checked++) {
      const request = receiver.requests[checked]!;
      const { payload } = await verifyWebhook<{ type: string; data: { id: string } }>(
        request.body,
        request.headers,
        webhookSecret,
      );
      const id = request.headers['webhook-id']!;
      const event = notifications.get(id);
      expect(event, `a delivered notification (${id}) was stored`).toBeDefined();
      expect(payload.type).toBe(event!.type);
      expect(payload.data.id).toBe(event!.sessionId);
      verified.add(id);
    }
  }
}

/** One line per store, the figures SECURITY.md quotes. */
export function summary(label: string, seed: number, counts: Counts, ms: number): string {
  return (
    `crash cycles ${label} (seed ${seed}): ${counts.cycles} cycles, ${counts.created} sessions created, ` +
    `${counts.acknowledged} webhooks acknowledged, ${counts.transitions} transitions, ` +
    `${counts.received} notifications received, ${counts.duplicates} duplicates delivered ` +
    `(${counts.unacknowledgedStored} stored without their 201, ${counts.serverErrors} 5xx answers, ` +
    `${counts.hintsAnsweredEarly} Tpaga hints answered before their status was stored, ` +
    `${counts.hintsStoredLater} still unstored at the end of the run, ` +
    `${counts.inFlightAtKills} requests in flight at the kills; ${(ms / 1000).toFixed(1)} s)`
  );
}
