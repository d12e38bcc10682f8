/**
 * The planner (timer `scheduleExports`): for every enabled stream, cut the time from its watermark to
 * `now − lag` into windows, create one job row per window (insert-if-absent: a repeated tick creates nothing
 * twice), advance the watermark, and sweep for jobs whose message was lost or whose worker died.
 */
import type { AppConfig } from '../config';
import { STREAM_IDS, StreamId } from '../streams/catalog';
import type { JobRepository } from '../storage/jobRepository';
import { JobConcurrencyError } from '../storage/jobRepository';
import type { StreamRepository, StreamState } from '../storage/streamRepository';
import { formatInstant, instantFromDate, parseInstant, TICKS_PER_MINUTE, Ticks } from '../time/instant';
import { ExportJob, JobMessage, requeue, startRecheck } from './job';
import { scheduledJobId } from './jobIds';
import type { Logger } from './logger';
import { alignDown, planWindows } from './windows';

export interface PlannerDeps {
  config: AppConfig;
  jobs: JobRepository;
  streams: StreamRepository;
  now: () => Date;
  log: Logger;
}

export interface PlanResult {
  messages: JobMessage[];
  created: Partial<Record<StreamId, number>>;
  requeued: number;
  paused: StreamId[];
}

const DAY_TICKS = 24n * 60n * TICKS_PER_MINUTE;

export async function planExports(deps: PlannerDeps): Promise<PlanResult> {
  const result: PlanResult = { messages: [], created: {}, requeued: 0, paused: [] };
  const now = deps.now();
  for (const stream of STREAM_IDS) {
    const settings = deps.config.streams[stream];
    if (!settings.enabled) continue;
    const state = await deps.streams.getOrCreate({ stream, watermark: formatInstant(initialWatermark(deps.config, stream, now), 7) });
    if (await stillPaused(deps, state, now, result)) continue;
    const windows = planWindows({
      watermark: parseInstant(state.watermark),
      now: instantFromDate(now),
      lagMinutes: settings.lagMinutes,
      windowMinutes: settings.windowMinutes,
      maxWindows: deps.config.maxWindowsPerTick,
    });
    if (windows.length === 0) continue;
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
  if (deps.config.recheck.enabled) {
    for (const stream of STREAM_IDS) {
      if (deps.config.streams[stream].enabled && !result.paused.includes(stream)) await planRechecks(deps, stream, now, result.messages);
    }
  }
  result.requeued = await sweepStaleJobs(deps, now, result.messages);
  return result;
}

/** A new deployment starts `BACKFILL_DAYS` back, on a window boundary no older than that. */
export function initialWatermark(config: AppConfig, stream: StreamId, now: Date): Ticks {
  const windowMinutes = config.streams[stream].windowMinutes;
  const from = instantFromDate(now) - BigInt(config.backfillDays) * DAY_TICKS;
  const aligned = alignDown(from, windowMinutes);
  return aligned === from ? aligned : aligned + BigInt(windowMinutes) * TICKS_PER_MINUTE;
}

export function newScheduledJob(config: AppConfig, stream: StreamId, start: Ticks, end: Ticks, now: Date): ExportJob {
  const at = now.toISOString();
  return {
    jobId: scheduledJobId(stream, start),
    kind: 'scheduled',
    stream,
    windowStart: formatInstant(start, 7),
    windowEnd: formatInstant(end, 7),
    formats: [...config.formats],
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

/**
 * The optional re-check pass: windows that ended more than RECHECK_AFTER_HOURS ago, and that Entra still holds,
 * are read again once; a changed set of records becomes a new revision (see ExportSession).
 */
async function planRechecks(deps: PlannerDeps, stream: StreamId, now: Date, messages: JobMessage[]): Promise<void> {
  const settledBefore = new Date(now.getTime() - deps.config.recheck.afterHours * 3600_000);
  // A day's margin inside retention, so the pass never asks Graph for what it has already dropped.
  const heldAfter = new Date(now.getTime() - (deps.config.retentionDays - 1) * 24 * 3600_000);
  if (heldAfter >= settledBefore) return;
  let planned = 0;
  for await (const job of deps.jobs.listRecheckCandidates(stream, formatInstant(instantFromDate(heldAfter), 7), formatInstant(instantFromDate(settledBefore), 7))) {
    if (planned >= deps.config.maxWindowsPerTick) break;
    try {
      await deps.jobs.update(startRecheck(job, now));
      messages.push({ jobId: job.jobId, continuation: job.continuations });
      planned++;
    } catch (error) {
      if (!(error instanceof JobConcurrencyError)) throw error;
    }
  }
  if (planned > 0) deps.log.info(`Re-checking ${planned} settled window(s) of ${stream}`);
}

/** Jobs whose message was lost (queued too long) or whose worker died (lease expired) go back on the queue. */
async function sweepStaleJobs(deps: PlannerDeps, now: Date, messages: JobMessage[]): Promise<number> {
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

async function tryRequeue(deps: PlannerDeps, job: ExportJob, now: Date): Promise<boolean> {
  try {
    await deps.jobs.update(requeue(job, now));
    return true;
  } catch (error) {
    if (error instanceof JobConcurrencyError) return false;
    throw error;
  }
}
