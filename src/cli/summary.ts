/** The closing summary on stdout: one line per stream, then the totals and what to do next. */
import type { ExportRequest } from './args';
import type { LocalExportResult } from './localExport';
import { formatDuration, type ProgressTotals } from './progress';

export function summaryLines(result: LocalExportResult, totals: ProgressTotals, request: ExportRequest, tenantId: string | undefined): string[] {
  const width = Math.max(...result.jobs.map((j) => j.stream.length));
  const lines = result.jobs.map((job) => {
    const name = job.stream.padEnd(width);
    if (job.status === 'succeeded' || job.status === 'empty') {
      const r = job.result!;
      const extra = [
        r.counts.duplicatesDropped ? `${r.counts.duplicatesDropped.toLocaleString('en')} duplicates dropped` : '',
        r.counts.filteredOut ? `${r.counts.filteredOut.toLocaleString('en')} read but not matching the filters` : '',
        r.truncation ? 'CSV truncated some audit details (see the manifest)' : '',
      ].filter(Boolean);
      return `${name}  ${job.status.padEnd(9)}  ${r.counts.records.toLocaleString('en').padStart(10)} records  ${String(r.files.length).padStart(2)} file(s)  ${r.manifestBlob}${extra.length ? `  (${extra.join('; ')})` : ''}`;
    }
    const written = job.checkpoint?.counts.records ?? 0;
    return `${name}  ${job.status.padEnd(9)}  ${written.toLocaleString('en').padStart(10)} records so far  ${job.lastError ? `${job.lastError.code}` : ''}`;
  });
  const done = result.failures.length === 0;
  lines.push(
    `${totals.records.toLocaleString('en')} records from tenant ${tenantId ?? '(unknown)'}; ${totals.pages.toLocaleString('en')} pages, ${totals.requests.toLocaleString('en')} requests, ` +
      `${totals.throttled ? `throttled ${totals.throttled}x (${formatDuration(totals.pausedMs)} paused)` : 'never throttled'}; ${formatDuration(totals.elapsedMs)} this run.`,
  );
  lines.push(done ? `Done. Files and manifests (SHA-256 of every file) are in ${request.out}` : `Not complete: run the same command again to resume the failed stream(s) from their checkpoint.`);
  return lines;
}
