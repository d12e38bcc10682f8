/**
 * The shared budget's ledger, as plain data and pure functions (the Table I/O is in tableLedger.ts).
 *
 * The ledger is one row per app per tenant. It holds the send times of the latest `requests` grants (reserved
 * times, some of them in the future), a pause and a pause counter. A grant is a *reservation*: the instance that
 * writes it sends at that time, so instances queue behind one another in the row instead of polling for a free slot.
 * Every grant is at least one window after the grant `requests` places before it, which is exactly "never more than
 * `requests` grants in any window", however many instances wrote them.
 */

export interface LedgerState {
  /** Reserved send times (epoch ms), ascending, the latest `requests` of them at most. */
  grants: number[];
  /** No request may be sent before this (epoch ms): Graph's latest `Retry-After`, as seen by any instance. */
  pausedUntil: number;
  /** Counts pauses. A holder whose grant was reserved under an older count re-reserves (a pause drops future grants). */
  pauseCount: number;
}

export const EMPTY_LEDGER: LedgerState = { grants: [], pausedUntil: 0, pauseCount: 0 };

export interface BudgetLimits {
  requests: number;
  /** Graph's window plus the arrival margin. */
  windowMs: number;
}

/**
 * Grants and pauses further ahead than this are not trusted: only a host with a clock far ahead could have written
 * them. 15 minutes is far beyond any real queue (160 waiting jobs at 5 per 10.5 s wait under 6 minutes) and any
 * `Retry-After` Graph sends (seconds).
 */
export const MAX_AHEAD_MS = 15 * 60_000;

/** Drops what only a wrong clock could have written, so one bad host cannot stall every instance for long. */
export function sanitize(state: LedgerState, now: number): LedgerState {
  const horizon = now + MAX_AHEAD_MS;
  return {
    grants: state.grants.filter((t) => Number.isFinite(t) && t <= horizon).sort((a, b) => a - b),
    pausedUntil: Math.min(Number.isFinite(state.pausedUntil) ? state.pausedUntil : 0, horizon),
    pauseCount: Number.isInteger(state.pauseCount) ? state.pauseCount : 0,
  };
}

/**
 * The earliest time at which one more request may be sent, and the ledger with that grant recorded. `heldUntil` is
 * the caller's own pause (it may not have reached the ledger yet).
 */
export function reserveGrant(state: LedgerState, now: number, limits: BudgetLimits, heldUntil = 0): { at: number; next: LedgerState } {
  const clean = sanitize(state, now);
  const { grants } = clean;
  let at = Math.max(now, clean.pausedUntil, heldUntil);
  if (grants.length >= limits.requests) at = Math.max(at, grants[grants.length - limits.requests] + limits.windowMs);
  // Grants stay ascending even when another host's clock runs a little ahead of this one.
  if (grants.length > 0) at = Math.max(at, grants[grants.length - 1]);
  const kept = grants.length >= limits.requests ? grants.slice(grants.length - limits.requests + 1) : grants;
  return { at, next: { ...clean, grants: [...kept, at] } };
}

/**
 * Records a pause until `until`. Grants due later than `committedUntil` are dropped: their holders find the new pause
 * count when they check the ledger shortly before sending, and reserve again behind the pause. Grants due earlier
 * stay, because their holders may have checked already and those requests will reach Graph, which counts them.
 */
export function applyPause(state: LedgerState, until: number, now: number, committedUntil = now): LedgerState {
  const clean = sanitize(state, now);
  return {
    grants: clean.grants.filter((t) => t <= committedUntil),
    pausedUntil: Math.max(clean.pausedUntil, Math.min(until, now + MAX_AHEAD_MS)),
    pauseCount: clean.pauseCount + 1,
  };
}
