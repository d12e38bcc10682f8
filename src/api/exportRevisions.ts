/**
 * How the exports API shows a window's revisions (src/export/revisions.ts): the one served, earlier ones it
 * superseded and ones kept beside it, each with its files; which revision a download asks for; and when a re-run is
 * refused because Entra no longer holds the window.
 */
import type { ExportJob, JobResult } from '../export/job';
import { isBeyondRetention, retentionEdge } from '../export/retention';
import { writtenRevisions } from '../export/revisions';
import { ApiError } from './http';

/** The served revision, or the one `revision` names (any revision written and still listed). */
export function chooseRevision(job: ExportJob, revision: number | undefined): JobResult | undefined {
  const written = writtenRevisions(job);
  if (revision === undefined) return written.find((r) => r.role === 'served')?.result;
  const found = written.find((r) => r.result.revision === revision)?.result;
  if (!found) {
    const listed = written.map((r) => r.result.revision).join(', ') || 'none';
    throw new ApiError(404, 'RevisionNotFound', `Export ${job.jobId} has no revision ${revision}; its revisions are: ${listed}.`);
  }
  return found;
}

/** The revision part of `GET /api/exports/{id}`. */
export function revisionsView(job: ExportJob): Record<string, unknown> {
  const base = `/api/exports/${job.jobId}/files`;
  const revisions = writtenRevisions(job).map(({ result, role }) => {
    const query = role === 'served' ? '' : `?revision=${result.revision}`;
    return {
      revision: result.revision,
      role,
      records: result.counts.records,
      finishedAt: result.finishedAt ?? null,
      comparedWith: result.comparison ?? null,
      manifest: { blobName: result.manifestBlob, download: `${base}/manifest${query}` },
      files: result.files.map((f) => ({ key: f.key, name: f.downloadName, bytes: f.bytes, records: f.records, sha256: f.sha256, download: `${base}/${f.key}${query}` })),
    };
  });
  const pass = job.previous && job.mode !== 'export' ? { mode: job.mode, revision: job.revision, comparedWith: job.previous.revision } : null;
  return { revisions, pass, notice: job.notice ?? null, lateRecordsFound: job.lateRecordsFound ?? 0 };
}

/** Entra no longer holds a window whose start passed the retention edge: a re-run would find nothing. */
export function refuseRerunBeyondRetention(job: ExportJob, now: Date, retentionDays: number): void {
  if (!isBeyondRetention(job, now, retentionDays)) return;
  const kept = job.result ? ' Its current files stay as they are.' : '';
  throw new ApiError(
    409,
    'OutsideRetention',
    `Export ${job.jobId} covers a window starting ${job.windowStart}, before Entra's retention edge (${retentionEdge(now, retentionDays).toISOString()}, ` +
      `ENTRA_RETENTION_DAYS=${retentionDays}): Graph no longer returns it, so a re-run would find nothing.${kept}`,
  );
}
