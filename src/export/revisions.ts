/**
 * Passes over a window that already has files: the planner's re-check (late and changed records) and an operator's
 * re-run. Both write the next revision under new file names while the current one keeps serving, and compare what
 * they read with the current revision's per-record fingerprints:
 *
 *   succeeded|empty ──startRecheck / rerun──▶ queued (mode recheck|rerun, `previous` = the served revision)
 *        ▲                                          │ (claim, paging, continuations as for any job)
 *        ├──recheckUnchanged (same records)─────────┤
 *        ├──abandonPass (window left retention)─────┤
 *        └──completePass────────────────────────────┘ new revision written; it replaces the served one only if it
 *                                                     holds at least the same records, otherwise both are kept
 *
 * A failure during a pass leaves the job `failed` with its served files intact (and retried like any failure).
 */
import { ExportJob, isTerminal, JobError, JobResult, PreviousRevision, RevisionEntry, requeue } from './job';

/** The served revision as a pass sees it: what it compares against and what its manifest names. */
export function servedRevision(job: ExportJob): PreviousRevision | undefined {
  const result = job.result;
  if (!result) return undefined;
  return {
    revision: result.revision ?? job.revision,
    status: result.counts.records === 0 ? 'empty' : 'succeeded',
    records: result.counts.records,
    idDigest: result.idDigest,
    contentDigest: result.contentDigest,
    manifestBlob: result.manifestBlob,
    fingerprintsBlob: result.fingerprintsBlob,
    files: result.files.map((f) => ({ key: f.key, blobName: f.blobName, bytes: f.bytes, records: f.records, sha256: f.sha256 })),
  };
}

/** Every revision written so far, served one first. */
export function writtenRevisions(job: ExportJob): Array<{ result: JobResult; role: 'served' | RevisionEntry['role'] }> {
  const served = job.result ? [{ result: { ...job.result, revision: job.result.revision ?? job.revision }, role: 'served' as const }] : [];
  return [...served, ...(job.revisions ?? []).map((entry) => ({ result: entry.result, role: entry.role }))];
}

/** The next free revision number (a pass that found nothing new leaves its number unused). */
export function nextRevision(job: ExportJob): number {
  const numbers = writtenRevisions(job).map((r) => r.result.revision ?? 1);
  return Math.max(1, ...numbers) + 1;
}

/**
 * A job whose checkpoint reached `finalizing` may have committed files under its revision's names before it failed.
 * A pass that starts over (its checkpoint dropped) must not write other bytes under those names (a WORM policy
 * refuses it, and a download could meet either), so it takes the next number.
 */
function mayHaveCommitted(job: ExportJob): boolean {
  return job.checkpoint?.phase === 'finalizing';
}

function startPass(job: ExportJob, mode: 'recheck' | 'rerun', now: Date): ExportJob {
  const previous = servedRevision(job);
  if (!previous) throw new Error(`Job ${job.jobId} has no files to compare a ${mode} with`);
  return {
    ...requeue(job, now),
    mode,
    revision: Math.max(nextRevision(job), mayHaveCommitted(job) ? job.revision + 1 : 0),
    previous,
    checkpoint: undefined,
    lastError: undefined,
    retryAt: undefined,
    autoRetries: 0,
  };
}

/**
 * The planner's re-check of a window: a written one is read again as a candidate next revision; a failed one without
 * files is exported again from the window's end, as a re-run would (under the next revision's names if the failed
 * pass may have committed files). Its checkpoint is not resumed: the failed pass read the window's newest part before
 * Entra published what arrived late there, and a resume would read only what lies behind the checkpoint's cursor.
 */
export function startRecheck(job: ExportJob, now: Date): ExportJob {
  if (!isTerminal(job.status) || job.status === 'lostToRetention') throw new Error(`Job ${job.jobId} is ${job.status}; it cannot be re-checked`);
  const counted = { rechecks: (job.rechecks ?? (job.rechecked ? 1 : 0)) + 1, rechecked: true };
  if (!job.result) return { ...rerun(job, now), ...counted };
  return { ...startPass(job, 'recheck', now), ...counted };
}

