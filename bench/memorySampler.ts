/**
 * Peak memory of one workload: process.memoryUsage() sampled on a timer (heap including garbage not yet collected,
 * and RSS), plus the heap right after a forced collection whenever `settle()` is called (what is really retained).
 * Deltas are against the state after a forced collection at `start`.
 */
export interface MemoryPeaks {
  /** Highest sampled heapUsed minus heapUsed at start, bytes. */
  heapDelta: number;
  /** Highest sampled RSS minus RSS at start, bytes. */
  rssDelta: number;
  /** Highest heapUsed right after a forced collection minus heapUsed at start, bytes (0 without --expose-gc). */
  retainedDelta: number;
  /** Absolute highest RSS seen, bytes. */
  rssPeak: number;
}

const SAMPLE_EVERY_MS = 20;

export function forceGc(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) {
    gc();
    gc();
  }
}

export class MemorySampler {
  private heapStart = 0;
  private rssStart = 0;
  private heapPeak = 0;
  private rssPeak = 0;
  private retainedPeak = 0;
  private timer?: NodeJS.Timeout;

  start(): void {
    forceGc();
    const usage = process.memoryUsage();
    this.heapStart = usage.heapUsed;
    this.rssStart = usage.rss;
    this.heapPeak = usage.heapUsed;
    this.rssPeak = usage.rss;
    this.retainedPeak = usage.heapUsed;
    this.timer = setInterval(() => this.sample(), SAMPLE_EVERY_MS);
  }

  /** Forces a collection and records what survives it. */
  settle(): void {
    this.sample();
    forceGc();
    this.retainedPeak = Math.max(this.retainedPeak, process.memoryUsage().heapUsed);
  }

  stop(): MemoryPeaks {
    this.sample();
    if (this.timer) clearInterval(this.timer);
    return {
      heapDelta: this.heapPeak - this.heapStart,
      rssDelta: this.rssPeak - this.rssStart,
      retainedDelta: this.retainedPeak - this.heapStart,
      rssPeak: this.rssPeak,
    };
  }

  private sample(): void {
    const usage = process.memoryUsage();
    this.heapPeak = Math.max(this.heapPeak, usage.heapUsed);
    this.rssPeak = Math.max(this.rssPeak, usage.rss);
  }
}

export function gcAvailable(): boolean {
  return typeof (globalThis as { gc?: unknown }).gc === 'function';
}
