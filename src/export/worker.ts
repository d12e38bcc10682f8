/**
 * The export worker (queue trigger `runExportJob`): claim the job named by the message with an etag-guarded
 * lease, run an ExportSession, and record the outcome. Every failure, of any kind, ends in a named state
 * (failurePolicy.ts classifies it):
 *
 * - transient trouble (Graph 429/5xx/timeouts after the client's own retries, storage errors, anything unexpected):
 *   progress is checkpointed, the lease released, and the error rethrown so the queue delivers the message again;
 *   on the last delivery (host.json maxDequeueCount) the job is `failed` with that code and the planner retries it
 *   later with growing delays; never left queued, never dropped;
 * - OutsideRetention: the window is recorded as lost to Entra's retention, never retried;
 * - TenantNotLicensed: retried a few times (Graph reports it spuriously), then the job fails and the stream
 *   pauses with the licence it needs; PermissionMissing: fails and pauses with the permission to grant;
 * - any other Graph refusal, or storage access denied: `failed` with a message that says what to fix.
 * Every `failed` is logged as `ExportJobFailed stream=… jobId=… code=…`, the line the deployed alert watches.
 */
import { z } from 'zod';
import type { JobRepository } from '../storage/jobRepository';
import { JobConcurrencyError } from '../storage/jobRepository';
import type { StreamRepository } from '../storage/streamRepository';
import { STREAMS } from '../streams/catalog';
import { instantFromDate, parseInstant } from '../time/instant';
import { ExportSession, SessionDeps } from './exportSession';
import { completePass, recheckUnchanged } from './revisions';
import { AUTO_RETRY_CODES, autoRetryDelayMs, classifyFailure } from './failurePolicy';
import { isBeyondRetention, isNearRetentionEdge, recordLoss } from './retention';
import { RETENTION_EDGE_MARGIN_MS } from '../graph/errors';
import {
  claim,
  complete,
  decideClaim,
  ExportJob,
  fail,
  JobError,
  JobMessage,
  JobResult,
  releaseAfterError,
  renewLease,
  saveCheckpoint,
  yieldForContinuation,
} from './job';

export interface WorkerDeps extends Omit<SessionDeps, 'saveCheckpoint' | 'renewLease'> {
  jobs: JobRepository;
  streams: StreamRepository;
}

export interface WorkerInput {
  message: unknown;
  invocationId: string;
  dequeueCount: number;
  maxDequeueCount: number;
}

export type WorkerResult =
  | { outcome: 'succeeded' | 'empty' | 'failed' | 'lostToRetention'; job: ExportJob; messages: JobMessage[] }
  | { outcome: 'continued'; job: ExportJob; messages: JobMessage[] }
  | { outcome: 'skipped'; reason: string; messages: JobMessage[] };

/** Thrown to make the queue deliver the message again (the job row says why). */
export class RetryLaterError extends Error {
  constructor(
    readonly jobId: string,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'RetryLaterError';
  }
}

/** Raised by chaos tests at a fault point: behaves like a killed process (no clean-up at all). */
export class WorkerKilledError extends Error {
  constructor(readonly point: string) {
    super(`worker killed at ${point}`);
    this.name = 'WorkerKilledError';
  }
}

const messageSchema = z.object({ jobId: z.string().min(1).max(200), continuation: z.number().int().min(0).optional() });
const PAUSE_MS: Record<string, number> = { TenantNotLicensed: 6 * 3600_000, PermissionMissing: 3600_000 };

/** The job message, or undefined when the text is not one (the queue binding hands over a string or parsed JSON). */
export function parseJobMessage(message: unknown): { jobId: string } | undefined {
  const parsed = messageSchema.safeParse(typeof message === 'string' ? safeJson(message) : message);
  return parsed.success ? parsed.data : undefined;
}

