/** What the Graph client reports while it works, for logs and metrics (the worker forwards these). */
export type GraphClientEvent =
  /** Another attempt will follow. `sharedPause`: the wait was applied to the whole request budget. */
  | { type: 'retry'; url: string; attempt: number; delayMs: number; reason: string; status?: number; sharedPause: boolean }
  /** Graph answered 429; `retryAfterMs` when it said how long to wait. */
  | { type: 'throttled'; url: string; attempt: number; retryAfterMs?: number }
  /** A page arrived and parsed. */
  | { type: 'page'; url: string; attempts: number; throttled: number; records: number; bytes: number; hasNextLink: boolean };
