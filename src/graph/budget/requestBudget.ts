/**
 * The Graph request budget as the Graph client sees it: wait for permission to send one request, and pause every
 * caller after Graph answers `Retry-After`. Two implementations:
 * - `TokenBucketRateLimiter` (../rateLimiter.ts): one process; the command-line export and tests, no storage needed;
 * - `SharedRequestBudget` (sharedRequestBudget.ts): every instance of the function app, through a ledger row in
 *   Table storage, because Graph counts 5 requests per 10 s per app per tenant whatever the number of callers.
 */
/** Counters every budget keeps (the shared one adds its storage transactions). */
export interface BudgetStats {
  granted: number;
  /** Total time callers waited for their grants. */
  waitedMs: number;
}

export interface RequestBudget {
  readonly stats: BudgetStats;
  /** Resolves when the caller may send one request now. Rejects (giving up its place) when `signal` aborts. */
  acquire(signal?: AbortSignal): Promise<void>;
  /** Holds every caller for `ms` from now (Graph's `Retry-After`); a shorter pause never shortens a longer one. */
  pauseFor(ms: number): void;
}

/**
 * The budget counts when a request is allowed to leave; Graph counts when it arrives. A request that leaves late
 * (network jitter, an event loop busy encoding another job's page) lets the next window's first request land inside
 * Graph's window, and Graph answers 429. Lengthening the window by 5% removed every such 429 in the benchmark and
 * raised the pipe fill from 0.72 to 0.80 of the ceiling (docs/performance.md). Across instances the margin also
 * absorbs clock differences between hosts (well under its 0.5 s on Azure's time-synchronised hosts).
 */
export const ARRIVAL_MARGIN = 0.05;

/** The budget's window: Graph's window plus the arrival margin. */
export function budgetWindowMs(windowSeconds: number): number {
  return windowSeconds * 1000 * (1 + ARRIVAL_MARGIN);
}
