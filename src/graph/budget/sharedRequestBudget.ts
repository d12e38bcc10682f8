/**
 * One Graph request budget for every instance of the app: a grant ledger in Table storage with optimistic
 * concurrency (ledgerState.ts for the rules, tableLedger.ts for the row). docs/architecture.md ("The Graph request
 * budget") explains the choice.
 *
 * Per request an instance
 * 1. reserves the next free send time in the ledger row (read, then an etag-guarded write; a lost race reads again);
 * 2. sleeps until shortly before that time and checks that no pause arrived meanwhile (one more read, skipped when
 *    its view of the row is fresh, shared by holders checking at once and not queued behind this process's
 *    reservations), so that the read does not delay the request;
 * 3. sleeps until that time and sends, or, after a pause, reserves again behind it. A caller woken later than
 *    `lateToleranceMs` after its time (an event loop busy with another job's page, a starved host) also reserves
 *    again: sent that late, its request could arrive within one of Graph's windows of a request five grants on,
 *    sent on time by another instance, which the arrival margin no longer covers. Its old slot stays unused.
 * Within one process the reservations are made one at a time, in arrival order, so jobs on one instance never race
 * each other for the row. A `Retry-After` is written to the row (the pause), so every instance waits it out.
 * An instance that dies holding reservations leaves only those slots unused: grants expire by themselves one
 * window after their time, and nothing is locked.
 */
import { abortReason, realSleep, type Sleep } from '../sleep';
import { applyPause, EMPTY_LEDGER, reserveGrant, type BudgetLimits, type LedgerState } from './ledgerState';
import { ARRIVAL_MARGIN, type BudgetStats, type RequestBudget } from './requestBudget';
import type { BudgetLedger } from './tableLedger';

export interface SharedRequestBudgetOptions extends BudgetLimits {
  ledger: BudgetLedger;
  /** Wall clock (epoch ms): every instance's clock is compared through the ledger. */
  now?: () => number;
  sleep?: Sleep;
  random?: () => number;
  /** A view of the ledger younger than this is trusted before sending without reading the row again. Default 200 ms. */
  freshnessMs?: number;
  /** How long before a grant is due the ledger is checked for a pause. Default 250 ms (at most a tenth of the window). */
  checkLeadMs?: number;
  /** Called when a pause could not be written to the ledger (this process still honours it). */
  onError?: (error: Error) => void;
  /**
   * A caller released later than this after its grant's time reserves again instead of sending (at most
   * MAX_LATE_RESERVATIONS times per request). Default: half the arrival margin (250 ms for Graph's 10 s window),
   * the other half being left to the network.
   */
  lateToleranceMs?: number;
}

/** Storage transactions and waits, for the benchmark and for operators. */
export interface SharedBudgetStats extends BudgetStats {
  reads: number;
  writes: number;
  /** Writes refused because another instance wrote first (each is followed by a read and a new write). */
  conflicts: number;
  /** Reservations given up because a pause arrived before their time. */
  rereserved: number;
  pauses: number;
  /** Reservations given up because the caller woke too late to use them (see lateToleranceMs). */
  late: number;
  /** The latest a caller was released after its grant's time, ms (requests sent, not the ones given up). */
  maxLateMs: number;
  /** Table calls tried again after a storage error (see guard). */
  tableRetries: number;
}

/** Thrown when the ledger cannot be used: the request is not sent, and the job is retried by the queue. */
export class GraphBudgetError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'GraphBudgetError';
  }
}

const MAX_WRITE_ATTEMPTS = 40;
/** Tries of one table call that fails (a storage error, not a lost race) before the request is given up. */
const GUARD_ATTEMPTS = 3;
const GUARD_RETRY_DELAY_MS = 100;
/** A request reserves again at most this many times for being woken late; then it is sent late. */
const MAX_LATE_RESERVATIONS = 3;
/** Most that jittered back-off after a lost race grows to, so instances do not retry in lock-step. */
const MAX_CONFLICT_BACKOFF_MS = 200;

interface View {
  state: LedgerState;
  etag: string | undefined;
  /** When this process last knew the row to be exactly this (after reading or writing it). */
  learnedAt: number;
}

interface Reservation {
  at: number;
  pauseCount: number;
  localPauses: number;
}