export async function runExportJob(input: WorkerInput, deps: WorkerDeps): Promise<WorkerResult> {
  const parsed = parseJobMessage(input.message);
  if (!parsed) {
    deps.log.error(`Ignoring a queue message that is not an export job: ${JSON.stringify(input.message).slice(0, 300)}`);
    return { outcome: 'skipped', reason: 'malformed message', messages: [] };
  }
  const { jobId } = parsed;
  const found = await deps.jobs.get(jobId);
  if (!found) {
    deps.log.warn(`Job ${jobId} does not exist; message ignored`);
    return { outcome: 'skipped', reason: 'unknown job', messages: [] };
  }
  const decision = decideClaim(found, deps.now());
  if (decision.kind !== 'claim') {
    deps.log.info(`Job ${jobId} is ${decision.kind === 'finished' ? found.status : `held by ${decision.leaseOwner} until ${decision.leaseExpiresAt}`}; duplicate delivery ignored`);
    return { outcome: 'skipped', reason: decision.kind, messages: [] };
  }
  let job: ExportJob;
  try {
    job = await deps.jobs.update(claim(found, input.invocationId, deps.now(), deps.config.worker.leaseSeconds));
  } catch (error) {
    if (error instanceof JobConcurrencyError) return { outcome: 'skipped', reason: 'claimed by another delivery', messages: [] };
    throw error;
  }

  const lease = deps.config.worker.leaseSeconds;
  const session = new ExportSession(job, {
    ...deps,
    saveCheckpoint: async (checkpoint) => {
      job = await deps.jobs.update(saveCheckpoint(job, checkpoint, deps.now(), lease));
    },
    renewLease: async () => {
      job = await deps.jobs.update(renewLease(job, deps.now(), lease));
    },
  });

  try {
    const outcome = await session.run();
    if (outcome.kind === 'yield') {
      job = await deps.jobs.update(yieldForContinuation(job, deps.now()));
      deps.log.info(`Job ${jobId} reached its time budget at ${job.checkpoint?.cursor ?? 'the window end'}; continuation ${job.continuations} queued`);
      return { outcome: 'continued', job, messages: [{ jobId, continuation: job.continuations }] };
    }
    if (outcome.kind === 'unchanged') {
      job = await deps.jobs.update(recheckUnchanged(job, deps.now()));
      deps.log.info(`Job ${jobId}: re-check found the same ${job.result?.counts.records ?? 0} record(s); revision ${job.revision} stands`);
      return { outcome: job.status === 'empty' ? 'empty' : 'succeeded', job, messages: [] };
    }
    if (outcome.result.counts.records === 0 && readAtRetentionEdge(job, deps)) {
      return endAtRetentionEdge(job, { code: 'OutsideRetention', message: EMPTY_AT_EDGE, at: deps.now().toISOString() }, deps);
    }
    job = job.previous ? await finishPass(job, outcome.result, deps) : await deps.jobs.update(complete(job, outcome.result, deps.now()));
    if (job.kind === 'scheduled') await noteStreamSuccess(job, deps);
    deps.log.info(`ExportJobSucceeded stream=${job.stream} jobId=${jobId} records=${outcome.result.counts.records} status=${job.status}`);
    return { outcome: job.status === 'empty' ? 'empty' : 'succeeded', job, messages: [] };
  } catch (error) {
    if (error instanceof WorkerKilledError) throw error;
    if (error instanceof JobConcurrencyError) {
      deps.log.warn(`Job ${jobId}: lease lost to another invocation; stopping without writing more`);
      return { outcome: 'skipped', reason: 'lease lost', messages: [] };
    }
    return handleFailure(error, job, input, deps);
  }
}

