/**
 * One invocation's work on one job: page Graph newest first through the window (or from the checkpoint's cursor
 * back to the window start), write every format at once, checkpoint after each flush, and either finish the
 * window (commit files, write the manifest) or stop before the time budget runs out so a continuation resumes.
 *
 * Graph's nextLink is followed within this invocation, and handed to the continuation when the time budget stops it
 * inside a burst of same-instant records (`resumeLink`; a small open group is re-read instead, RecordSieve); a continuation without a usable link (a crash, an invalid skiptoken) re-queries the closed range
 * `[start, cursor]` and the RecordSieve drops what was already written. The checkpoint that records the last page
 * also moves the job to `finalizing`, so no stop between paging and finalizing leaves a resume query behind.
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { ContainerClient } from '@azure/storage-blob';
import type { AppConfig } from '../config';
import type { GraphClient, GraphPage } from '../graph/graphClient';
import { buildListUrl } from '../graph/odata';
import { configuredTenantId } from '../graph/credentials';
import { classifyGraphError, GraphRequestError } from '../graph/errors';
import { GraphBudgetError } from '../graph/budget';
import { STREAMS } from '../streams/catalog';
import { formatInstant, instantFromDate, parseInstant, Ticks } from '../time/instant';
import { addIdHashes, EMPTY_ID_DIGEST } from './idSetDigest';
import { addToContentDigest, fingerprints } from './fingerprints';
import { emptyCounts, ExportCounts, ExportJob, JobCheckpoint, JobResult } from './job';
import { RevisionCompare } from './revisionCompare';
import { compileExportFilters, CompiledExportFilter } from './filters';
import { blobBaseName, manifestBlobName } from './jobIds';
import type { Logger } from './logger';
import { buildManifest, writeManifest } from './manifest';
import { OutputFiles } from './outputFiles';
import type { ExportFileStore } from '../storage/fileStore';
import { BlobFileStore } from '../storage/blobFileStore';
import { Scheduler, withLeaseRenewal } from './leaseKeeper';
import { RecordSieve } from './recordSieve';
import { PageReadAhead } from './pageReadAhead';
import type { GraphRecord } from '../formats/types';
import { BlockBuffer, recordBatch } from '../formats';

/** Named points where the chaos tests kill a worker (a thrown error that skips all clean-up, like SIGKILL). */
export type FaultPoint = 'afterPage' | 'afterStage' | 'afterCheckpoint' | 'beforeCommit' | 'afterCommit' | 'afterManifest';

export interface SessionDeps {
  config: AppConfig;
  graph: GraphClient;
  /** The exports container (the function app) ... */
  container?: ContainerClient;
  /** ... or any other store of the session's files (the command-line export's folder). */
  files?: ExportFileStore;
  now: () => Date;
  log: Logger;
  /** Persists the checkpoint (etag-guarded, renews the lease); throws if the lease was lost. */
  saveCheckpoint: (checkpoint: JobCheckpoint) => Promise<void>;
  /** Renews the lease without a new checkpoint. */
  renewLease: () => Promise<void>;
  /** Timer for lease renewals during a Graph call (tests replace it). */
  schedule?: Scheduler;
  faultPoint?: (point: FaultPoint) => void;
}

/** `unchanged`: a re-check pass found exactly the records of the current revision, so nothing was committed. */
export type SessionOutcome = { kind: 'done'; result: JobResult } | { kind: 'unchanged' } | { kind: 'yield' };

/** How many times in a row an invalid skiptoken may restart the query before it counts as a failure. */
const MAX_SKIPTOKEN_RESTARTS = 5;
/** How many times a refused link is tried again before the query restarts from the cursor. */
const SAME_LINK_RETRIES = 2;
const CHECKPOINT_INTERVAL_MS = 60_000;
/** Records of one instant held in memory before they are written as a split group. */
const MAX_OPEN_GROUP = 10_000;
/** A record held back by a split (see JobCheckpoint.heldRecords) larger than this is written instead: the row stays small. */
const MAX_HELD_BYTES = 64 * 1024;
/** Records written between two turns of the event loop (writeInSlices): tens of milliseconds of work. */
const WRITE_SLICE_RECORDS = 200;

