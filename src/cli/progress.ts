/**
 * The progress line on stderr: how far back in time each stream has got (Graph pages newest first, so the cursor
 * walks from `to` towards `from`), records written, pages read, the record rate and Graph's throttling pauses.
 * On a terminal it is one line redrawn in place; otherwise (a log file, CI) a plain line every `logEveryMs`.
 */
import type { GraphClientEvent } from '../graph/graphClient';
import type { StreamId } from '../streams/catalog';
import { msFromInstant, type Ticks } from '../time/instant';

export interface ProgressOutput {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export type StreamState = 'waiting' | 'running' | 'done' | 'empty' | 'failed';

interface StreamProgress {
  state: StreamState;
  /** Oldest instant fully written; undefined before the first checkpoint. */
  cursor?: Ticks;
  records: number;
}

export interface ProgressTotals {
  records: number;
  pages: number;
  requests: number;
  throttled: number;
  /** Time requests waited on Graph's Retry-After (summed over waits, not wall-clock). */
  pausedMs: number;
  elapsedMs: number;
}

const BAR_WIDTH = 20;
const RATE_WINDOW_MS = 60_000;

export class ProgressReporter {
  private readonly streams = new Map<StreamId, StreamProgress>();
  private pages = 0;
  private requests = 0;
  private throttled = 0;
  private pausedMs = 0;
  private readonly startedAt: number;
  private readonly samples: Array<{ at: number; records: number }> = [];
  private timer?: NodeJS.Timeout;
  private lastLogAt = 0;
  private drawn = false;

  constructor(
    streams: readonly StreamId[],
    private readonly range: { from: Ticks; to: Ticks },
    private readonly out: ProgressOutput,
    private readonly options: { enabled: boolean; now?: () => number; redrawMs?: number; logEveryMs?: number } = { enabled: true },
  ) {
    for (const stream of streams) this.streams.set(stream, { state: 'waiting', records: 0 });
    this.startedAt = this.now();
    this.samples.push({ at: this.startedAt, records: 0 });
  }

  /** Starts redrawing (a terminal) or periodic lines (anything else). The timer never keeps the process alive. */
  start(): void {
    if (!this.options.enabled || this.timer) return;
    this.timer = setInterval(() => this.tick(), this.isTerminal() ? (this.options.redrawMs ?? 500) : 5_000);
    this.timer.unref();
  }

  /** Stops the timer and leaves the cursor on a fresh line. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (this.drawn && this.isTerminal()) this.out.write('\r\x1b[2K');
    this.drawn = false;
  }

  onGraphEvent(event: GraphClientEvent): void {
    if (event.type === 'page') {
      this.pages += 1;
      this.requests += event.attempts;
    } else if (event.type === 'throttled') {
      this.throttled += 1;
    } else if (event.type === 'retry' && event.status === 429) {
      this.pausedMs += event.delayMs;
    }
  }

  streamStarted(stream: StreamId): void {
    this.update(stream, { state: 'running' });
  }

  /** A stream a previous run already got this far with: counted, but not in this run's rate. */
  streamResumed(stream: StreamId, state: StreamState, cursor: Ticks | undefined, records: number): void {
    this.update(stream, { state, cursor, records });
    for (const sample of this.samples) sample.records += records;
  }

  /** After each checkpoint: how far the stream got and how many records it has written. */
  streamCheckpoint(stream: StreamId, cursor: Ticks | undefined, records: number): void {
    this.update(stream, { cursor, records });
    this.samples.push({ at: this.now(), records: this.totalRecords() });
  }

  streamFinished(stream: StreamId, state: 'done' | 'empty' | 'failed', records?: number): void {
    this.update(stream, { state, ...(records === undefined ? {} : { records }), ...(state === 'failed' ? {} : { cursor: this.range.from }) });
  }

  totals(): ProgressTotals {
    return { records: this.totalRecords(), pages: this.pages, requests: this.requests, throttled: this.throttled, pausedMs: this.pausedMs, elapsedMs: this.now() - this.startedAt };
  }

