/**
 * The process-local Graph request budget. Entra's reporting APIs allow 5 requests per 10 seconds per app per tenant,
 * shared by directoryAudits, signIns and provisioning, so every job in the process draws from one limiter. The
 * function app, which runs on many instances, uses the shared budget instead (budget/sharedRequestBudget.ts); this
 * limiter serves one process that is alone in drawing on the budget (the command-line export, tests) and the
 * `GRAPH_BUDGET=process` setting.
 *
 * The bucket holds `requests` tokens; a token taken at time t comes back at t + `windowMs`. That is stricter than a
 * continuously refilling bucket (which would allow a 6th request 2 s after a burst of 5): it guarantees that no
 * window of `windowMs` ever sees more than `requests` grants, which is how Graph counts. Waiters are served strictly
 * in arrival order, and a `Retry-After` from Graph pauses every caller (Graph keeps counting usage while a client is
 * throttled, so one job retrying early would prolong the throttle for all of them).
 */
import type { AppConfig } from '../../config';
import { budgetWindowMs, type RequestBudget } from './requestBudget';
import { abortReason, realSleep, type Sleep } from '../sleep';

export { ARRIVAL_MARGIN } from './requestBudget';

export interface RateLimiterOptions {
  requests: number;
  windowMs: number;
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

interface Waiter {
  enqueuedAt: number;
  resolve: () => void;
  reject: (error: Error) => void;
  detach: () => void;
}

export class TokenBucketRateLimiter implements RequestBudget {
  readonly stats = { granted: 0, waitedMs: 0 };
  private readonly requests: number;
  private readonly windowMs: number;
  private readonly now: () => number;
  private readonly sleep: Sleep;
  /** Times of the grants still inside the window, oldest first; never longer than `requests`. */
  private readonly grants: number[] = [];
  private readonly queue: Waiter[] = [];
  private pausedUntil = 0;
  private serving = false;

  constructor(options: RateLimiterOptions) {
    if (!Number.isInteger(options.requests) || options.requests < 1) throw new RangeError('requests must be a positive integer');
    if (!(options.windowMs > 0)) throw new RangeError('windowMs must be positive');
    this.requests = options.requests;
    this.windowMs = options.windowMs;
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? realSleep;
  }

  /** Resolves when the caller may send one request. Rejects (and gives up its place) when `signal` aborts. */
  acquire(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        enqueuedAt: this.now(),
        resolve,
        reject,
        detach: () => signal?.removeEventListener('abort', onAbort),
      };
      const onAbort = (): void => {
        const index = this.queue.indexOf(waiter);
        if (index >= 0) this.queue.splice(index, 1);
        reject(abortReason(signal));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.queue.push(waiter);
      void this.serve();
    });
  }

  /** Holds every caller until `epochMs` (a later pause wins; an earlier one never shortens a pause). */
  pauseUntil(epochMs: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, epochMs);
  }

  /** `pauseUntil(now + ms)` on the limiter's own clock, so callers need not share it. */
  pauseFor(ms: number): void {
    this.pauseUntil(this.now() + Math.max(0, ms));
  }

  /** Milliseconds until the next request could be granted (0 when one could go now). */
  delayUntilNextGrant(): number {
    const now = this.now();
    this.forgetExpiredGrants(now);
    const untilPauseEnds = this.pausedUntil - now;
    const untilTokenReturns = this.grants.length >= this.requests ? this.grants[0] + this.windowMs - now : 0;
    return Math.max(0, untilPauseEnds, untilTokenReturns);
  }

  /** One loop serves the queue head at a time, which is what makes the limiter FIFO. */
  private async serve(): Promise<void> {
    if (this.serving) return;
    this.serving = true;
    try {
      while (this.queue.length > 0) {
        const wait = this.delayUntilNextGrant();
        if (wait > 0) {
          await this.sleep(wait);
          continue;
        }
        const waiter = this.queue.shift();
        if (!waiter) break;
        const now = this.now();
        this.grants.push(now);
        this.stats.granted += 1;
        this.stats.waitedMs += now - waiter.enqueuedAt;
        waiter.detach();
        waiter.resolve();
      }
    } catch (error) {
      const failure = error instanceof Error ? error : new Error(String(error));
      for (const waiter of this.queue.splice(0)) {
        waiter.detach();
        waiter.reject(failure);
      }
    } finally {
      this.serving = false;
    }
  }

  private forgetExpiredGrants(now: number): void {
    while (this.grants.length > 0 && this.grants[0] + this.windowMs <= now) this.grants.shift();
  }
}

const processLimiters = new Map<string, TokenBucketRateLimiter>();

/**
 * The limiter every Graph client in this process shares. One process serves one tenant with one app identity, so
 * one budget; distinct settings (only seen in tests) get distinct limiters.
 */
export function processRateLimiter(config: AppConfig['graph']): TokenBucketRateLimiter {
  const key = `${config.rateLimitRequests}/${config.rateLimitWindowSeconds}`;
  let limiter = processLimiters.get(key);
  if (!limiter) {
    limiter = createRateLimiter(config);
    processLimiters.set(key, limiter);
  }
  return limiter;
}

/** A new limiter with the configured budget and the arrival margin (the process shares one: processRateLimiter). */
export function createRateLimiter(config: AppConfig['graph']): TokenBucketRateLimiter {
  return new TokenBucketRateLimiter({ requests: config.rateLimitRequests, windowMs: budgetWindowMs(config.rateLimitWindowSeconds) });
}
