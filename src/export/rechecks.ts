/**
 * The re-check pass (on by default): Entra publishes some records late (sign-ins up to two hours, MFA details
 * aggregated over up to two hours, risk re-publications later still; docs/configuration.md), and republishes others
 * with new content. So every window that ended RECHECK_AFTER_HOURS ago is read again while Entra still holds it, and
 * what Graph serves is compared with the served revision record by record (id and content fingerprints): added or
 * changed records make a new revision and are counted (job and stream `lateRecordsFound`); the same records change
 * nothing. A window whose first re-check found late records is read once more RECHECK_AGAIN_AFTER_DAYS after it
 * ended. Failed windows are covered too (read again like a retry) and so are empty ones. A window whose first export
 * is still running (or awaiting an automatic retry) when its re-check falls due is re-checked by the first timer run
 * after that export ends: every re-check pass starts after RECHECK_AFTER_HOURS, so it sees everything Entra published
 * by then.
 */
import type { AppConfig } from '../config';
import { JobConcurrencyError } from '../storage/jobRepository';
import type { StreamId } from '../streams/catalog';
import { formatInstant, instantFromDate } from '../time/instant';
import type { JobMessage } from './job';
import { startRecheck } from './revisions';
import type { PlannerDeps } from './sweeps';

const HOUR_MS = 3600_000;
const DAY_MS = 24 * HOUR_MS;

/**
 * The windows a re-check is due for at `now`, by window end (`from` inclusive, `to` exclusive): the first pass over
 * windows that ended RECHECK_AFTER_HOURS ago, the second over those that ended RECHECK_AGAIN_AFTER_DAYS ago. A window
 * whose first export finishes later than its re-check time is in range from then on, so the next timer run re-checks it.
 */
export function dueRecheckRanges(config: Pick<AppConfig, 'recheck' | 'retentionDays'>, now: Date): Array<{ from: string; to: string; again: boolean }> {
  const { recheck, retentionDays } = config;
  if (!recheck.enabled) return [];
  // A day's margin inside retention, so a pass never asks Graph for what it has already dropped.
  const heldAfter = new Date(now.getTime() - (retentionDays - 1) * DAY_MS);
  const passes = [
    { settledBefore: new Date(now.getTime() - recheck.afterHours * HOUR_MS), again: false },
    ...(recheck.againAfterDays > 0 ? [{ settledBefore: new Date(now.getTime() - recheck.againAfterDays * DAY_MS), again: true }] : []),
  ];
  return passes
    .filter(({ settledBefore }) => heldAfter < settledBefore)
    .map(({ settledBefore, again }) => ({ from: formatInstant(instantFromDate(heldAfter), 7), to: formatInstant(instantFromDate(settledBefore), 7), again }));
}

export async function planRechecks(deps: PlannerDeps, stream: StreamId, now: Date, messages: JobMessage[]): Promise<number> {
  const queued = new Set(messages.map((m) => m.jobId));
  let planned = 0;
  const { maxWindowsPerTick } = deps.config;
  for (const { from, to, again } of dueRecheckRanges(deps.config, now)) {
    for await (const job of deps.jobs.listRecheckCandidates(stream, from, to, again)) {
      if (planned >= maxWindowsPerTick) break;
      if (queued.has(job.jobId)) continue;
      try {
        await deps.jobs.update(startRecheck(job, now));
        messages.push({ jobId: job.jobId, continuation: job.continuations });
        queued.add(job.jobId);
        planned++;
      } catch (error) {
        if (!(error instanceof JobConcurrencyError)) throw error;
      }
    }
  }
  if (planned > 0) deps.log.info(`Re-checking ${planned} settled window(s) of ${stream}`);
  return planned;
}
