/**
 * Identity and access reports limit (reference §3): N requests per window per app per tenant, shared by
 * all three endpoints. Sliding window over admitted requests; throttled requests are not counted, so a
 * client that waits Retry-After always gets in. Waits are real time divided by timeScale.
 */
export interface ThrottleDecision {
  admitted: boolean;
  /** Seconds until a slot frees (fractional), when not admitted. */
  retryAfterSeconds?: number;
}

export class SlidingWindowThrottle {
  private readonly admittedAt = new Map<string, number[]>();

  constructor(
    private limit: { requests: number; windowSeconds: number } | false,
    private timeScale: number,
    private readonly clock: () => number = () => performance.now(),
  ) {}

  configure(limit: { requests: number; windowSeconds: number } | false): void {
    this.limit = limit;
    this.admittedAt.clear();
  }

  check(key: string): ThrottleDecision {
    if (!this.limit) return { admitted: true };
    const windowMs = (this.limit.windowSeconds * 1000) / this.timeScale;
    const now = this.clock();
    const times = (this.admittedAt.get(key) ?? []).filter((t) => t > now - windowMs);
    if (times.length < this.limit.requests) {
      times.push(now);
      this.admittedAt.set(key, times);
      return { admitted: true };
    }
    this.admittedAt.set(key, times);
    const freesAt = times[times.length - this.limit.requests] + windowMs;
    return { admitted: false, retryAfterSeconds: Math.max(0.001, Math.ceil(freesAt - now) / 1000) };
  }
}
