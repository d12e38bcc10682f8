/**
 * A job message on the poison queue means every delivery of it failed in a way the worker could not record itself
 * (the process crashed, the host timed the invocation out, or storage refused the job's own failure record). The
 * job must not stay `queued` or `running` for ever: unless a live lease shows a worker on it, it is marked `failed`
 * with code PoisonMessage, logged as ExportJobFailed, and retried automatically like any transient failure.
 */
import type { AppConfig } from '../config';
import type { JobRepository } from '../storage/jobRepository';
import { JobConcurrencyError } from '../storage/jobRepository';
import { autoRetryDelayMs } from './failurePolicy';
import { decideClaim, fail } from './job';
import type { Logger } from './logger';
import { isNearRetentionEdge } from './retention';
import { parseJobMessage } from './worker';

export interface PoisonDeps {
  config: AppConfig;
  jobs: JobRepository;
  now: () => Date;
  log: Logger;
}

export type PoisonOutcome = 'failed' | 'ignored';

export async function recordPoisonedMessage(message: unknown, deps: PoisonDeps): Promise<PoisonOutcome> {
  const parsed = parseJobMessage(message);
  if (!parsed) {
    deps.log.error(`A message on the poison queue is not an export job and was dropped: ${JSON.stringify(message).slice(0, 300)}`);
    return 'ignored';
  }
  const job = await deps.jobs.get(parsed.jobId);
  if (!job) {
    deps.log.warn(`Poison message for job ${parsed.jobId}, which does not exist; dropped`);
    return 'ignored';
  }
  const now = deps.now();
  const decision = decideClaim(job, now);
  if (decision.kind !== 'claim') {
    deps.log.info(`Poison message for job ${job.jobId}: the job is ${decision.kind === 'finished' ? job.status : 'held by a live lease'}; nothing to record`);
    return 'ignored';
  }
  const nearEdge = isNearRetentionEdge(job, now, deps.config.retentionDays, deps.config.retentionWarningDays);
  const retryAt = new Date(now.getTime() + autoRetryDelayMs(job.autoRetries ?? 0, nearEdge));
  const message_ =
    `Every delivery of the job's queue message failed (host.json maxDequeueCount): the worker crashed, was timed out by the host ` +
    `(functionTimeout) or could not write the job's state${job.lastError ? `; last recorded error ${job.lastError.code}: ${job.lastError.message}` : ''}. ` +
    `Retried automatically; the runExportJob logs show the cause.`;
  try {
    await deps.jobs.update(fail(job, { code: 'PoisonMessage', message: message_, at: now.toISOString() }, now, retryAt));
  } catch (error) {
    if (error instanceof JobConcurrencyError) return 'ignored';
    throw error;
  }
  deps.log.error(`ExportJobFailed stream=${job.stream} jobId=${job.jobId} code=PoisonMessage retryAt=${retryAt.toISOString()} message=${message_}`);
  return 'failed';
}