export class SharedRequestBudget implements RequestBudget {
  readonly stats: SharedBudgetStats = {
    granted: 0, waitedMs: 0, reads: 0, writes: 0, conflicts: 0, rereserved: 0, pauses: 0, late: 0, maxLateMs: 0, tableRetries: 0,
  };
  private readonly limits: BudgetLimits;
  private readonly ledger: BudgetLedger;
  private readonly now: () => number;
  private readonly sleep: Sleep;
  private readonly random: () => number;
  private readonly freshnessMs: number;
  private readonly checkLeadMs: number;
  private readonly lateToleranceMs: number;
  private readonly onError: (error: Error) => void;
  /** Ledger operations of this process, one at a time in arrival order. */
  private chain: Promise<unknown> = Promise.resolve();
  private view: View | undefined;
  /** True while this process's writes keep succeeding on its own last etag: the row is then written without reading it first. */
  private soleWriter = false;
  private heldUntil = 0;
  private localPauses = 0;
  /** The pre-send read in flight, shared by the holders that check meanwhile (checkRead). */
  private pendingCheck: Promise<View> | undefined;

  constructor(options: SharedRequestBudgetOptions) {
    if (!Number.isInteger(options.requests) || options.requests < 1) throw new RangeError('requests must be a positive integer');
    if (!(options.windowMs > 0)) throw new RangeError('windowMs must be positive');
    this.limits = { requests: options.requests, windowMs: options.windowMs };
    this.ledger = options.ledger;
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? realSleep;
    this.random = options.random ?? Math.random;
    this.freshnessMs = options.freshnessMs ?? 200;
    this.checkLeadMs = options.checkLeadMs ?? Math.min(250, options.windowMs / 10);
    this.lateToleranceMs = options.lateToleranceMs ?? (options.windowMs * ARRIVAL_MARGIN) / (1 + ARRIVAL_MARGIN) / 2;
    this.onError = options.onError ?? (() => undefined);
  }

  async acquire(signal?: AbortSignal): Promise<void> {
    const enqueuedAt = this.now();
    let lateReservations = 0;
    for (;;) {
      const reservation = await this.serialized(() => this.reserve(signal));
      // Check for a pause a little before the grant is due, so that the read does not delay the request itself.
      await this.sleepUntil(reservation.at - this.checkLeadMs, signal);
      if (!(await this.stillValid(reservation, signal))) {
        this.stats.rereserved += 1;
        continue;
      }
      await this.sleepUntil(reservation.at, signal);
      if (this.localPauses !== reservation.localPauses) {
        this.stats.rereserved += 1;
        continue;
      }
      const lateMs = this.now() - reservation.at;
      if (lateMs > this.lateToleranceMs && lateReservations < MAX_LATE_RESERVATIONS) {
        lateReservations += 1;
        this.stats.late += 1;
        continue;
      }
      this.stats.maxLateMs = Math.max(this.stats.maxLateMs, lateMs);
      break;
    }
    this.stats.granted += 1;
    this.stats.waitedMs += this.now() - enqueuedAt;
  }

  pauseFor(ms: number): void {
    const until = this.now() + Math.max(0, ms);
    if (until <= this.heldUntil) return;
    this.heldUntil = until;
    this.localPauses += 1;
    this.stats.pauses += 1;
    this.serialized(() => this.writePause(until)).catch((error: unknown) => this.onError(asError(error)));
  }