async function handleFailure(error: unknown, job: ExportJob, input: WorkerInput, deps: WorkerDeps): Promise<WorkerResult> {
  const classified = classifyFailure(error, {
    jobId: job.jobId,
    stream: STREAMS[job.stream],
    windowStart: parseInstant(job.windowStart),
    now: instantFromDate(deps.now()),
    retentionDays: deps.config.retentionDays,
  });
  if (classified.code === 'InternalError') deps.log.error(`Job ${job.jobId}: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  const jobError: JobError = { code: classified.code, message: classified.message, at: deps.now().toISOString() };
  if (classified.code === 'OutsideRetention') return endAtRetentionEdge(job, jobError, deps);
  const lastDelivery = input.dequeueCount >= input.maxDequeueCount;
  let giveUp = !classified.retryable || lastDelivery;
  if (classified.code === 'TenantNotLicensed') {
    job = { ...job, licenceFailures: job.licenceFailures + 1 };
    giveUp = job.licenceFailures >= deps.config.worker.licenceRetryLimit || lastDelivery;
  }
  if (!giveUp) {
    try {
      job = await deps.jobs.update(releaseAfterError(job, jobError, deps.now()));
    } catch {
      // The lease expires on its own and the next delivery takes the job over.
    }
    deps.log.warn(`Job ${job.jobId}: ${classified.code}: ${classified.message} (delivery ${input.dequeueCount} of ${input.maxDequeueCount}; will retry)`);
    throw new RetryLaterError(job.jobId, classified.code, classified.message);
  }
  const retryAt = AUTO_RETRY_CODES.has(classified.code) ? new Date(deps.now().getTime() + retryDelayMs(job, deps)) : undefined;
  // If this write fails too, the error reaches the queue: the message is delivered again, or ends on the poison
  // queue, where recordPoisonedMessage marks the job failed.
  try {
    job = await deps.jobs.update(fail(job, jobError, deps.now(), retryAt));
  } catch (writeError) {
    if (writeError instanceof JobConcurrencyError) return { outcome: 'skipped', reason: 'lease lost', messages: [] };
    throw writeError;
  }
  const retry = retryAt ? ` retryAt=${retryAt.toISOString()}` : '';
  deps.log.error(`ExportJobFailed stream=${job.stream} jobId=${job.jobId} code=${classified.code}${retry} message=${classified.message}`);
  const pauseMs = PAUSE_MS[classified.code];
  if (pauseMs !== undefined && job.kind === 'scheduled') {
    const until = new Date(deps.now().getTime() + pauseMs).toISOString();
    // The job is failed and logged whatever happens here; a stream that could not be paused just keeps planning.
    await deps.streams
      .modify(job.stream, (s) => ({ ...s, pausedUntil: until, pausedCode: classified.code, pausedReason: classified.message }))
      .then(() => deps.log.error(`Stream ${job.stream} paused until ${until}: ${classified.message}`))
      .catch((error: unknown) => deps.log.warn(`Stream ${job.stream}: could not record its pause: ${String(error)}`));
  }
  return { outcome: 'failed', job, messages: [] };
}

const EMPTY_AT_EDGE =
  "Graph returned no records for a window whose start had reached Entra's retention edge when it was read: an empty answer there " +
  'cannot be told apart from records Entra had already dropped, so the window is recorded as lost rather than empty.';

/** Graph's retention check is not documented to the second: an answer within the margin of the edge is not trusted as empty. */
function readAtRetentionEdge(job: ExportJob, deps: WorkerDeps): boolean {
  return isBeyondRetention(job, new Date(deps.now().getTime() + RETENTION_EDGE_MARGIN_MS), deps.config.retentionDays);
}

async function endAtRetentionEdge(job: ExportJob, error: JobError, deps: WorkerDeps): Promise<WorkerResult> {
  try {
    job = await recordLoss(deps, job, error);
  } catch (writeError) {
    if (writeError instanceof JobConcurrencyError) return { outcome: 'skipped', reason: 'lease lost', messages: [] };
    throw writeError;
  }
  return { outcome: job.status === 'lostToRetention' ? 'lostToRetention' : job.status === 'empty' ? 'empty' : 'succeeded', job, messages: [] };
}

/**
 * A re-check or re-run wrote its revision: late records are counted in the stream first (keyed by job and revision,
 * so a retried count is not doubled), then the job serves the new revision or keeps both (revisions.ts).
 */
async function finishPass(job: ExportJob, written: JobResult, deps: WorkerDeps): Promise<ExportJob> {
  const comparison = written.comparison;
  const late = comparison ? comparison.added + comparison.changed : 0;
  if (late > 0 && job.kind === 'scheduled') await deps.streams.count(job.stream, 'lateRecordsFound', `late:${job.jobId}:${written.revision}`, late);
  const mode = job.mode;
  const done = await deps.jobs.update(completePass(job, written, deps.now()));
  const found = comparison ? `added=${comparison.added} changed=${comparison.changed} missing=${comparison.missing}` : 'no fingerprints to compare';
  const line = `RevisionWritten stream=${job.stream} jobId=${job.jobId} mode=${mode} revision=${written.revision} records=${written.counts.records} ${found} served=${done.result?.revision ?? done.revision}`;
  if (late > 0 || done.notice) deps.log.warn(line);
  else deps.log.info(line);
  if (done.notice) deps.log.warn(`Job ${job.jobId}: ${done.notice.message}`);
  return done;
}

/** The job is finished whatever happens here: a failed write of the stream's last success is only logged. */
async function noteStreamSuccess(job: ExportJob, deps: WorkerDeps): Promise<void> {
  const at = deps.now().toISOString();
  try {
    await deps.streams.modify(job.stream, (s) => ({ ...s, lastSuccessAt: at, lastSuccessJobId: job.jobId }));
  } catch (error) {
    deps.log.warn(`Stream ${job.stream}: could not record the success of ${job.jobId}: ${String(error)}`);
  }
}

function retryDelayMs(job: ExportJob, deps: WorkerDeps): number {
  return autoRetryDelayMs(job.autoRetries ?? 0, isNearRetentionEdge(job, deps.now(), deps.config.retentionDays, deps.config.retentionWarningDays));
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
