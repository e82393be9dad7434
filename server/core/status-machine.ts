import { assertNever, Status } from './session.js';

/**
 * The forward-only status machine (DESIGN.md, "Session status model").
 * Returns the status a session moves to when a verified source reports `observed`,
 * or `undefined` when the observation changes nothing.
 */
export function nextStatus(current: Status, observed: Status): Status | undefined {
  if (current === observed) return undefined;
  switch (observed) {
    case Status.pending:
      // Nothing ever moves a session back to pending.
      return undefined;
    case Status.paid:
      // Money wins: a verified payment after failed/expired/cancelled is still applied.
      return current === Status.delivered || current === Status.refunded ? undefined : Status.paid;
    case Status.delivered:
      return current === Status.refunded ? undefined : Status.delivered;
    case Status.failed:
    case Status.expired:
    case Status.cancelled:
      return current === Status.pending ? observed : undefined;
    case Status.refunded:
      // A refund needs money first; a `reverted` seen while pending is applied as paid then refunded
      // by the provider mapping, never as a jump from pending.
      return current === Status.paid || current === Status.delivered ? Status.refunded : undefined;
    default:
      return assertNever(observed);
  }
}

/** Applies a sequence of observations (e.g. a reversal seen while pending → paid, refunded). */
export function foldStatuses(current: Status, observed: readonly Status[]): Status[] {
  const steps: Status[] = [];
  let status = current;
  for (const next of observed) {
    const moved = nextStatus(status, next);
    if (moved) {
      steps.push(moved);
      status = moved;
    }
  }
  return steps;
}