  private serialized<T>(operation: () => Promise<T>): Promise<T> {
    const run = this.chain.then(operation, operation);
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async reserve(signal: AbortSignal | undefined): Promise<Reservation> {
    const localPauses = this.localPauses;
    const written = await this.modify(signal, (state, now) => reserveGrant(state, now, this.limits, this.heldUntil).next);
    // The reservation is the grant just appended: the latest in the row.
    return { at: written.grants[written.grants.length - 1], pauseCount: written.pauseCount, localPauses };
  }

  private async writePause(until: number): Promise<void> {
    await this.modify(undefined, (state, now) => (state.pausedUntil >= until ? undefined : applyPause(state, until, now, now + this.checkLeadMs + this.freshnessMs)));
  }

  /**
   * Read-modify-write of the row, retried when another instance wrote first. `change` returns the new state, or
   * undefined when nothing needs writing. Resolves with the state the row now holds.
   */
  private async modify(signal: AbortSignal | undefined, change: (state: LedgerState, now: number) => LedgerState | undefined): Promise<LedgerState> {
    for (let attempt = 1; ; attempt++) {
      if (signal?.aborted) throw abortReason(signal);
      const view = this.soleWriter && this.view ? this.view : await this.read();
      const now = this.now();
      const next = change(view.state, now);
      if (!next) return view.state;
      const etag = await this.guard('write', () => this.ledger.write(next, view.etag));
      this.stats.writes += 1;
      if (etag !== undefined) {
        this.view = { state: next, etag, learnedAt: this.now() };
        return next;
      }
      this.stats.conflicts += 1;
      this.soleWriter = false;
      this.view = undefined;
      if (attempt >= MAX_WRITE_ATTEMPTS) {
        throw new GraphBudgetError(`The shared Graph request budget (${this.ledger.description}) stayed contended for ${attempt} writes in a row; the request was not sent`);
      }
      await this.sleep(this.random() * Math.min(MAX_CONFLICT_BACKOFF_MS, 10 * attempt));
    }
  }

  private async read(): Promise<View> {
    const before = this.view;
    const snapshot = await this.guard('read', () => this.ledger.read());
    this.stats.reads += 1;
    const view: View = { state: snapshot.etag === undefined ? EMPTY_LEDGER : snapshot.state, etag: snapshot.etag, learnedAt: this.now() };
    // A write or read of this process that ended while this one ran (the pre-send check runs beside them) left a view
    // at least as new: keep it.
    if (this.view !== before) return view;
    // Reading back exactly what this process last wrote means nobody else is writing: skip the reads for a while.
    this.soleWriter = before !== undefined && snapshot.etag !== undefined && snapshot.etag === before.etag;
    this.view = view;
    return view;
  }

  /** True when nothing paused the budget since the reservation was made: the request may go at its time. */
  private async stillValid(reservation: Reservation, signal: AbortSignal | undefined): Promise<boolean> {
    if (this.localPauses !== reservation.localPauses) return false;
    const fresh = this.view && this.now() - this.view.learnedAt <= this.freshnessMs ? this.view : undefined;
    if (!fresh && signal?.aborted) throw abortReason(signal);
    const view = fresh ?? (await this.checkRead());
    return view.state.pauseCount === reservation.pauseCount && view.state.pausedUntil <= reservation.at && this.localPauses === reservation.localPauses;
  }

  /**
   * The read before sending: not queued behind this process's reservations (a reservation waiting for its write must
   * not make a request due now leave late), and shared by every holder checking at the same time. Reading needs no
   * turn: a write made from a view this read replaces is still guarded by its etag.
   */
  private checkRead(): Promise<View> {
    this.pendingCheck ??= this.read().finally(() => {
      this.pendingCheck = undefined;
    });
    return this.pendingCheck;
  }

  private async sleepUntil(at: number, signal: AbortSignal | undefined): Promise<void> {
    const wait = at - this.now();
    if (wait > 0) await this.sleep(wait, signal);
  }

  /**
   * A table call that failed is tried again (GUARD_ATTEMPTS in all, after a short pause) before the caller gives up:
   * nothing was sent to Graph yet, and ending the invocation costs a job far more than a retry. A write that took
   * effect before it failed is harmless: its retry meets its own etag change as a conflict and reserves again, leaving
   * one grant unused.
   */
  private async guard<T>(what: string, operation: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await operation();
      } catch (error) {
        if (attempt < GUARD_ATTEMPTS && !isAccessDenied(error)) {
          this.stats.tableRetries += 1;
          await this.sleep(GUARD_RETRY_DELAY_MS * attempt * (0.5 + this.random()));
          continue;
        }
        throw this.budgetError(what, error);
      }
    }
  }

  private budgetError(what: string, error: unknown): GraphBudgetError {
    return new GraphBudgetError(
      `Could not ${what} the shared Graph request budget (${this.ledger.description}): ${asError(error).message}. ` +
        'The app needs read and write access to that table (Storage Table Data Contributor); the job is retried.',
      { cause: error },
    );
  }
}

/** A refusal the next try would meet again (a missing role): said at once. */
function isAccessDenied(error: unknown): boolean {
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  return status === 401 || status === 403;
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
