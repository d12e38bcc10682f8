/**
 * Entra's retention edge: Graph serves a window only while its start is younger than ENTRA_RETENTION_DAYS. A window
 * not exported by then is lost for good, so nothing may pass the edge unnoticed:
 * - RETENTION_WARNING_DAYS before the edge, the planner logs `ExportWindowsAtRisk` (hourly, per stream) for windows
 *   still not exported, and their automatic retries come at least hourly (failurePolicy.ts);
 * - when the edge passes, the window becomes `lostToRetention`, is counted in its stream's `lostWindows` and logged as
 *   `ExportWindowLost` (both alerted). A re-check or re-run pass of an exported window is only abandoned: its current
 *   revision stands.
 */
import type { StreamRepository } from '../storage/streamRepository';
import type { JobRepository } from '../storage/jobRepository';
import { JobConcurrencyError } from '../storage/jobRepository';
import type { StreamId } from '../streams/catalog';
import { formatInstant, instantFromDate } from '../time/instant';
import { decideClaim, ExportJob, JobError, loseToRetention } from './job';
import { abandonPass } from './revisions';
import type { Logger } from './logger';
import type { PlannerDeps } from './sweeps';

const DAY_MS = 24 * 3600_000;
const RISK_WARNING_EVERY_MS = 3600_000;

/** Windows starting before this instant can no longer be read from Graph. */
export function retentionEdge(now: Date, retentionDays: number): Date {
  return new Date(now.getTime() - retentionDays * DAY_MS);
}

/** Windows starting before this instant get the retention warning. */
export function retentionWarningEdge(now: Date, retentionDays: number, warningDays: number): Date {
  return new Date(now.getTime() - (retentionDays - warningDays) * DAY_MS);
}

export function isBeyondRetention(job: Pick<ExportJob, 'windowStart'>, now: Date, retentionDays: number): boolean {
  return Date.parse(job.windowStart) < retentionEdge(now, retentionDays).getTime();
}

export function isNearRetentionEdge(job: Pick<ExportJob, 'windowStart'>, now: Date, retentionDays: number, warningDays: number): boolean {
  return Date.parse(job.windowStart) < retentionWarningEdge(now, retentionDays, warningDays).getTime();
}

export interface LossDeps {
  jobs: JobRepository;
  streams: StreamRepository;
  now: () => Date;
  log: Logger;
}

/**
 * Records that a window left retention before it was exported. The stream's count comes first, keyed by the job, so a
 * crash between the two writes is counted once when the sweep or a worker records the loss again. Throws
 * JobConcurrencyError when another invocation changed the job meanwhile.
 */
export async function recordLoss(deps: LossDeps, job: ExportJob, error: JobError): Promise<ExportJob> {
  const now = deps.now();
  // A window with files is not lost: only a pass over it can be cut short.
  if (job.result && !job.previous) return job;
  if (job.result) {
    const kept = await deps.jobs.update(abandonPass(job, error, now));
    deps.log.warn(`Job ${job.jobId}: its window left Entra's retention before the ${job.mode} pass finished; revision ${kept.revision} stands`);
    return kept;
  }
  if (job.kind === 'scheduled') await deps.streams.count(job.stream, 'lostWindows', `lost:${job.jobId}`, 1);
  const lost = await deps.jobs.update(loseToRetention(job, error, now));
  deps.log.error(
    `ExportWindowLost stream=${job.stream} jobId=${job.jobId} windowStart=${job.windowStart} was=${job.status} code=${job.lastError?.code ?? 'none'} message=${error.message}`,
  );
  return lost;
}

export interface RetentionSweepResult {
  lost: number;
  atRisk: number;
}

/** The planner's pass over windows near or past the edge that are not exported yet. */
export async function sweepRetention(deps: PlannerDeps, now: Date): Promise<RetentionSweepResult> {
  const { retentionDays, retentionWarningDays } = deps.config;
  const result: RetentionSweepResult = { lost: 0, atRisk: 0 };
  const atRisk = new Map<StreamId, { count: number; oldest: ExportJob }>();
  const warningEdge = retentionWarningEdge(now, retentionDays, retentionWarningDays);
  for await (const job of deps.jobs.listUnfinishedBefore(formatInstant(instantFromDate(warningEdge), 7))) {
    if (isBeyondRetention(job, now, retentionDays)) {
      // A worker holding a live lease meets the edge itself (Graph refuses the window) and records it then.
      if (decideClaim(job, now).kind === 'busy') continue;
      const edge = retentionEdge(now, retentionDays).toISOString();
      const error: JobError = {
        code: 'OutsideRetention',
        message:
          `The window was not exported before its start passed Entra's retention edge (${edge}, ENTRA_RETENTION_DAYS=${retentionDays}); ` +
          `Graph no longer returns it.${job.lastError ? ` Last error: ${job.lastError.code}: ${job.lastError.message}` : ''}`.slice(0, 3800),
        at: now.toISOString(),
      };
      try {
        await recordLoss(deps, job, error);
        if (!job.result) result.lost++;
      } catch (caught) {
        if (!(caught instanceof JobConcurrencyError)) throw caught;
      }
      continue;
    }
    if (job.result || job.kind !== 'scheduled') continue;
    result.atRisk++;
    const entry = atRisk.get(job.stream);
    if (!entry) atRisk.set(job.stream, { count: 1, oldest: job });
    else {
      entry.count++;
      if (job.windowStart < entry.oldest.windowStart) entry.oldest = job;
    }
  }
  for (const [stream, { count, oldest }] of atRisk) await warnAtRisk(deps, stream, count, oldest, now);
  return result;
}

/** At most hourly per stream, so the alert fires while windows stay at risk without flooding the logs. */
async function warnAtRisk(deps: PlannerDeps, stream: StreamId, count: number, oldest: ExportJob, now: Date): Promise<void> {
  const state = await deps.streams.get(stream);
  if (state?.riskWarnedAt && now.getTime() - Date.parse(state.riskWarnedAt) < RISK_WARNING_EVERY_MS) return;
  const lostAt = new Date(Date.parse(oldest.windowStart) + deps.config.retentionDays * DAY_MS).toISOString();
  deps.log.warn(
    `ExportWindowsAtRisk stream=${stream} windows=${count} oldest=${oldest.jobId} status=${oldest.status} code=${oldest.lastError?.code ?? 'none'} lostAt=${lostAt}: ` +
      `these windows are not exported yet and leave Entra's retention from ${lostAt}; see docs/operations.md`,
  );
  if (state) await deps.streams.tryUpdate({ ...state, riskWarnedAt: now.toISOString() });
}
