/**
 * The export job: one stream, one window, one set of formats. Its status is a closed union and every change
 * of status is one function here, so the life of a job can be read in one place:
 *
 *   queued ──claim──▶ running ──complete──▶ succeeded | empty
 *     ▲                 │ ├──yield (time budget)──▶ queued (continuation message)
 *     │                 │ ├──fail──▶ failed (Graph error code, message)
 *     └──requeue────────┘ └──outsideRetention──▶ outsideRetention (window no longer held by Entra)
 *
 * Terminal states: succeeded, empty, failed, outsideRetention. A failed job can be re-queued by an operator.
 */
import type { FormatId } from '../config';
import type { StreamId } from '../streams/catalog';
import type { StagedFileState } from '../storage/stagedBlobFile';
import type { TruncationCounts } from '../formats/types';
import type { ExportFilters } from './filters';

export const JOB_STATUSES = ['queued', 'running', 'succeeded', 'empty', 'failed', 'outsideRetention'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];
export const TERMINAL_STATUSES: readonly JobStatus[] = ['succeeded', 'empty', 'failed', 'outsideRetention'];

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
  files: Record<string, StagedFileState>;
  counts: ExportCounts;
  truncation?: TruncationCounts;
  /** Order-independent digest of the ids written so far (see idSetDigest.ts). */
  idDigest: string;
  /** When the first invocation began paging. */
  startedAt: string;
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

export interface JobResult {
  counts: ExportCounts;
  files: ExportedFile[];
  manifestBlob: string;
  truncation?: TruncationCounts;
  idDigest: string;
}

/** The revision a re-check compares against. */
export interface PreviousRevision {
  revision: number;
  status: JobStatus;
  records: number;
  idDigest: string;
  manifestBlob: string;
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
  revision: number;
  /** `recheck`: a later pass over a settled window that keeps the current files unless Graph's records changed. */
  mode: 'export' | 'recheck';
  /** Whether the re-check pass has looked at this window. */
  rechecked: boolean;
  previous?: PreviousRevision;
  checkpoint?: JobCheckpoint;
  result?: JobResult;
  lastError?: JobError;
  finishedAt?: string;
  /** Optimistic-concurrency tag of the stored row. */
  etag?: string;
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

export function complete(job: ExportJob, result: JobResult, now: Date): ExportJob {
  return {
    ...job,
    mode: 'export',
    rechecked: job.rechecked || job.mode === 'recheck',
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

export function fail(job: ExportJob, error: JobError, now: Date): ExportJob {
  return {
    ...job,
    status: error.code === 'OutsideRetention' ? 'outsideRetention' : 'failed',
    lastError: error,
    leaseOwner: undefined,
    leaseExpiresAt: undefined,
    finishedAt: now.toISOString(),
    updatedAt: now.toISOString(),
  };
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
    ...(isTerminal(job.status) ? { finishedAt: undefined, licenceFailures: 0 } : {}),
  };
}

/**
 * An operator's re-run of a finished window: a fresh pass over Graph written as the next revision
 * (new file names), so earlier files stay as they were.
 */
export function rerun(job: ExportJob, now: Date): ExportJob {
  if (!isTerminal(job.status)) throw new Error(`Job ${job.jobId} is ${job.status}; only finished jobs can be re-run`);
  const fresh = job.result || job.checkpoint ? job.revision + 1 : job.revision;
  return { ...requeue(job, now), revision: fresh, mode: 'export', previous: undefined, checkpoint: undefined, result: undefined, lastError: undefined, licenceFailures: 0 };
}

/** Starts a re-check pass over a finished window; its current files stay downloadable meanwhile. */
export function startRecheck(job: ExportJob, now: Date): ExportJob {
  if ((job.status !== 'succeeded' && job.status !== 'empty') || !job.result) {
    throw new Error(`Job ${job.jobId} is ${job.status}; only exported windows can be re-checked`);
  }
  return {
    ...requeue(job, now),
    mode: 'recheck',
    revision: job.revision + 1,
    previous: { revision: job.revision, status: job.status, records: job.result.counts.records, idDigest: job.result.idDigest, manifestBlob: job.result.manifestBlob },
    checkpoint: undefined,
  };
}

/** The re-check found the same records: the current revision stands. */
export function recheckUnchanged(job: ExportJob, now: Date): ExportJob {
  const previous = job.previous;
  if (!previous) throw new Error(`Job ${job.jobId} is not being re-checked`);
  return {
    ...job,
    status: previous.status,
    revision: previous.revision,
    mode: 'export',
    rechecked: true,
    previous: undefined,
    checkpoint: undefined,
    leaseOwner: undefined,
    leaseExpiresAt: undefined,
    finishedAt: now.toISOString(),
    updatedAt: now.toISOString(),
  };
}

/** The queue message: only a nudge. All state lives in the job row, so duplicates and stale messages are harmless. */
export interface JobMessage {
  jobId: string;
  /** Which continuation this message carries (for logs only). */
  continuation: number;
}
