/**
 * Virtual time for budget tests: `sleep` parks the caller on a timer, and `runUntilIdle` moves the clock to the next
 * timer only when nothing else can run, so many concurrent callers see one consistent clock and no test waits.
 * Also an in-memory ledger with etags, the same contract as the Table row (tableLedger.test.ts checks that one).
 */
import type { BudgetLedger, LedgerSnapshot } from '../../../../src/graph/budget';
import type { LedgerState } from '../../../../src/graph/budget/ledgerState';

interface Timer {
  at: number;
  resolve: () => void;
  reject: (error: Error) => void;
  signal?: AbortSignal;
  onAbort?: () => void;
}

export class VirtualTime {
  nowMs: number;
  private timers: Timer[] = [];

  constructor(startMs = Date.UTC(2026, 10, 27, 10, 0, 0)) {
    this.nowMs = startMs;
  }

  readonly now = (): number => this.nowMs;

  readonly sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(new Error('aborted'));
        return;
      }
      const timer: Timer = { at: this.nowMs + Math.max(0, ms), resolve, reject, signal };
      timer.onAbort = () => {
        this.timers = this.timers.filter((t) => t !== timer);
        reject(new Error('aborted'));
      };
      signal?.addEventListener('abort', timer.onAbort, { once: true });
      this.timers.push(timer);
    });

  /** Lets every promise chain settle (in-memory ledger calls included). */
  async settle(): Promise<void> {
    for (let i = 0; i < 20; i++) await new Promise<void>((resolve) => setImmediate(resolve));
  }

  /** Runs until no timer is left (or `untilMs` is reached), advancing the clock from timer to timer. */
  async runUntilIdle(untilMs = Number.POSITIVE_INFINITY): Promise<void> {
    for (;;) {
      await this.settle();
      if (this.timers.length === 0) return;
      this.timers.sort((a, b) => a.at - b.at);
      const next = this.timers[0];
      if (next.at > untilMs) {
        this.nowMs = untilMs;
        return;
      }
      this.timers.shift();
      this.nowMs = Math.max(this.nowMs, next.at);
      if (next.onAbort) next.signal?.removeEventListener('abort', next.onAbort);
      next.resolve();
    }
  }
}

/** The ledger row in memory: etag-guarded writes, a log of every state written, and a switch to make it fail. */
export class MemoryLedger implements BudgetLedger {
  readonly description = 'memory ledger';
  readonly written: LedgerState[] = [];
  failWith: Error | undefined;
  /** Calls (reads or writes) still to fail with `failWith` before it is cleared: undefined fails every call. */
  failTimes: number | undefined;
  reads = 0;
  private state: LedgerState | undefined;
  private version = 0;

  async read(): Promise<LedgerSnapshot> {
    await Promise.resolve();
    this.maybeFail();
    this.reads++;
    return this.state ? { state: structuredClone(this.state), etag: String(this.version) } : { state: { grants: [], pausedUntil: 0, pauseCount: 0 } };
  }

  async write(state: LedgerState, etag: string | undefined): Promise<string | undefined> {
    await Promise.resolve();
    this.maybeFail();
    const current = this.state ? String(this.version) : undefined;
    if (etag !== current) return undefined;
    this.state = structuredClone(state);
    this.version++;
    this.written.push(structuredClone(state));
    return String(this.version);
  }

  private maybeFail(): void {
    const error = this.failWith;
    if (!error) return;
    if (this.failTimes !== undefined && --this.failTimes <= 0) {
      this.failWith = undefined;
      this.failTimes = undefined;
    }
    throw error;
  }
}

/** The most grants any window of `windowMs` holds, given every grant time. */
export function peakPerWindow(times: number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let peak = 0;
  let first = 0;
  for (let last = 0; last < sorted.length; last++) {
    while (sorted[last] - sorted[first] >= windowMs) first++;
    peak = Math.max(peak, last - first + 1);
  }
  return peak;
}