export class ExportSession {
  private readonly stream;
  private readonly start: Ticks;
  private readonly end: Ticks;
  private readonly counts: ExportCounts;
  /** An on-demand export's filters: Graph's part goes into each query, the record test runs on every page. */
  private readonly filter?: CompiledExportFilter;
  private readonly files: OutputFiles;
  /** Holds each batch's JSON lines (recordBatch), reused from batch to batch. */
  private readonly batchBuffer = new BlockBuffer();
  private readonly store: ExportFileStore;
  private readonly startedAt: string;
  private checkpoint: JobCheckpoint;
  private idDigest: string;
  private contentDigest: string;
  /** A re-check or re-run: how the records compare with the revision it may replace. */
  private readonly compare?: RevisionCompare;
  /** When this invocation first read a record not yet written: its time budget counts from here (shouldStop). */
  private firstNewRecordAt?: number;
  private lastCheckpointAt: number;
  private readonly invocationStartedAt: number;
  /** The next page, asked for while the current one is written (pageReadAhead.ts). */
  private readonly readAhead: PageReadAhead;

  constructor(
    private readonly job: ExportJob,
    private readonly deps: SessionDeps,
  ) {
    this.stream = STREAMS[job.stream];
    this.filter = job.filters && Object.keys(job.filters).length > 0 ? compileExportFilters(job.stream, job.filters) : undefined;
    this.start = parseInstant(job.windowStart);
    this.end = parseInstant(job.windowEnd);
    this.checkpoint = job.checkpoint ?? {
      phase: 'paging',
      idsAtCursor: [],
      files: {},
      counts: emptyCounts(),
      idDigest: EMPTY_ID_DIGEST,
      startedAt: deps.now().toISOString(),
    };
    this.idDigest = this.checkpoint.idDigest;
    this.contentDigest = this.checkpoint.contentDigest ?? EMPTY_ID_DIGEST;
    this.compare = job.previous ? new RevisionCompare(job.previous, this.checkpoint.compare) : undefined;
    this.counts = { ...this.checkpoint.counts };
    this.startedAt = this.checkpoint.startedAt;
    const base = blobBaseName({ jobId: job.jobId, kind: job.kind, stream: job.stream, start: this.start, end: this.end, revision: job.revision });
    this.store = deps.files ?? new BlobFileStore(requireContainer(deps.container));
    this.files = new OutputFiles(
      this.store,
      job.stream,
      job.formats,
      { neutralizeFormulas: deps.config.csvNeutralizeFormulas, tenantId: configuredTenantId(deps.config.graph) },
      base,
      this.checkpoint.files,
      job.leaseEpoch,
      this.checkpoint.truncation,
    );
    this.invocationStartedAt = deps.now().getTime();
    this.lastCheckpointAt = this.invocationStartedAt;
    this.readAhead = new PageReadAhead(deps.graph);
  }

  async run(): Promise<SessionOutcome> {
    await this.compare?.load(this.store);
    if (this.checkpoint.phase === 'paging') {
      let finished: boolean;
      try {
        finished = await this.page();
      } finally {
        this.readAhead.drop();
      }
      if (!finished) return { kind: 'yield' };
    }
    if (this.job.mode === 'recheck' && this.compare?.same(this.checkpoint.counts.records, this.checkpoint.idDigest)) return { kind: 'unchanged' };
    return { kind: 'done', result: await this.finalize() };
  }

