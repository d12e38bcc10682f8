/**
 * The export job: one stream, one window, one set of formats. Its status is a closed union and every change
 * of status is one function here (and, for passes that write a further revision, in revisions.ts), so the life of a
 * job can be read in two files:
 *
 *   queued ──claim──▶ running ──complete──▶ succeeded | empty
 *     ▲                 │ ├──yield (time budget)──▶ queued (continuation message)
 *     │                 │ ├──release (transient error, more deliveries left)──▶ queued
 *     │                 │ ├──fail──▶ failed (code, message; `retryAt` for transient codes: the planner re-queues it)
 *     └──requeue────────┘ └──loseToRetention──▶ lostToRetention (the window left Entra's retention unexported)
 *
 * Terminal states: succeeded, empty, failed, lostToRetention. A finished window can be read again by the re-check
 * pass or an operator's re-run (revisions.ts); its current files keep serving until the new revision is written.
 */
import type { FormatId } from '../config';
import type { StreamId } from '../streams/catalog';
import type { StagedFileState } from '../storage/stagedBlobFile';
import type { GraphRecord, TruncationCounts } from '../formats/types';
import type { ExportFilters } from './filters';

export const JOB_STATUSES = ['queued', 'running', 'succeeded', 'empty', 'failed', 'lostToRetention'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];
export const TERMINAL_STATUSES: readonly JobStatus[] = ['succeeded', 'empty', 'failed', 'lostToRetention'];

/** `cli`: a command-line export to a local folder (its jobs live in the folder's checkpoint, never in Tables). */
export type JobKind = 'scheduled' | 'adhoc' | 'cli';

export interface ExportCounts {
  /** Records written (after window filtering and de-duplication). */
  records: number;
  /** Records seen twice with the same id (republished, or already written before a continuation). */
  duplicatesDropped: number;
  /** Records Graph returned outside the window (edges, widened provisioning bounds). */
  outsideWindowDropped: number;
  pages: number;
  /** Graph requests, retries included. */
  requests: number;
  throttled: number;
  /** Records Graph returned that the export's filters dropped while writing (re-reads after a continuation count again). */
  filteredOut?: number;
}

export interface JobCheckpoint {
  /**
   * `finalizing` is written by the same checkpoint that records the last page, so a stop after paging can never
   * leave a resume query behind (see ExportSession).
   */
  phase: 'paging' | 'finalizing';
  /** Oldest record time fully written (7-digit ISO): everything in [cursor, end) is in the staged blocks. */
  cursor?: string;
  /** Hashes of the ids written at exactly `cursor` (a continuation re-reads that instant). */
  idsAtCursor: string[];
  /**
   * Graph's nextLink where an invocation stopped for its time budget, with every record read before it written:
   * the continuation tries it first, so a burst of same-instant records longer than one invocation still advances
   * (the time cursor alone would re-read the burst from its first record). Refused links fall back to the cursor.
   */
  resumeLink?: string;
  /**
   * With `resumeLink`: the last record read before it, not written. A split burst's last record may be followed, on
   * the next page, by its republished version (same id and instant); held here, it meets that version in the
   * continuation's open group and the last version is the one written (RecordSieve.splitOpenGroup).
   */
  heldRecords?: GraphRecord[];
  files: Record<string, StagedFileState>;
  /**
   * The files' footers are among the staged blocks (set by the checkpoint that moves to `finalizing`), so the
   * commit adds nothing and a retried commit finds the blob it committed before (absent on older checkpoints).
   */
  footersStaged?: boolean;
  counts: ExportCounts;
  truncation?: TruncationCounts;
  /** Order-independent digest of the ids written so far (see idSetDigest.ts). */
  idDigest: string;
  /** Order-independent digest of (id, content) of the records written so far: changes when a record changes. */
  contentDigest?: string;
  /** A re-check or re-run: the records written so far compared with the previous revision's fingerprints. */
  compare?: RevisionComparison;
  /** When the first invocation began paging. */
  startedAt: string;
}

/** How the records of a pass compare with the previous revision's (by id and content fingerprint). */
export interface RevisionComparison {
  /** Records whose id the previous revision holds (changed or not). */
  matched: number;
  /** Records the previous revision does not hold: published after it was read. */
  added: number;
  /** Records the previous revision holds with other content: republished since. */
  changed: number;
}

export interface ExportedFile {
  key: string;
  blobName: string;
  downloadName: string;
  contentType: string;
  gzip: boolean;
  bytes: number;
  records: number;
  rows: number;
  sha256: string;
}

/** One written revision of a window: its files, manifest and counts. */
export interface JobResult {
  /** Absent on results written before revisions were numbered here: then the job's `revision`. */
  revision?: number;
  counts: ExportCounts;
  files: ExportedFile[];
  manifestBlob: string;
  /** Per-record (id, content) fingerprints: what a later pass compares against (absent on older revisions). */
  fingerprintsBlob?: string;
  truncation?: TruncationCounts;
  idDigest: string;
  contentDigest?: string;
  /** A revision written by a re-check or re-run: how it compares with the one before it. */
  comparison?: RevisionComparison & { previousRevision: number; missing: number };
  finishedAt?: string;
}

