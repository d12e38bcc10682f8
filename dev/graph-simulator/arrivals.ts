/**
 * How many requests arrived within one throttle window, admitted or not, per app and tenant: the figure that shows
 * whether the callers together kept to Graph's budget (a 429 says only that one arrival was too many; this says by
 * how many). Waits are real time divided by timeScale, like the throttle's.
 */
export class ArrivalCounter {
  private readonly arrivals = new Map<string, number[]>();
  peak = 0;

  constructor(
    private limit: { requests: number; windowSeconds: number } | false,
    private timeScale: number,
    private readonly clock: () => number = () => performance.now(),
  ) {}

  configure(limit: { requests: number; windowSeconds: number } | false): void {
    this.limit = limit;
    this.reset();
  }

  reset(): void {
    this.arrivals.clear();
    this.peak = 0;
  }

  /** Counts one arrival for `key`; returns how many arrived within the window ending now (0 without a throttle). */
  record(key: string): number {
    if (!this.limit) return 0;
    const windowMs = (this.limit.windowSeconds * 1000) / this.timeScale;
    const now = this.clock();
    const times = (this.arrivals.get(key) ?? []).filter((t) => t > now - windowMs);
    times.push(now);
    this.arrivals.set(key, times);
    this.peak = Math.max(this.peak, times.length);
    return times.length;
  }
}