  /** Pages until the window is done (true) or the budget is spent (false). */
  private async page(): Promise<boolean> {
    let restarts = 0;
    let link = this.checkpoint.resumeLink;
    for (;;) {
      const cursor = this.checkpoint.cursor ? parseInstant(this.checkpoint.cursor) : undefined;
      // Records a split held back go with the link they were read before (a re-read from the cursor meets them again).
      const held = link ? this.checkpoint.heldRecords : undefined;
      const sieve = new RecordSieve(
        { start: this.start, end: this.end, cursor, idsAtCursor: new Set(this.checkpoint.idsAtCursor), held },
        this.stream.timeProperty,
      );
      // `[start, cursor]` is closed: a cursor at the window start re-reads that one instant.
      let url: string | undefined = link ?? this.listUrl(cursor ?? this.end);
      link = undefined;
      try {
        while (url) {
          if (this.shouldStop()) {
            await this.checkpointWhilePaging(sieve, url, true);
            return false;
          }
          await this.renewIfDue();
          const page = await this.fetchPage(url);
          // The next page is asked for now, while this one is written; unless the time budget stops before it.
          if (page.nextLink && !this.shouldStop()) this.readAhead.start(page.nextLink);
          this.counts.pages++;
          this.counts.requests += page.attempts;
          this.counts.throttled += page.throttled;
          sieve.accept(this.matching(page.records));
          if (sieve.openGroupSize() > 0) this.noteNewRecords();
          this.deps.faultPoint?.('afterPage');
          if (sieve.openGroupSize() >= MAX_OPEN_GROUP) sieve.accept(sieve.splitOpenGroup({ holdLast: true }));
          await this.writeInSlices(sieve.takeReady());
          url = page.nextLink;
          if (!url) {
            sieve.finish();
            await this.flushAndCheckpoint(sieve, { final: true });
          } else if (this.files.bufferedBytes() >= this.deps.config.worker.blockTargetBytes || this.checkpointDue()) {
            await this.checkpointWhilePaging(sieve, url, false);
          }
          restarts = 0;
        }
        return true;
      } catch (error) {
        // The shared request budget could not reach its table: nothing was sent for `url`, so what was read before it
        // is kept (with the link when it can go along) and the queue delivers the message again.
        if (error instanceof GraphBudgetError && url) {
          await this.checkpointWhilePaging(sieve, url, false);
          throw error;
        }
        // Anything but a Graph failure (a lost lease, a crash) leaves without touching storage again.
        if (!(error instanceof GraphRequestError)) throw error;
        const classified = this.classify(error);
        if (classified.code !== 'InvalidSkipToken' || restarts >= MAX_SKIPTOKEN_RESTARTS) {
          // Keep what is complete so the retry resumes from here (at the page that failed, when Graph may still
          // serve it), then let the worker decide.
          if (classified.retryable && classified.code !== 'InvalidSkipToken' && url) await this.checkpointWhilePaging(sieve, url, false);
          else await this.flushAndCheckpoint(sieve);
          throw error;
        }
        restarts++;
        this.deps.log.warn(`Job ${this.job.jobId}: ${classified.message}; resuming from the time cursor`);
        await this.flushAndCheckpoint(sieve);
      }
    }
  }

  /**
   * One page (the one read ahead, when it is this link), its retries and Retry-After waits included; the lease is
   * renewed while the call runs (it may outlast it). A link Graph refuses as an invalid skiptoken is tried again before the caller restarts from the cursor: Graph
   * rejects tokens transiently too (reference: graph-reporting-api.md, nextLink lifetime), and a restart re-reads
   * every record at the cursor instant.
   */
  private async fetchPage(url: string): Promise<GraphPage> {
    for (let retry = 0; ; retry++) {
      try {
        return await withLeaseRenewal((signal) => this.readAhead.get(url, signal), this.deps.renewLease, this.leaseRenewalMs(), this.deps.schedule);
      } catch (error) {
        if (retry >= SAME_LINK_RETRIES || !(error instanceof GraphRequestError) || this.classify(error).code !== 'InvalidSkipToken') throw error;
        this.counts.requests += error.attempts;
        this.deps.log.warn(`Job ${this.job.jobId}: Graph refused the paging token; trying the same link again (${retry + 1} of ${SAME_LINK_RETRIES})`);
      }
    }
  }

  /**
   * Whether to stop before the next page. The time budget counts from the first new record this invocation read: one
   * that resumed without a usable link re-reads the records already written at its cursor instant (a burst of any
   * size, page after page) and must get past them before the budget can stop it, or every continuation would stop
   * where it started. Only the hard limit, below the host's functionTimeout, stops an invocation that writes nothing.
   */
  private shouldStop(): boolean {
    const now = this.deps.now().getTime();
    if (now - this.invocationStartedAt >= this.deps.config.worker.hardLimitSeconds * 1000) return true;
    return this.firstNewRecordAt !== undefined && now - this.firstNewRecordAt >= this.deps.config.worker.timeBudgetSeconds * 1000;
  }

  private noteNewRecords(): void {
    this.firstNewRecordAt ??= this.deps.now().getTime();
  }