/** An operator's re-run: a finished window is read again and always written as a new revision. */
export function rerun(job: ExportJob, now: Date): ExportJob {
  if (!isTerminal(job.status)) throw new Error(`Job ${job.jobId} is ${job.status}; only finished jobs can be re-run`);
  if (job.result) return startPass(job, 'rerun', now);
  return {
    ...requeue(job, now),
    mode: 'export',
    revision: mayHaveCommitted(job) ? job.revision + 1 : job.revision,
    checkpoint: undefined,
    lastError: undefined,
    retryAt: undefined,
    autoRetries: 0,
    licenceFailures: 0,
  };
}

/** Back to the served revision, the pass over (nothing new found, or it could not finish). */
function endPass(job: ExportJob, now: Date): ExportJob {
  const previous = job.previous;
  if (!previous) throw new Error(`Job ${job.jobId} has no pass in progress`);
  return {
    ...job,
    status: previous.status,
    revision: nextRevision(job) - 1,
    mode: 'export',
    previous: undefined,
    checkpoint: undefined,
    leaseOwner: undefined,
    leaseExpiresAt: undefined,
    retryAt: undefined,
    finishedAt: now.toISOString(),
    updatedAt: now.toISOString(),
  };
}

/** The re-check read exactly the served revision's records: it stands, nothing new is written. */
export function recheckUnchanged(job: ExportJob, now: Date): ExportJob {
  return { ...endPass(job, now), lastError: undefined, lastRecheckFound: 0 };
}

/** A pass that cannot finish because its window left retention: the served revision stands, the error says why. */
export function abandonPass(job: ExportJob, error: JobError, now: Date): ExportJob {
  return { ...endPass(job, now), lastError: error };
}

/**
 * A pass wrote its revision. It is served from now on if it holds every record of the revision it was compared with
 * (`missing` 0); otherwise the served revision stays and the new one is kept beside it, and the job says so.
 */
export function completePass(job: ExportJob, written: JobResult, now: Date): ExportJob {
  const previous = job.previous;
  if (!previous || !job.result) throw new Error(`Job ${job.jobId} has no pass in progress`);
  const comparison = written.comparison;
  const late = comparison ? comparison.added + comparison.changed : Math.max(0, written.counts.records - previous.records);
  const missing = comparison?.missing ?? 0;
  const replaces = missing === 0;
  const older: RevisionEntry = replaces
    ? { role: 'superseded', status: previous.status === 'empty' ? 'empty' : 'succeeded', result: { ...job.result, revision: previous.revision } }
    : { role: 'kept', status: written.counts.records === 0 ? 'empty' : 'succeeded', result: written };
  const served = replaces ? written : job.result;
  return {
    ...job,
    status: served.counts.records === 0 ? 'empty' : 'succeeded',
    result: served,
    revisions: [...(job.revisions ?? []), older],
    notice: replaces
      ? undefined
      : {
          code: 'RevisionsKept',
          message:
            `Revision ${written.revision} (${job.mode}, ${written.counts.records} records) lacks ${missing} record(s) of revision ${previous.revision} ` +
            `(${previous.records} records), so revision ${previous.revision} is still served and both are kept; revision ${written.revision} ` +
            `holds ${late} record(s) that revision ${previous.revision} does not. Download both from the revisions list.`,
          at: now.toISOString(),
        },
    lateRecordsFound: (job.lateRecordsFound ?? 0) + late,
    lastRecheckFound: job.mode === 'recheck' ? late : job.lastRecheckFound,
    mode: 'export',
    previous: undefined,
    checkpoint: undefined,
    leaseOwner: undefined,
    leaseExpiresAt: undefined,
    lastError: undefined,
    retryAt: undefined,
    finishedAt: now.toISOString(),
    updatedAt: now.toISOString(),
  };
}
