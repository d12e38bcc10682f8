/**
 * How long the simulator's event loop was held up: a 10 ms timer notes how late it fires. A request that arrives while
 * the loop is held waits in its socket and is counted (and throttled) only when the loop gets to it, closer to the next
 * one than it really arrived, so the benchmark prints this beside its 429s. (Node's monitorEventLoopDelay reported
 * hold-ups several times longer than any this timer saw, so the simulator measures its own.)
 */
const TICK_MS = 10;

export class LoopWatch {
  private last = performance.now();
  private longest = 0;
  private readonly timer: NodeJS.Timeout;

  constructor() {
    this.timer = setInterval(() => {
      const now = performance.now();
      this.longest = Math.max(this.longest, now - this.last - TICK_MS);
      this.last = now;
    }, TICK_MS);
    this.timer.unref();
  }

  /** The longest hold-up since the last reset, ms. */
  get longestMs(): number {
    return this.longest;
  }

  reset(): void {
    this.longest = 0;
    this.last = performance.now();
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