/** A file of an earlier revision, as its manifest and a later manifest name it. */
export interface RevisionFile {
  key: string;
  blobName: string;
  bytes: number;
  records: number;
  sha256: string;
}

/** The revision a re-check or re-run pass compares against and, if the new one holds at least its records, replaces. */
export interface PreviousRevision {
  revision: number;
  status: JobStatus;
  records: number;
  idDigest: string;
  contentDigest?: string;
  manifestBlob: string;
  fingerprintsBlob?: string;
  files?: RevisionFile[];
}

/**
 * A revision that is not the one served: `superseded` by a later one that holds at least its records, or `kept`
 * beside the served one because it lacks some of the served revision's records. Its files stay downloadable.
 */
export interface RevisionEntry {
  role: 'superseded' | 'kept';
  status: 'succeeded' | 'empty';
  result: JobResult;
}

export interface JobError {
  code: string;
  message: string;
  at: string;
}

export interface ExportJob {
  jobId: string;
  kind: JobKind;
  stream: StreamId;
  /** Window as 7-digit ISO instants, [start, end). */
  windowStart: string;
  windowEnd: string;
  formats: FormatId[];
  /** The admin center's filters of an on-demand export (validated; see src/export/filters). */
  filters?: ExportFilters;
  status: JobStatus;
  createdAt: string;
  updatedAt: string;
  /** When the job was last put on the queue (for the stale-queue sweep). */
  queuedAt: string;
  leaseOwner?: string;
  leaseExpiresAt?: string;
  /** Incremented by every claim; blocks staged under an older epoch are never committed. */
  leaseEpoch: number;
  /** Invocations that worked on this job. */
  invocations: number;
  continuations: number;
  licenceFailures: number;
  /** Times the planner re-queued this job after a failure with an automatic-retry code (failurePolicy.ts). */
  autoRetries?: number;
  /** When a failed job becomes due for its next automatic retry (absent: no automatic retry). */
  retryAt?: string;
  /** The revision the pass in progress writes, or else the latest written (file names carry `_r<n>` after 1). */
  revision: number;
  /**
   * `recheck`: the planner's later pass over a settled window, written as a new revision only if Graph's records
   * changed; `rerun`: an operator's pass, always written as a new revision. Both keep the current files serving.
   */
  mode: 'export' | 'recheck' | 'rerun';
  /** Whether the re-check pass has looked at this window (at least once). */
  rechecked: boolean;
  /** Re-check passes started over this window. */
  rechecks?: number;
  /** Records the last re-check pass found added or changed (a second pass follows only where this is not 0). */
  lastRecheckFound?: number;
  /** Records re-check and re-run passes found added or changed, over the life of the window. */
  lateRecordsFound?: number;
  previous?: PreviousRevision;
  checkpoint?: JobCheckpoint;
  /** The revision served (downloads, links); a pass in progress leaves it untouched. */
  result?: JobResult;
  /** Earlier or parallel revisions, all still downloadable. */
  revisions?: RevisionEntry[];
  /** Something an operator should know about the revisions (code `RevisionsKept`). */
  notice?: JobError;
  lastError?: JobError;
  finishedAt?: string;
  /** Optimistic-concurrency tag of the stored row. */
  etag?: string;
}

/** What tells one new job from another: its id, kind, stream, window, formats and (on demand) filters. */
export type NewJobFields = Pick<ExportJob, 'jobId' | 'kind' | 'stream' | 'windowStart' | 'windowEnd' | 'formats' | 'filters'>;

/** A job as it is first stored: queued for its first export (revision 1), nothing run or counted yet. */
export function newJob(fields: NewJobFields, now: Date): ExportJob {
  const at = now.toISOString();
  const job: ExportJob = {
    ...fields,
    formats: [...fields.formats],
    status: 'queued',
    createdAt: at,
    updatedAt: at,
    queuedAt: at,
    leaseEpoch: 0,
    mode: 'export',
    rechecked: false,
    invocations: 0,
    continuations: 0,
    licenceFailures: 0,
    revision: 1,
  };
  if (job.filters === undefined) delete job.filters;
  return job;
}

export function isTerminal(status: JobStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}

export function emptyCounts(): ExportCounts {
  return { records: 0, duplicatesDropped: 0, outsideWindowDropped: 0, pages: 0, requests: 0, throttled: 0 };
}

export type ClaimDecision =
  | { kind: 'claim' }
  | { kind: 'finished' }
  | { kind: 'busy'; leaseOwner: string; leaseExpiresAt: string };