  private classify(error: unknown): ReturnType<typeof classifyGraphError> {
    return classifyGraphError(error, {
      stream: this.stream,
      windowStart: this.start,
      now: instantFromDate(this.deps.now()),
      retentionDays: this.deps.config.retentionDays,
    });
  }

  /**
   * A checkpoint taken while paging, before reading `next`. It hands `next` to whoever resumes (`resumeLink`) whenever
   * everything read before it is written: nothing is held in the open group, or the group is split first — at a stop
   * for the time budget (`stopping`; progress through a burst of any length), or when the group is a burst (more than
   * a page of records, or the continuation of one already split). So a burst advances from checkpoint to checkpoint
   * even when the invocation then dies, and a re-read of ids already written is not repeated. A small open group that
   * follows a small complete one is left to be read again whole from the cursor (RecordSieve.canLeaveOpenGroup).
   */
  private async checkpointWhilePaging(sieve: RecordSieve, next: string, stopping: boolean): Promise<void> {
    const pageSize = this.deps.config.graph.pageSize;
    const open = sieve.openGroupSize();
    if (open === 0) return this.flushAndCheckpoint(sieve, { resumeLink: next });
    if (sieve.canLeaveOpenGroup(pageSize)) return this.flushAndCheckpoint(sieve);
    if (stopping || open > pageSize || sieve.openGroupContinuesCursor()) {
      const held = sieve.splitOpenGroup({ holdLast: true, maxHeldBytes: MAX_HELD_BYTES });
      await this.flushAndCheckpoint(sieve, { resumeLink: next, held });
      // Paging goes on in this invocation: what the checkpoint holds for a continuation stays in the open group here.
      if (!stopping) sieve.accept(held);
      return;
    }
    return this.flushAndCheckpoint(sieve);
  }

  /**
   * The records of a page that match the export's filters. Applied before the sieve, so each published version of a
   * record is judged as Graph judges it for the `$filter` part: the last matching version is the one written.
   */
  private matching(records: GraphRecord[]): GraphRecord[] {
    if (!this.filter) return records;
    const kept = records.filter((record) => this.filter?.matches(record));
    if (kept.length < records.length) this.counts.filteredOut = (this.counts.filteredOut ?? 0) + records.length - kept.length;
    return kept;
  }

  /**
   * Writes a page's records a slice at a time, letting the event loop run in between: a whole page of beta sign-ins
   * is hundreds of milliseconds of encoding and hashing, during which another job's (or this job's next page's)
   * grant would otherwise come due unseen, and the request would leave late (the budget then gives up the grant).
   */
  private async writeInSlices(records: GraphRecord[]): Promise<void> {
    for (let from = 0; from < records.length; from += WRITE_SLICE_RECORDS) {
      if (from > 0) await yieldToEventLoop();
      this.write(records.slice(from, from + WRITE_SLICE_RECORDS));
    }
  }

  private write(records: GraphRecord[]): void {
    if (records.length === 0) return;
    this.noteNewRecords();
    // Each record is stringified once, here: the JSON formats and the fingerprints share its UTF-8.
    const batch = recordBatch(records, this.batchBuffer);
    this.files.add(batch);
    const prints = fingerprints(batch);
    this.files.addFingerprints(prints);
    this.idDigest = addIdHashes(this.idDigest, prints.map((p) => p.idBits));
    this.contentDigest = addToContentDigest(this.contentDigest, prints);
    this.compare?.add(prints);
  }

