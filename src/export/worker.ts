/**
 * The export worker (queue trigger `runExportJob`): claim the job named by the message with an etag-guarded
 * lease, run an ExportSession, and record the outcome. Every failure ends in a named state:
 *
 * - transient Graph trouble (429/503 after the client's own retries, 5xx, resets, timeouts): progress is
 *   checkpointed, the lease released, and the error rethrown so the queue delivers the message again;
 *   on the last delivery (host.json maxDequeueCount) the job is `failed` with that error, never dropped;
 * - OutsideRetention: the window is recorded as lost to Entra's retention, never retried;
 * - TenantNotLicensed: retried a few times (Graph reports it spuriously), then the job fails and the stream
 *   pauses with the licence it needs; PermissionMissing: fails and pauses with the permission to grant;
 * - any other Graph error: `failed` with Graph's code.
 */
import { z } from 'zod';
import { classifyGraphError, GraphRequestError } from '../graph/errors';
import type { JobRepository } from '../storage/jobRepository';
import { JobConcurrencyError } from '../storage/jobRepository';
import type { StreamRepository } from '../storage/streamRepository';
import { STREAMS } from '../streams/catalog';
import { instantFromDate, parseInstant } from '../time/instant';
import { ExportSession, SessionDeps } from './exportSession';
import {
  claim,
  complete,
  decideClaim,
  ExportJob,
  fail,
  JobError,
  recheckUnchanged,
  JobMessage,
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
  | { outcome: 'succeeded' | 'empty' | 'failed' | 'outsideRetention'; job: ExportJob; messages: JobMessage[] }
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

export async function runExportJob(input: WorkerInput, deps: WorkerDeps): Promise<WorkerResult> {
  const parsed = messageSchema.safeParse(typeof input.message === 'string' ? safeJson(input.message) : input.message);
  if (!parsed.success) {
    deps.log.error(`Ignoring a queue message that is not an export job: ${JSON.stringify(input.message).slice(0, 300)}`);
    return { outcome: 'skipped', reason: 'malformed message', messages: [] };
  }
  const { jobId } = parsed.data;
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
    const wasRecheck = job.mode === 'recheck';
    job = await deps.jobs.update(complete(job, outcome.result, deps.now()));
    if (wasRecheck) deps.log.warn(`Job ${jobId}: re-check found changed records; revision ${job.revision} written (${outcome.result.counts.records} records)`);
    if (job.kind === 'scheduled') {
      const at = deps.now().toISOString();
      await deps.streams.modify(job.stream, (s) => ({ ...s, lastSuccessAt: at, lastSuccessJobId: jobId }));
    }
    deps.log.info(`ExportJobSucceeded stream=${job.stream} jobId=${jobId} records=${outcome.result.counts.records} status=${job.status}`);
    return { outcome: job.status === 'empty' ? 'empty' : 'succeeded', job, messages: [] };
  } catch (error) {
    if (error instanceof WorkerKilledError) throw error;
    if (error instanceof JobConcurrencyError) {
      deps.log.warn(`Job ${jobId}: lease lost to another invocation; stopping without writing more`);
      return { outcome: 'skipped', reason: 'lease lost', messages: [] };
    }
    if (!(error instanceof GraphRequestError)) {
      await releaseQuietly(deps, job, { code: 'InternalError', message: String(error), at: deps.now().toISOString() });
      throw error;
    }
    return handleGraphFailure(error, job, input, deps);
  }
}

async function handleGraphFailure(error: GraphRequestError, job: ExportJob, input: WorkerInput, deps: WorkerDeps): Promise<WorkerResult> {
  const stream = STREAMS[job.stream];
  const classified = classifyGraphError(error, {
    stream,
    windowStart: parseInstant(job.windowStart),
    now: instantFromDate(deps.now()),
    retentionDays: deps.config.retentionDays,
  });
  const jobError: JobError = { code: classified.code, message: classified.message, at: deps.now().toISOString() };
  let giveUp = !classified.retryable || input.dequeueCount >= input.maxDequeueCount;
  if (classified.code === 'TenantNotLicensed') {
    job = { ...job, licenceFailures: job.licenceFailures + 1 };
    giveUp = job.licenceFailures >= deps.config.worker.licenceRetryLimit || input.dequeueCount >= input.maxDequeueCount;
  }
  if (!giveUp) {
    job = await deps.jobs.update(releaseAfterError(job, jobError, deps.now()));
    deps.log.warn(`Job ${job.jobId}: ${classified.code}: ${classified.message} (delivery ${input.dequeueCount} of ${input.maxDequeueCount}; will retry)`);
    throw new RetryLaterError(job.jobId, classified.code, classified.message);
  }
  job = await deps.jobs.update(fail(job, jobError, deps.now()));
  const pauseMs = PAUSE_MS[classified.code];
  if (pauseMs !== undefined && job.kind === 'scheduled') {
    const until = new Date(deps.now().getTime() + pauseMs).toISOString();
    await deps.streams.modify(job.stream, (s) => ({ ...s, pausedUntil: until, pausedCode: classified.code, pausedReason: classified.message }));
    deps.log.error(`Stream ${job.stream} paused until ${until}: ${classified.message}`);
  }
  deps.log.error(`ExportJobFailed stream=${job.stream} jobId=${job.jobId} code=${classified.code} message=${classified.message}`);
  return { outcome: job.status === 'outsideRetention' ? 'outsideRetention' : 'failed', job, messages: [] };
}

async function releaseQuietly(deps: WorkerDeps, job: ExportJob, error: JobError): Promise<void> {
  try {
    await deps.jobs.update(releaseAfterError(job, error, deps.now()));
  } catch {
    // The lease expires on its own; the planner's sweep re-queues the job then.
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