/** Whether an invocation may take the job now. A live lease of someone else means a duplicate delivery. */
export function decideClaim(job: ExportJob, now: Date): ClaimDecision {
  if (isTerminal(job.status)) return { kind: 'finished' };
  if (job.status === 'running' && job.leaseExpiresAt && new Date(job.leaseExpiresAt) > now && job.leaseOwner) {
    return { kind: 'busy', leaseOwner: job.leaseOwner, leaseExpiresAt: job.leaseExpiresAt };
  }
  return { kind: 'claim' };
}

export function claim(job: ExportJob, owner: string, now: Date, leaseSeconds: number): ExportJob {
  return {
    ...job,
    status: 'running',
    leaseOwner: owner,
    leaseExpiresAt: new Date(now.getTime() + leaseSeconds * 1000).toISOString(),
    leaseEpoch: job.leaseEpoch + 1,
    invocations: job.invocations + 1,
    updatedAt: now.toISOString(),
  };
}

export function renewLease(job: ExportJob, now: Date, leaseSeconds: number): ExportJob {
  return { ...job, leaseExpiresAt: new Date(now.getTime() + leaseSeconds * 1000).toISOString(), updatedAt: now.toISOString() };
}

export function saveCheckpoint(job: ExportJob, checkpoint: JobCheckpoint, now: Date, leaseSeconds: number): ExportJob {
  return { ...renewLease(job, now, leaseSeconds), checkpoint };
}

/** The invocation's time budget ran out: hand the job to a continuation message. */
export function yieldForContinuation(job: ExportJob, now: Date): ExportJob {
  return {
    ...job,
    status: 'queued',
    leaseOwner: undefined,
    leaseExpiresAt: undefined,
    continuations: job.continuations + 1,
    queuedAt: now.toISOString(),
    updatedAt: now.toISOString(),
  };
}

/** A retryable failure: release the lease so the queue's next delivery can claim at once. */
export function releaseAfterError(job: ExportJob, error: JobError, now: Date): ExportJob {
  return { ...job, status: 'queued', leaseOwner: undefined, leaseExpiresAt: undefined, lastError: error, updatedAt: now.toISOString() };
}

/** The first revision of a window is written (passes over a written window end in revisions.ts instead). */
export function complete(job: ExportJob, result: JobResult, now: Date): ExportJob {
  return {
    ...job,
    mode: 'export',
    previous: undefined,
    status: result.counts.records === 0 ? 'empty' : 'succeeded',
    result,
    checkpoint: undefined,
    leaseOwner: undefined,
    leaseExpiresAt: undefined,
    lastError: undefined,
    finishedAt: now.toISOString(),
    updatedAt: now.toISOString(),
  };
}

/** The job gave up: `retryAt` when the planner should try it again by itself (an automatic-retry code). */
export function fail(job: ExportJob, error: JobError, now: Date, retryAt?: Date): ExportJob {
  return {
    ...job,
    status: 'failed',
    lastError: error,
    retryAt: retryAt?.toISOString(),
    leaseOwner: undefined,
    leaseExpiresAt: undefined,
    finishedAt: now.toISOString(),
    updatedAt: now.toISOString(),
  };
}

/**
 * The window's start passed Entra's retention edge before it was exported (Graph refused it, or the planner saw the
 * edge pass while the job was queued or failed): nothing can recover it. Terminal, counted per stream.
 */
export function loseToRetention(job: ExportJob, error: JobError, now: Date): ExportJob {
  return {
    ...job,
    status: 'lostToRetention',
    lastError: error,
    retryAt: undefined,
    checkpoint: undefined,
    leaseOwner: undefined,
    leaseExpiresAt: undefined,
    finishedAt: now.toISOString(),
    updatedAt: now.toISOString(),
  };
}

/** The planner's automatic retry of a failed job: it resumes from its checkpoint, if it has one. */
export function retryAfterFailure(job: ExportJob, now: Date): ExportJob {
  if (job.status !== 'failed') throw new Error(`Job ${job.jobId} is ${job.status}; only failed jobs are retried`);
  return { ...requeue(job, now), autoRetries: (job.autoRetries ?? 0) + 1, retryAt: undefined, licenceFailures: 0 };
}

/** Put a job back on the queue: a lost message, an expired lease, or an operator's re-run of a failed job. */
export function requeue(job: ExportJob, now: Date): ExportJob {
  return {
    ...job,
    status: 'queued',
    leaseOwner: undefined,
    leaseExpiresAt: undefined,
    queuedAt: now.toISOString(),
    updatedAt: now.toISOString(),
    ...(isTerminal(job.status) ? { finishedAt: undefined, licenceFailures: 0, retryAt: undefined } : {}),
  };
}

/** The queue message: only a nudge. All state lives in the job row, so duplicates and stale messages are harmless. */
export interface JobMessage {
  jobId: string;
  /** Which continuation this message carries (for logs only). */
  continuation: number;
}