  /**
   * Stages what is buffered and records how far the window is written. `final`: paging is over, and the same write
   * moves the job to `finalizing`. `resumeLink`: where this invocation stopped reading (see JobCheckpoint).
   */
  private async flushAndCheckpoint(sieve: RecordSieve, options: { final?: boolean; resumeLink?: string; held?: GraphRecord[] } = {}): Promise<void> {
    this.write(sieve.takeReady());
    if (options.final) this.files.addFooters();
    await this.files.flush();
    this.deps.faultPoint?.('afterStage');
    const position = sieve.position();
    Object.assign(this.counts, {
      duplicatesDropped: this.checkpoint.counts.duplicatesDropped + sieve.counts.duplicatesDropped,
      outsideWindowDropped: this.checkpoint.counts.outsideWindowDropped + sieve.counts.outsideWindowDropped,
    });
    const files = this.files.state();
    const records = Object.values(files)[0]?.records ?? 0;
    const next: JobCheckpoint = {
      phase: options.final ? 'finalizing' : 'paging',
      cursor: position.cursor !== undefined ? formatInstant(position.cursor, 7) : undefined,
      idsAtCursor: options.final ? [] : position.idsAtCursor,
      resumeLink: options.final ? undefined : options.resumeLink,
      heldRecords: !options.final && options.resumeLink && options.held?.length ? options.held : undefined,
      files,
      footersStaged: options.final ? true : undefined,
      counts: { ...this.counts, records },
      truncation: this.files.truncationCounts(),
      idDigest: this.idDigest,
      contentDigest: this.contentDigest,
      compare: this.compare?.state(),
      startedAt: this.startedAt,
    };
    await this.deps.saveCheckpoint(next);
    // Sieve counts are now part of the saved checkpoint: start the next sieve's counts from here.
    sieve.counts.duplicatesDropped = 0;
    sieve.counts.outsideWindowDropped = 0;
    this.checkpoint = next;
    this.lastCheckpointAt = this.deps.now().getTime();
    this.deps.faultPoint?.('afterCheckpoint');
  }

  private async finalize(): Promise<JobResult> {
    const counts = this.checkpoint.counts;
    const window = { start: this.start, end: this.end };
    // A worker that lost its lease (it stalled, or resumed in `finalizing` after another took over) must not commit
    // block lists or overwrite the new owner's manifest: each step is preceded by an etag-guarded write.
    await this.deps.renewLease();
    this.deps.faultPoint?.('beforeCommit');
    const metadata = { jobId: this.job.jobId, stream: this.job.stream, windowStart: this.job.windowStart, windowEnd: this.job.windowEnd };
    const files = await this.files.commit(window, metadata, this.checkpoint.footersStaged === true);
    const fingerprintsBlob = await this.files.commitFingerprints(metadata);
    this.deps.faultPoint?.('afterCommit');
    const comparison = this.compare?.result(this.checkpoint.compare);
    const manifestBlob = manifestBlobName(this.files.base);
    const finishedAt = this.deps.now().toISOString();
    await this.deps.renewLease();
    const manifest = buildManifest({
      job: this.job,
      stream: this.stream,
      firstUrl: this.listUrl(this.end),
      filter: this.filter,
      files,
      counts,
      truncation: this.checkpoint.truncation,
      fingerprintsBlob,
      comparison,
      startedAt: this.startedAt,
      finishedAt,
    });
    // A retry finds the manifest an earlier attempt wrote for these same files and keeps it (its time of writing).
    const stored = await writeManifest(this.store, manifestBlob, manifest);
    this.deps.faultPoint?.('afterManifest');
    return {
      revision: this.job.revision,
      counts,
      files,
      manifestBlob,
      fingerprintsBlob,
      truncation: this.checkpoint.truncation,
      idDigest: this.checkpoint.idDigest,
      contentDigest: this.checkpoint.contentDigest,
      comparison,
      finishedAt: stored.finishedAt,
    };
  }

  /** The first page of `[start, end]` (the window, or the part of it a resume re-reads). */
  private listUrl(end: Ticks): string {
    return buildListUrl(this.deps.config.graph.baseUrl, {
      stream: this.stream,
      start: this.start,
      end,
      pageSize: this.deps.config.graph.pageSize,
      extraFilter: this.filter?.graphFilter,
    });
  }

  /** A third of the lease: two renewals can fail (a storage hiccup) before another invocation could take over. */
  private leaseRenewalMs(): number {
    return (this.deps.config.worker.leaseSeconds * 1000) / 3;
  }

  private checkpointDue(): boolean {
    return this.deps.now().getTime() - this.lastCheckpointAt >= CHECKPOINT_INTERVAL_MS;
  }

  private async renewIfDue(): Promise<void> {
    if (this.deps.now().getTime() - this.lastCheckpointAt >= (this.deps.config.worker.leaseSeconds * 1000) / 2) {
      await this.deps.renewLease();
      this.lastCheckpointAt = this.deps.now().getTime();
    }
  }
}

function requireContainer(container: ContainerClient | undefined): ContainerClient {
  if (!container) throw new Error('An export session needs the exports container or another file store');
  return container;
}
