/**
 * When and how long to wait before another attempt at a Graph page, as a core-rest-pipeline `RetryStrategy` driven
 * by the library's `retryPolicy` (which owns the loop, the retry count and abort handling).
 *
 * The strategy never waits itself: the library's own delay cannot be replaced in tests and knows nothing of the
 * shared request budget. It answers "retry now" and leaves the wait to the per-attempt policy (attemptPolicy.ts):
 * - 429, and 503 with `Retry-After`: pause the whole request budget for `Retry-After` (fractional seconds or an HTTP
 *   date), or, for a 429 without it, for an exponential back-off. Every job then waits, not only this one (on every
 *   instance, when the budget is shared).
 * - 500/502/503/504, connection failures, timeouts and truncated bodies: this request alone sleeps an exponential
 *   back-off with jitter before its next attempt (other windows may well succeed meanwhile).
 * - Anything else (400, 401, 403, 404, ...): no retry; the client turns the response into a GraphRequestError.
 */
import type { RetryStrategy, RetryModifiers } from '@azure/core-rest-pipeline';
import type { PageRequestStates } from './attemptPolicy';
import type { RequestBudget } from './budget/requestBudget';
import type { GraphClientEvent } from './graphClientEvents';

export interface BackoffOptions {
  /** Floor of every back-off delay; Microsoft's resilience guidance asks for at least 5 s before retrying 5xx. */
  retryDelayMs: number;
  /** Ceiling of every back-off delay. */
  maxRetryDelayMs: number;
  random: () => number;
}

/**
 * Exponential back-off with full jitter above a floor: retry n (0-based) waits a uniformly random time in
 * `[retryDelayMs, min(maxRetryDelayMs, retryDelayMs * 2^(n+1))]`. The floor keeps the first retry a few seconds
 * away, the jitter spreads concurrent jobs apart.
 */
export function backoffDelayMs(retryIndex: number, options: BackoffOptions): number {
  const floor = Math.min(options.retryDelayMs, options.maxRetryDelayMs);
  const ceiling = Math.min(options.maxRetryDelayMs, options.retryDelayMs * 2 ** (retryIndex + 1));
  const fraction = Math.min(1, Math.max(0, options.random()));
  return Math.round(floor + fraction * Math.max(0, ceiling - floor));
}

/** `Retry-After` as milliseconds: delta-seconds (Graph sends fractions such as `2.128`) or an HTTP date. */
export function parseRetryAfterMs(value: string | undefined | null, nowMs: number): number | undefined {
  if (value === undefined || value === null) return undefined;
  const text = value.trim();
  if (text === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.ceil(Number(text) * 1000);
  const date = Date.parse(text);
  return Number.isFinite(date) ? Math.max(0, date - nowMs) : undefined;
}

const BACKOFF_STATUSES = new Set([500, 502, 503, 504]);

export interface GraphRetryStrategyOptions extends BackoffOptions {
  states: PageRequestStates;
  budget: RequestBudget;
  now: () => number;
  emit: (event: GraphClientEvent) => void;
}

export function graphRetryStrategy(options: GraphRetryStrategyOptions): RetryStrategy {
  const { states, budget, now, emit } = options;
  return {
    name: 'graphRetryStrategy',
    retry({ retryCount, response, responseError }): RetryModifiers {
      const request = response?.request ?? responseError?.request;
      const state = request ? states.get(request) : undefined;
      if (!request || !state) return { skipStrategy: true };
      const retryNow: RetryModifiers = { retryAfterInMs: 0 };
      const attempt = state.attempts;

      if (!response) {
        const delayMs = backoffDelayMs(retryCount, options);
        state.pendingDelayMs = delayMs;
        emit({ type: 'retry', url: request.url, attempt, delayMs, reason: responseError?.code ?? 'NetworkError', sharedPause: false });
        return retryNow;
      }

      const status = response.status;
      if (status === 429 || status === 503) {
        const retryAfterMs = parseRetryAfterMs(response.headers.get('retry-after'), now());
        if (status === 429) emit({ type: 'throttled', url: request.url, attempt, retryAfterMs });
        if (retryAfterMs !== undefined || status === 429) {
          const delayMs = retryAfterMs ?? backoffDelayMs(retryCount, options);
          budget.pauseFor(delayMs);
          emit({ type: 'retry', url: request.url, attempt, delayMs, reason: `HTTP ${status}`, status, sharedPause: true });
          return retryNow;
        }
      }
      if (BACKOFF_STATUSES.has(status)) {
        const delayMs = backoffDelayMs(retryCount, options);
        state.pendingDelayMs = delayMs;
        emit({ type: 'retry', url: request.url, attempt, delayMs, reason: `HTTP ${status}`, status, sharedPause: false });
        return retryNow;
      }
      return { skipStrategy: true };
    },
  };
}
