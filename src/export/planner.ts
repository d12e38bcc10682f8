/**
 * The planner (timer `scheduleExports`): for every enabled stream, cut the time from its watermark to
 * `now − lag` into windows, create one job row per window (insert-if-absent: a repeated tick creates nothing
 * twice), advance the watermark; then the sweeps: windows near or past Entra's retention edge (retention.ts), jobs
 * whose message was lost or whose worker died, and failed jobs due for their automatic retry (sweeps.ts).
 *
 * Each step (one stream's windows, one stream's re-checks, each sweep) stands alone: a failed storage call ends that
 * step only, is listed in `failures`, and the run goes on, so the messages of the jobs already created or re-queued
 * are still sent. One failure no longer loses a whole run's messages (jobs re-queued but never sent wait
 * STALE_QUEUED_MINUTES again) nor starves the sweeps that run last while storage is flaky.
 */
import type { AppConfig } from '../config';
import { STREAM_IDS, StreamId } from '../streams/catalog';
import type { StreamState } from '../storage/streamRepository';
import { formatInstant, instantFromDate, parseInstant, TICKS_PER_MINUTE, Ticks } from '../time/instant';
import { ExportJob, JobMessage, newJob } from './job';
import { planRechecks } from './rechecks';
import { scheduledJobId } from './jobIds';
import { sweepRetention } from './retention';
import { PlannerDeps, retryFailedJobs, sweepStaleJobs, tryRequeue } from './sweeps';
import { alignDown, planWindows } from './windows';

export type { PlannerDeps } from './sweeps';

export interface PlanResult {
  messages: JobMessage[];
  created: Partial<Record<StreamId, number>>;
  requeued: number;
  /** Failed jobs re-queued for their automatic retry. */
  retried: number;
  /** Windows recorded as lostToRetention by this run. */
  lost: number;
  /** Windows within RETENTION_WARNING_DAYS of the edge and not exported yet. */
  atRisk: number;
  paused: StreamId[];
  /** Steps that failed (`step: error`); every other step ran. The next run does them again. */
  failures: string[];
}

const DAY_TICKS = 24n * 60n * TICKS_PER_MINUTE;

export async function planExports(deps: PlannerDeps): Promise<PlanResult> {
  const result: PlanResult = { messages: [], created: {}, requeued: 0, retried: 0, lost: 0, atRisk: 0, paused: [], failures: [] };
  const now = deps.now();
  const step = async (name: string, run: () => Promise<void>): Promise<void> => {
    try {
      await run();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      result.failures.push(`${name}: ${message}`);
      deps.log.error(`Planner step ${name} failed (the other steps went on; the next run does it again): ${message}`);
    }
  };
  for (const stream of STREAM_IDS) {
    if (deps.config.streams[stream].enabled) await step(`plan ${stream}`, () => planStream(deps, stream, now, result));
  }
  if (deps.config.recheck.enabled) {
    for (const stream of STREAM_IDS) {
      if (deps.config.streams[stream].enabled && !result.paused.includes(stream)) {
        await step(`re-check ${stream}`, async () => {
          await planRechecks(deps, stream, now, result.messages);
        });
      }
    }
  }
  // Windows past the retention edge first, so the other sweeps do not queue them again. If this sweep fails, they
  // still run: a window they queue past the edge is recorded lost by its worker (Graph refuses it).
  await step('retention sweep', async () => {
    const retention = await sweepRetention(deps, now);
    result.lost = retention.lost;
    result.atRisk = retention.atRisk;
  });
  // Both sweeps add each message as they go: what they did before a failure is still sent.
  await step('stale-job sweep', async () => {
    result.requeued = await sweepStaleJobs(deps, now, result.messages);
  });
  await step('retry sweep', async () => {
    result.retried = await retryFailedJobs(deps, now, result.messages);
  });
  return result;
}

/** One stream's new windows: a job row each (insert-if-absent), then the watermark. */
async function planStream(deps: PlannerDeps, stream: StreamId, now: Date, result: PlanResult): Promise<void> {
  const settings = deps.config.streams[stream];
  const state = await deps.streams.getOrCreate({ stream, watermark: formatInstant(initialWatermark(deps.config, stream, now), 7) });
  if (await stillPaused(deps, state, now, result)) return;
  const windows = planWindows({
    watermark: parseInstant(state.watermark),
    now: instantFromDate(now),
    lagMinutes: settings.lagMinutes,
    windowMinutes: settings.windowMinutes,
    maxWindows: deps.config.maxWindowsPerTick,
  });
  if (windows.length === 0) return;
  let created = 0;
  for (const window of windows) {
    const job = newScheduledJob(deps.config, stream, window.start, window.end, now);
    if (await deps.jobs.insertIfAbsent(job)) {
      created++;
      result.messages.push({ jobId: job.jobId, continuation: 0 });
    }
  }
  const last = windows[windows.length - 1];
  // Another planner instance may have advanced it already; the job rows are idempotent either way.
  await deps.streams.tryUpdate({ ...state, watermark: formatInstant(last.end, 7) });
  result.created[stream] = created;
  deps.log.info(`Planned ${windows.length} window(s) for ${stream} (${created} new job(s)) up to ${formatInstant(last.end)}`);
}

/** A new deployment starts `BACKFILL_DAYS` back, on a window boundary no older than that. */
export function initialWatermark(config: AppConfig, stream: StreamId, now: Date): Ticks {
  const windowMinutes = config.streams[stream].windowMinutes;
  const from = instantFromDate(now) - BigInt(config.backfillDays) * DAY_TICKS;
  const aligned = alignDown(from, windowMinutes);
  return aligned === from ? aligned : aligned + BigInt(windowMinutes) * TICKS_PER_MINUTE;
}

export function newScheduledJob(config: AppConfig, stream: StreamId, start: Ticks, end: Ticks, now: Date): ExportJob {
  return newJob({ jobId: scheduledJobId(stream, start), kind: 'scheduled', stream, windowStart: formatInstant(start, 7), windowEnd: formatInstant(end, 7), formats: config.formats }, now);
}

/**
 * A paused stream (Graph refused it: licence or permission) creates no jobs until its pause ends; then its jobs
 * that failed for that reason are queued again, so nothing is skipped.
 */
async function stillPaused(deps: PlannerDeps, state: StreamState, now: Date, result: PlanResult): Promise<boolean> {
  if (!state.pausedUntil) return false;
  if (new Date(state.pausedUntil) > now) {
    result.paused.push(state.stream);
    return true;
  }
  const code = state.pausedCode;
  await deps.streams.tryUpdate({ ...state, pausedUntil: undefined, pausedCode: undefined, pausedReason: undefined });
  if (code) {
    for await (const job of deps.jobs.listFailed(state.stream, code)) {
      if (await tryRequeue(deps, job, now)) result.messages.push({ jobId: job.jobId, continuation: job.continuations });
    }
  }
  deps.log.info(`Stream ${state.stream} resumed after its pause (${code ?? 'no code'})`);
  // Re-read so the watermark update below uses the current etag.
  const fresh = await deps.streams.get(state.stream);
  if (fresh) Object.assign(state, fresh);
  return false;
}


