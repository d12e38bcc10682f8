/**
 * The planner's sweeps over existing jobs: nothing the planner created may end forgotten.
 * - A job whose message was lost (queued too long) or whose worker died (lease expired) goes back on the queue.
 * - A failed job with an automatic-retry code (failurePolicy.ts) goes back on the queue once its `retryAt` is due;
 *   the worker sets the next, longer delay if it fails again.
 */
import type { AppConfig } from '../config';
import type { JobRepository } from '../storage/jobRepository';
import { JobConcurrencyError } from '../storage/jobRepository';
import type { StreamRepository } from '../storage/streamRepository';
import { ExportJob, JobMessage, requeue, retryAfterFailure } from './job';
import type { Logger } from './logger';

/** What the planner and its sweeps work with. */
export interface PlannerDeps {
  config: AppConfig;
  jobs: JobRepository;
  streams: StreamRepository;
  now: () => Date;
  log: Logger;
}

export async function sweepStaleJobs(deps: PlannerDeps, now: Date, messages: JobMessage[]): Promise<number> {
  const staleBefore = now.getTime() - deps.config.worker.staleQueuedMinutes * 60_000;
  const alreadyQueued = new Set(messages.map((m) => m.jobId));
  let requeued = 0;
  for await (const job of deps.jobs.listActive()) {
    if (alreadyQueued.has(job.jobId)) continue;
    const stale =
      (job.status === 'queued' && new Date(job.queuedAt).getTime() < staleBefore) ||
      (job.status === 'running' && (!job.leaseExpiresAt || new Date(job.leaseExpiresAt) <= now));
    if (!stale) continue;
    if (await tryRequeue(deps, job, now)) {
      requeued++;
      messages.push({ jobId: job.jobId, continuation: job.continuations });
      deps.log.warn(`Re-queued job ${job.jobId} (${job.status === 'running' ? 'lease expired' : 'waited too long on the queue'})`);
    }
  }
  return requeued;
}

export async function retryFailedJobs(deps: PlannerDeps, now: Date, messages: JobMessage[]): Promise<number> {
  let retried = 0;
  for await (const job of deps.jobs.listDueRetries(now.toISOString())) {
    if (!(await tryUpdate(deps, retryAfterFailure(job, now)))) continue;
    retried++;
    messages.push({ jobId: job.jobId, continuation: job.continuations });
    deps.log.warn(`Retrying failed job ${job.jobId} (${job.lastError?.code ?? 'no code'}; automatic retry ${(job.autoRetries ?? 0) + 1})`);
  }
  return retried;
}

export async function tryRequeue(deps: PlannerDeps, job: ExportJob, now: Date): Promise<boolean> {
  return tryUpdate(deps, requeue(job, now));
}

/** An etag-guarded write that another writer may win: false then, and the other writer's state stands. */
async function tryUpdate(deps: PlannerDeps, job: ExportJob): Promise<boolean> {
  try {
    await deps.jobs.update(job);
    return true;
  } catch (error) {
    if (error instanceof JobConcurrencyError) return false;
    throw error;
  }
}