  /**
   * How much of the export is done. Once every unfinished stream has written part of the range, the share of the
   * records expected (each stream's records so far, scaled by the share of the range it has covered): streams differ
   * a hundredfold in volume, so the busiest one decides the end. Before that, the share of [from, to) covered,
   * averaged over the streams.
   */
  fraction(): number {
    if (this.streams.size === 0) return 1;
    let timeShare = 0;
    let written = 0;
    let expected = 0;
    let estimable = true;
    for (const s of this.streams.values()) {
      const finished = s.state === 'done' || s.state === 'empty';
      const covered = finished ? 1 : this.covered(s);
      timeShare += covered;
      written += s.records;
      if (finished) expected += s.records;
      else if (covered > 0 && s.records > 0) expected += s.records / covered;
      else estimable = false;
    }
    if (estimable && expected > 0) return Math.min(1, written / expected);
    return timeShare / this.streams.size;
  }

  /** Share of [from, to) a stream has written (it pages from `to` back towards `from`). */
  private covered(s: StreamProgress): number {
    if (s.cursor === undefined) return 0;
    return Math.min(1, Math.max(0, Number(this.range.to - s.cursor) / Number(this.range.to - this.range.from)));
  }

  /** Records written per second over about the last minute (since the start for a shorter run). */
  rate(): number {
    const now = this.now();
    while (this.samples.length > 1 && now - this.samples[1].at >= RATE_WINDOW_MS) this.samples.shift();
    const first = this.samples[0];
    const seconds = (now - first.at) / 1000;
    return seconds > 0 ? (this.totalRecords() - first.records) / seconds : 0;
  }

  /** The progress line, fitted to `width` characters. */
  line(width = 120): string {
    const fraction = this.fraction();
    const filled = Math.round(fraction * BAR_WIDTH);
    const bar = `[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}%`;
    const t = this.totals();
    const parts = [
      bar,
      `${t.records.toLocaleString('en')} records`,
      `${t.pages.toLocaleString('en')} pages`,
      `${Math.round(this.rate()).toLocaleString('en')}/s`,
      t.throttled > 0 ? `throttled ${t.throttled}x, paused ${formatDuration(t.pausedMs)}` : 'not throttled',
      formatDuration(t.elapsedMs),
      this.streamSummary(),
    ];
    const text = parts.join(' | ');
    return text.length > width ? `${text.slice(0, Math.max(0, width - 1))}…` : text;
  }

  private tick(): void {
    if (this.isTerminal()) {
      this.out.write(`\r\x1b[2K${this.line(this.terminalWidth() - 1)}`);
      this.drawn = true;
      return;
    }
    const now = this.now();
    if (now - this.lastLogAt >= (this.options.logEveryMs ?? 30_000)) {
      this.lastLogAt = now;
      this.out.write(`${this.line(400)}\n`);
    }
  }

  /** Unfinished streams first (where each is), then the finished ones, so a narrow terminal cuts the least useful part. */
  private streamSummary(): string {
    const marks: Record<StreamState, string> = { waiting: '·', running: '…', done: '✓', empty: '∅', failed: '✗' };
    const finished = (s: StreamProgress) => s.state === 'done' || s.state === 'empty';
    const entries = [...this.streams.entries()];
    return [...entries.filter(([, s]) => !finished(s)), ...entries.filter(([, s]) => finished(s))]
      .map(([id, s]) => `${id} ${marks[s.state]}${s.cursor !== undefined && s.state === 'running' ? ` ${new Date(msFromInstant(s.cursor)).toISOString().slice(5, 16).replace('T', ' ')}` : ''}`)
      .join(', ');
  }

  private update(stream: StreamId, change: Partial<StreamProgress>): void {
    const current = this.streams.get(stream);
    if (current) this.streams.set(stream, { ...current, ...change });
  }

  private totalRecords(): number {
    let sum = 0;
    for (const s of this.streams.values()) sum += s.records;
    return sum;
  }

  /** The terminal's width; 120 where it reports none (a pseudo-terminal without a window size reports 0 columns). */
  private terminalWidth(): number {
    const columns = this.out.columns;
    return columns !== undefined && Number.isFinite(columns) && columns >= 20 ? columns : 120;
  }

  private isTerminal(): boolean {
    return this.out.isTTY === true;
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }
}

export function formatDuration(ms: number): string {
  const total = Math.round(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : m > 0 ? `${m}m${String(s).padStart(2, '0')}s` : `${s}s`;
}
